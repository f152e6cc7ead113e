#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there): the runtime and argument-specialization checks
# and the runtime benchmark, in one batch (about 4 minutes on an H200).
#   here:  scripts/carry-deps.sh && scripts/gpu_runtime.sh --translate   (writes .carry/spec)
#   there: scripts/gpu_runtime.sh          (carry .carry; results in $OUT, exit 0 = all passed)
# 1. gpu tier, runtime tests: serialized IR -> specialized CUDA -> NVRTC -> disk cache ->
#    driver launch, on inputs that take every specialization path, bf16, a dot pipeline in
#    dynamic shared memory, configs from a provider, vs CPU loops;
# 2. tuning on first use (TunedConfigs): tuned once into a fresh database, results vs the CPU,
#    then found there by a fresh Kernel without tuning;
# 3. the example application (examples/runtime_softmax.cpp), plain, then twice with --tuned
#    on a fresh database: the first run tunes, the second process finds every config;
# 4. `translate --specialize=auto` output built with nvcc, each dispatch path vs CPU loops;
# 5. the checks of 1 and 4 under compute-sanitizer memcheck;
# 6. bench/runtime_launch.cpp: cached-launch host overhead vs bare cuLaunchKernel, first-call
#    compile, specialized vs generic kernels on large inputs (results checked), cold start of
#    a fresh process with a warm disk cache;
# 7. bench/runtime_launch_host.cpp: the same cached launch on this machine's CPU with the
#    stand-in libcuda (test/fake_driver): the runtime's own host cost, without the driver.
# Files in $OUT: build.log, tests.log (runtime and tuning tests), memcheck.log, tuning.json
# (the database the example tuned into).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = --translate ]; then
  set -e
  rm -rf .carry/spec
  mkdir -p .carry/spec
  for k in add softmax; do
    "${TILECC:-build/cli/tilecc}" translate "examples/$k.tile.cpp" --specialize=auto -o ".carry/spec/$k.cu"
  done
  exit 0
fi

out=${OUT:-/tmp/gpu_runtime_out}
mkdir -p "$out"
build=/tmp/tilecc_rt_build
nvcc=/usr/local/cuda/bin/nvcc
status=0
step() { echo "== [$SECONDS s] $*"; }
fail() { echo "FAILED: $*"; status=1; }

nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
step build
$nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I.carry \
  test/gpu/specialize_auto_check.cu -o /tmp/specialize_auto_check > /tmp/build_auto.log 2>&1 &
nvcc_pid=$!
{ cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_WITH_CLANG=OFF &&
  cmake --build $build --target tilecc tilecc_gpu_tests tilecc_runtime_softmax tilecc_bench_runtime \
      tilecc_bench_launch_host -j 16; } \
  > "$out/build.log" 2>&1 || { grep -B2 -A12 "error" "$out/build.log" | head -80; exit 1; }
wait $nvcc_pid || { cat /tmp/build_auto.log >> "$out/build.log"; tail -30 /tmp/build_auto.log; exit 1; }
tilecc_bin=$build/cli/tilecc

export TILECC_CACHE_DIR=/tmp/tilecc_cache_tests
rm -rf "$TILECC_CACHE_DIR"
step "runtime tests (gpu tier)"
timeout 150 $build/test/tilecc_gpu_tests "[runtime]" > "$out/tests.log" 2>&1 || fail "runtime tests"
tail -3 "$out/tests.log"

step "tune on first use (gpu tier, [tune])"
timeout 120 $build/test/tilecc_gpu_tests "[tune]" >> "$out/tests.log" 2>&1 || fail "tune on first use"
grep -E "^tune on first use:|^tilecc: tun|test cases" "$out/tests.log" | tail -5

step "example application"
rm -rf /tmp/tilecc_cache_example
TILECC_CACHE_DIR=/tmp/tilecc_cache_example timeout 60 $build/examples/tilecc_runtime_softmax test/data/ir/softmax.json ||
  fail "example"
step "example application --tuned, twice on a fresh tuning database"
rm -f "$out/tuning.json"
for run in first second; do
  TILECC_TUNE_DB="$out/tuning.json" TILECC_BIN=$tilecc_bin timeout 90 \
    $build/examples/tilecc_runtime_softmax test/data/ir/softmax.json --tuned --budget 2 2>&1 |
    tee "/tmp/example_$run.log" || fail "example --tuned ($run run)"
done
grep -q " 0 tuned on first use" <(tail -1 /tmp/example_first.log) && fail "the first --tuned run tuned nothing"
grep -q "from the database, 0 tuned on first use, 0 default" <(tail -1 /tmp/example_second.log) ||
  fail "the second --tuned run did not find every config in the database"

step "translate --specialize=auto, dispatching launchers"
timeout 60 /tmp/specialize_auto_check || fail "specialize=auto check"

if command -v compute-sanitizer > /dev/null; then
  step "compute-sanitizer memcheck"
  timeout 60 compute-sanitizer --tool memcheck --print-limit 5 /tmp/specialize_auto_check > "$out/memcheck.log" 2>&1 ||
    fail "memcheck of the specialize=auto check"
  tail -1 "$out/memcheck.log"
  timeout 200 compute-sanitizer --tool memcheck --print-limit 5 $build/test/tilecc_gpu_tests "[runtime]" \
    >> "$out/memcheck.log" 2>&1 || fail "memcheck of the runtime tests"
  tail -1 "$out/memcheck.log"
fi

step "runtime benchmark"
export TILECC_CACHE_DIR=/tmp/tilecc_cache_bench
rm -rf "$TILECC_CACHE_DIR"
timeout 120 $build/bench/tilecc_bench_runtime test/data/ir || fail "benchmark"
for run in 1 2; do
  timeout 30 $build/bench/tilecc_bench_runtime test/data/ir --cold || fail "cold start $run"
done
step "host launch path, stand-in driver (this CPU, no GPU work)"
LD_LIBRARY_PATH=$build/test/fake_driver TILECC_CACHE_DIR=/tmp/tilecc_cache_fake \
  timeout 60 $build/bench/tilecc_bench_launch_host test/data/ir || fail "host launch benchmark"
step "done: $([ $status = 0 ] && echo "all passed" || echo "FAILURES above")"
exit $status
