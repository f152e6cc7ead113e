#!/usr/bin/env bash
# Runs on the GPU machine: builds bench/sweep_rows.cu once per config folder in
# .carry/sweep (written by scripts/gpu_sweep_translate.sh) in parallel, runs each.
set -euo pipefail
cd "$(dirname "$0")/.."
ls .carry/sweep | xargs -P 16 -I{} sh -c '/usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I.carry/sweep/{} -DCONFIG_NAME=\"{}\" bench/sweep_rows.cu -o /tmp/sweep_{} > /tmp/sweep_{}.log 2>&1 || echo "{}: build failed"'
for c in $(ls .carry/sweep); do [ -x /tmp/sweep_$c ] && /tmp/sweep_$c; done
