#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there): builds the GPU checks from CUDA that
# `tilecc translate` wrote on a machine with Clang into .carry/gen, runs them,
# then runs them again under compute-sanitizer memcheck.
#   here:  scripts/gpu_translate.sh      (writes .carry/gen/*.cu)
#   there: scripts/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp}
nvcc=/usr/local/cuda/bin/nvcc
$nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I.carry \
  test/gpu/check_examples.cu -o /tmp/check_examples > "$out/build.log" 2>&1 || { tail -30 "$out/build.log"; exit 1; }
nvidia-smi --query-gpu=name --format=csv,noheader
/tmp/check_examples | tee "$out/check.log"
if command -v compute-sanitizer >/dev/null; then
  compute-sanitizer --tool memcheck --print-limit 5 /tmp/check_examples > "$out/memcheck.log" 2>&1 || true
  tail -3 "$out/memcheck.log"
fi
