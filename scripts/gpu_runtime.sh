#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there): the runtime and argument-specialization checks
# and the runtime benchmark, in one batch.
#   here:  scripts/carry-deps.sh && scripts/gpu_runtime.sh --translate   (writes .carry/spec)
#   there: scripts/gpu_runtime.sh
# 1. gpu tier, runtime tests: serialized IR -> specialized CUDA -> NVRTC -> disk cache ->
#    driver launch, on inputs that take every specialization path, vs CPU loops;
# 2. the example application (examples/runtime_softmax.cpp);
# 3. `translate --specialize=auto` output built with nvcc, each dispatch path vs CPU loops;
# 4. the same two checks under compute-sanitizer memcheck;
# 5. bench/runtime_launch.cpp: cached-launch host overhead vs bare cuLaunchKernel, first-call
#    compile, specialized vs generic kernels on large inputs, cold start of a fresh process
#    with a warm disk cache.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = --translate ]; then
  rm -rf .carry/spec
  mkdir -p .carry/spec
  for k in add softmax; do
    "${TILECC:-build/cli/tilecc}" translate "examples/$k.tile.cpp" --specialize=auto -o ".carry/spec/$k.cu"
  done
  exit 0
fi

out=${OUT:-/tmp}
build=/tmp/tilecc_rt_build
nvcc=/usr/local/cuda/bin/nvcc
nvidia-smi --query-gpu=name --format=csv,noheader
$nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I.carry \
  test/gpu/specialize_auto_check.cu -o /tmp/specialize_auto_check > "$out/build_auto.log" 2>&1 &
nvcc_pid=$!
cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_WITH_CLANG=OFF > "$out/configure.log" 2>&1 ||
  { tail -30 "$out/configure.log"; exit 1; }
cmake --build $build --target tilecc_gpu_tests tilecc_runtime_softmax tilecc_bench_runtime -j 16 \
  > "$out/build.log" 2>&1 || { grep -B2 -A12 "error" "$out/build.log" | head -80; exit 1; }
wait $nvcc_pid || { tail -30 "$out/build_auto.log"; exit 1; }

status=0
export TILECC_CACHE_DIR=/tmp/tilecc_cache_tests
rm -rf "$TILECC_CACHE_DIR"
echo "== runtime tests (gpu tier)"
$build/test/tilecc_gpu_tests "[runtime]" > "$out/runtime_tests.log" 2>&1 || status=1
tail -4 "$out/runtime_tests.log"
echo "== example application"
rm -rf /tmp/tilecc_cache_example
TILECC_CACHE_DIR=/tmp/tilecc_cache_example $build/examples/tilecc_runtime_softmax test/data/ir/softmax.json || status=1
echo "== translate --specialize=auto, dispatching launchers"
/tmp/specialize_auto_check | tee "$out/auto.log" || status=1
if command -v compute-sanitizer > /dev/null; then
  echo "== compute-sanitizer memcheck"
  compute-sanitizer --tool memcheck --print-limit 5 /tmp/specialize_auto_check > "$out/memcheck_auto.log" 2>&1 || status=1
  tail -1 "$out/memcheck_auto.log"
  compute-sanitizer --tool memcheck --print-limit 5 $build/test/tilecc_gpu_tests "[runtime]" \
    > "$out/memcheck_runtime.log" 2>&1 || status=1
  tail -1 "$out/memcheck_runtime.log"
fi
echo "== runtime benchmark"
export TILECC_CACHE_DIR=/tmp/tilecc_cache_bench
rm -rf "$TILECC_CACHE_DIR"
$build/bench/tilecc_bench_runtime test/data/ir || status=1
$build/bench/tilecc_bench_runtime test/data/ir --cold || status=1
$build/bench/tilecc_bench_runtime test/data/ir --cold || status=1
exit $status
