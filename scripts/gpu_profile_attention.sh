#!/usr/bin/env bash
# Why the attention forward runs slower than its arithmetic allows: Nsight Compute on one launch
# of the benchmark shape (bf16, batch-heads 32, sequence 4096) and the SASS instruction mix of
# the kernel, for one config.
#   here:  scripts/gpu_profile_attention.sh translate ['{"block_sizes":[64,128],...}']
#   there: scripts/gpu_profile_attention.sh run [HEAD_DIM]   (writes $OUT/attention_sass.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.carry/attn_profile
case "${1:-}" in
  translate)
    config=${2:-'{"block_sizes":[64,128],"num_warps":8,"full_extent":128}'}
    rm -rf "$dir" && mkdir -p "$dir/attention"
    "${TILECC:-build/cli/tilecc}" translate examples/attention.tile.cpp --arch sm_90a -o "$dir/attention/attention.cu" \
      --config "$config" ;;
  run)
    d=${2:-128} out=${OUT:-/tmp}
    /usr/local/cuda/bin/nvcc -std=c++20 -O2 -lineinfo -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates \
      -I"$dir" test/gpu/check_attention.cu -o /tmp/attn_profile -Xptxas -v 2>&1 | grep -A2 "attention_bf16" | tail -2
    /usr/local/cuda/bin/cuobjdump -sass /tmp/attn_profile |
      awk '/Function : .*attention_bf16/ {on = 1} /Function : / && !/attention_bf16/ {on = 0} on' > "$out/attention_sass.txt"
    echo "SASS instruction mix (opcode: count):"
    grep -oE '^\s+/\*[0-9a-f]{4}\*/\s+(@!?U?P[0-9T] )?[A-Z0-9_.]+' "$out/attention_sass.txt" | awk '{print $NF}' |
      sed 's/\..*//' | sort | uniq -c | sort -rn | head -25 || true
    for mode in noncausal causal; do
      echo "--- ncu, d $d $mode"
      scripts/gpu_profile.sh /tmp/attn_profile attention_bf16 "--profile=$d:$mode"
    done ;;
  *) echo "usage: $0 translate [CONFIG] | run [HEAD_DIM]" >&2; exit 2 ;;
esac
