#!/usr/bin/env bash
# The attention forward under a few configs (query rows x key block x warps), for the
# benchmark beside PyTorch's scaled_dot_product_attention (bench/bench_torch.py).
#   here:  scripts/gpu_sweep_attention.sh translate   (writes .carry/attn_sweep/<config>/attention/)
#   there: scripts/gpu_sweep_attention.sh run         (builds and times each)
set -euo pipefail
cd "$(dirname "$0")/.."
configs=("64 32 4" "64 32 8" "128 32 8" "128 16 8" "64 16 4" "32 32 4")
case "${1:-}" in
  translate)
    rm -rf .carry/attn_sweep
    for c in "${configs[@]}"; do
      read -r tm bn warps <<< "$c"
      dir=.carry/attn_sweep/tm${tm}_bn${bn}_w${warps}/attention
      mkdir -p "$dir"
      "${TILECC:-build/cli/tilecc}" translate examples/attention.tile.cpp --arch sm_90a -o "$dir/attention.cu" \
        --config "{\"block_sizes\":[$bn,$tm],\"num_warps\":$warps,\"full_extent\":128}" 2>&1 | tail -1 ||
        rm -rf "$(dirname "$dir")"
    done ;;
  run)
    out=${OUT:-/tmp}
    pids=()
    for dir in .carry/attn_sweep/*/; do
      name=$(basename "$dir")
      /usr/local/cuda/bin/nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I"$dir" \
        test/gpu/check_attention.cu -o "/tmp/attn_$name" > "$out/build_attn_$name.log" 2>&1 &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    for dir in .carry/attn_sweep/*/; do
      name=$(basename "$dir")
      [ -x "/tmp/attn_$name" ] || { echo "$name: build failed"; continue; }
      echo "--- $name"
      "/tmp/attn_$name" --bench | grep -E "passed|bench"
    done ;;
  *) echo "usage: $0 translate|run" >&2; exit 2 ;;
esac
