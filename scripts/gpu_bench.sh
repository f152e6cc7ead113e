#!/usr/bin/env bash
# Runs on the GPU machine: the benchmark table (bench/bench_kernels.cu over the CUDA
# that scripts/gpu_translate.sh wrote into .carry/bench) and the PyTorch references.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp}
/usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I.carry \
  bench/bench_kernels.cu -lcublas -o /tmp/bench_kernels > "$out/bench_build.log" 2>&1 || { tail -30 "$out/bench_build.log"; exit 1; }
/tmp/bench_kernels | tee "$out/bench.log"
python3 bench/bench_torch.py | tee "$out/bench_torch.log"
