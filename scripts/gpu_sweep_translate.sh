#!/usr/bin/env bash
# Translates the row kernels (softmax, layer_norm, rms_norm, sum) once per config into
# .carry/sweep/<config>/, for scripts/gpu_sweep.sh on the GPU machine. The sweep covers
# the row layout: warps per block, threads across a row (32 = a warp per row) and rows
# per program (one or two rows of threads).
set -euo pipefail
cd "$(dirname "$0")/.."
t="${TILECC:-build/cli/tilecc}"
rm -rf .carry/sweep
one() {  # one config folder: name, rows per program, then the shared config fields
  local c=$1 rows=$2 extra=$3 d=".carry/sweep/$1"
  mkdir -p "$d"
  local cfg="{\"block_sizes\":[$rows],\"full_extent\":4096,$extra}"
  "$t" translate examples/softmax.tile.cpp -k softmax --config "$cfg" -o "$d/softmax.cu"
  "$t" translate examples/rms_norm.tile.cpp --config "$cfg" -o "$d/rms_norm.cu"
  "$t" translate examples/sum.tile.cpp --config "$cfg" -o "$d/sum.cu"
  "$t" translate examples/layer_norm.tile.cpp --config "$cfg" -o "$d/layer_norm.cu"
}
for warps in 4 8 16; do
  threads=$((warps * 32))
  for tpr in 32 64 128 256 512; do
    [ "$tpr" -le "$threads" ] || continue
    for rows in $((threads / tpr)) $((2 * threads / tpr)); do
      [ "$rows" -le 32 ] || continue
      one "w${warps}_t${tpr}_r${rows}" "$rows" "\"num_warps\":$warps,\"threads_per_row\":$tpr"
    done
  done
done
# Persistent programs over the best flat layouts of session 1 and of the load fix.
for pps in 4 8; do
  one "w8_t256_r1_pers$pps" 1 "\"num_warps\":8,\"threads_per_row\":256,\"pid\":\"persistent\",\"programs_per_sm\":$pps"
  one "w4_t128_r1_pers$pps" 1 "\"num_warps\":4,\"threads_per_row\":128,\"pid\":\"persistent\",\"programs_per_sm\":$pps"
done
ls .carry/sweep | wc -l
