#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there): builds this tree without the frontend and runs the
# GPU checks that are CTest tests (label gpu; `ctest -N -L gpu` lists them). Each check skips
# itself (exit 77) where the machine lacks what it needs.
#   here:  scripts/carry-deps.sh && scripts/gpu_prepare.sh   (.carry: dependencies, translations)
#   there: scripts/gpu_ctest.sh [ctest arguments, e.g. -R memcheck]   (carry .carry)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-/tmp/tilecc_gpu_ctest}
mkdir -p "$build"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true
{ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_WITH_CLANG=OFF &&
  cmake --build "$build" --target tilecc tilecc_gpu_tests -j "$(nproc)"; } > "$build/build.log" 2>&1 ||
  { grep -B2 -A12 "error" "$build/build.log" | head -80; echo "gpu_ctest: build failed ($build/build.log)"; exit 1; }
ctest --test-dir "$build" -L gpu --output-on-failure "$@"
