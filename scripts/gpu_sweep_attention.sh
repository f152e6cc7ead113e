#!/usr/bin/env bash
# The attention forward under a few configs (query rows x key block x warps), for the
# benchmark beside PyTorch's scaled_dot_product_attention (bench/bench_torch.py).
#   here:  scripts/gpu_sweep_attention.sh translate   (writes .carry/attn_sweep/<config>/attention/)
#   there: scripts/gpu_sweep_attention.sh run         (builds and times each, then PyTorch's
#          scaled_dot_product_attention (flash backend) on the same shapes in the same run;
#          BUILD_ONLY=1 only builds, and a later run reuses the binaries)
# Configs are "query rows, key block, warps, whole extent (the head dimension's bound)".
set -euo pipefail
cd "$(dirname "$0")/.."
configs=("64 64 4 128" "128 64 4 128" "128 32 4 128" "128 64 4 64")
case "${1:-}" in
  translate)
    rm -rf .carry/attn_sweep
    for c in "${configs[@]}"; do
      read -r tm bn warps whole <<< "$c"
      dir=.carry/attn_sweep/tm${tm}_bn${bn}_w${warps}_d${whole}/attention
      mkdir -p "$dir"
      "${TILECC:-build/cli/tilecc}" translate examples/attention.tile.cpp --arch sm_90a -o "$dir/attention.cu" \
        --config "{\"block_sizes\":[$bn,$tm],\"num_warps\":$warps,\"full_extent\":$whole}" 2>&1 | tail -1 ||
        rm -rf "$(dirname "$dir")"
    done ;;
  run)
    out=${OUT:-/tmp}
    pids=()
    for dir in .carry/attn_sweep/*/; do
      name=$(basename "$dir")
      [ -x "/tmp/attn_$name" ] && continue  # built by an earlier BUILD_ONLY=1 run
      /usr/local/cuda/bin/nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates -I"$dir" \
        test/gpu/check_attention.cu -o "/tmp/attn_$name" > "/tmp/build_attn_$name.log" 2>&1 &
      pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    [ "${BUILD_ONLY:-0}" = 1 ] && exit 0
    for dir in .carry/attn_sweep/*/; do
      name=$(basename "$dir")
      [ -x "/tmp/attn_$name" ] || { echo "$name: build failed"; tail -20 "/tmp/build_attn_$name.log"; continue; }
      echo "--- $name"
      "/tmp/attn_$name" --bench --max-head-dim="${name##*_d}" | grep -E "passed|FAIL|bench" || echo "$name: failed"
    done
    echo "--- torch scaled_dot_product_attention (flash backend), same shapes"
    python3 - <<'PY' || echo "torch SDPA timing failed"
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
for d in (64, 128):
    for causal in (False, True):
        q, k, v = (torch.randn(1, 32, 4096, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            f = lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
            for _ in range(3):
                f()
            times = []
            for _ in range(10):
                a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                a.record(); f(); b.record(); torch.cuda.synchronize()
                times.append(a.elapsed_time(b))
        ms = sorted(times)[len(times) // 2]
        flops = 4.0 * 32 * 4096 * 4096 * d * (0.5 if causal else 1.0)
        print(f"bench sdpa      bf16 bh 32 s 4096 d {d} {'causal' if causal else 'noncausal':<10} {ms:9.3f} ms  {flops / ms / 1e9:6.1f} TFLOP/s")
PY
    ;;
  *) echo "usage: $0 translate|run" >&2; exit 2 ;;
esac
