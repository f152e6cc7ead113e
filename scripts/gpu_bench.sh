#!/usr/bin/env bash
# Runs on the GPU machine: the benchmark table (bench/bench_kernels.cu over the CUDA
# that scripts/gpu_translate.sh wrote into .carry/bench) and the PyTorch references (with
# .carry/torch_ops, the tilecc ops timed through torch.ops beside them).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp}
# build <tree> <binary>: the benchmark of a tree (this one, or a baseline prepared by
# scripts/gpu_prepare_baseline.sh in .carry/baseline: its templates, header and kernels).
build() {
  /usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -I"$1/include" -I"$1/templates" \
    -I"$1/.carry" "$1/bench/bench_kernels.cu" -lcublas -o "$2" > "$out/bench_build_$(basename "$2").log" 2>&1 ||
    { tail -30 "$out/bench_build_$(basename "$2").log"; exit 1; }
}
if [ -d .carry/baseline ]; then
  # Both built (in parallel) and timed in this run, alternating, so that clocks and the other
  # tenants of the machine weigh on both alike.
  build . /tmp/bench_kernels & current=$!
  build .carry/baseline /tmp/bench_baseline & baseline=$!
  wait "$current" && wait "$baseline" || exit 1
  for round in 1 2; do
    echo "--- baseline (.carry/baseline), round $round" | tee -a "$out/bench.log"
    /tmp/bench_baseline | tee -a "$out/bench.log"
    echo "--- this tree, round $round" | tee -a "$out/bench.log"
    /tmp/bench_kernels | tee -a "$out/bench.log"
  done
else
  build . /tmp/bench_kernels
  /tmp/bench_kernels | tee "$out/bench.log"
fi
# With the --emit=torch extensions scripts/gpu_prepare.sh wrote, the tilecc ops beside PyTorch too.
ops=()
[ -d .carry/torch_ops ] && ops=(--tilecc-ops .carry/torch_ops)
python3 bench/bench_torch.py "${ops[@]}" | tee "$out/bench_torch.log"
