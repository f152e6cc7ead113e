#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there): builds the GPU checks from CUDA that
# `tilecc translate` wrote on a machine with Clang into .carry/gen, runs them,
# then runs them again under compute-sanitizer memcheck; once with default configs
# (flat programs) and once with persistent programs.
#   here:  scripts/gpu_translate.sh      (writes .carry/gen/*.cu)
#   there: scripts/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp}
nvcc=/usr/local/cuda/bin/nvcc
nvidia-smi --query-gpu=name --format=csv,noheader
for variant in flat persistent; do
  $nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I.carry/$variant \
    test/gpu/check_examples.cu -o /tmp/check_$variant > "$out/build_$variant.log" 2>&1 || { tail -30 "$out/build_$variant.log"; exit 1; }
done
status=0
for variant in flat persistent; do
  echo "== $variant programs"
  /tmp/check_$variant > "$out/check_$variant.log" || status=1
  grep -E "FAIL|passed" "$out/check_$variant.log"
  if command -v compute-sanitizer >/dev/null; then
    compute-sanitizer --tool memcheck --print-limit 5 /tmp/check_$variant > "$out/memcheck_$variant.log" 2>&1 || status=1
    tail -1 "$out/memcheck_$variant.log"
  fi
done
exit $status
