#!/usr/bin/env bash
# Prepares .carry/tune/ for scripts/gpu_tune.sh: a tilecc built without Clang (runs on the GPU
# machine) and the serialized IR of the examples it tunes. Run here (a few minutes the first
# time: the Clang-free build in $TILECC_NOCLANG_BUILD), then pass carry [".carry"]:
#   scripts/gpu_tune_prepare.sh                      # here
#   OUT=... scripts/gpu_tune.sh                      # there, one call (~4 min, < 510 s)
set -euo pipefail
cd "$(dirname "$0")/.."
frontend=${TILECC:-build/cli/tilecc}  # a tilecc with the Clang frontend
nc_build=${TILECC_NOCLANG_BUILD:-/tmp/tilecc_noclang}
mkdir -p .carry/tune
cmake -S . -B "$nc_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_WITH_CLANG=OFF -DTILECC_BUILD_TESTS=OFF > /dev/null
cmake --build "$nc_build" --target tilecc
cp "$nc_build/cli/tilecc" .carry/tune/tilecc
for k in matmul softmax; do "$frontend" translate "examples/$k.tile.cpp" --emit-ir -o ".carry/tune/$k.json"; done
echo "gpu_tune_prepare: $(du -sh .carry/tune | cut -f1) in .carry/tune"
