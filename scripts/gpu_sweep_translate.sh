#!/usr/bin/env bash
# Translates the row kernels (softmax, layer_norm, rms_norm, sum) once per config into
# .carry/sweep/<config>/, for scripts/gpu_sweep.sh on the GPU machine. The sweep covers
# the row layout: warps per block, threads across a row (32 = a warp per row) and rows
# per program (one or two rows of threads).
set -euo pipefail
cd "$(dirname "$0")/.."
t="${TILECC:-build/cli/tilecc}"
rm -rf .carry/sweep
one() {  # one config folder: name, rows per program, shared config fields, hints (none|stream)
  local c=$1 rows=$2 extra=$3 hints=${4:-none} d=".carry/sweep/$1"
  mkdir -p "$d"
  local cfg="{\"block_sizes\":[$rows],\"full_extent\":4096,$extra"
  # stream: the row streams through once (loads evict_first, stores .cs); weights stay (evict_last).
  local h1="" h2="" h3="" st=""
  if [ "$hints" = stream ]; then
    h1=',"load_hints":["evict_first"]' h2=',"load_hints":["evict_first","evict_last"]'
    h3=',"load_hints":["evict_first","evict_last","evict_last"]' st=',"store_hints":["cs"]'
  fi
  "$t" translate examples/softmax.tile.cpp -k softmax --config "$cfg$h1$st}" -o "$d/softmax.cu"
  "$t" translate examples/rms_norm.tile.cpp --config "$cfg$h2$st}" -o "$d/rms_norm.cu"
  "$t" translate examples/sum.tile.cpp --config "$cfg$h1}" -o "$d/sum.cu"
  "$t" translate examples/layer_norm.tile.cpp --config "$cfg$h3$st}" -o "$d/layer_norm.cu"
}
# The layouts that won on the H200 (bench/NOTES.md) with streaming cache hints, and
# register caps that let more blocks share an SM (min_blocks_per_sm).
for c in ${LAYOUTS:-w4_t128_r1_mb0 w4_t128_r1_mb8 w4_t128_r1_mb10 w8_t256_r1_mb0 w8_t256_r1_mb4 w8_t256_r1_mb5 \
         w16_t512_r1_mb0 w16_t512_r1_mb2 w8_t256_r2_mb3}; do
  l=${c%_mb*}; mb=${c##*_mb}
  w=${l#w}; w=${w%%_*}; tpr=${l#*_t}; tpr=${tpr%%_*}; rows=${l##*_r}
  one "$c" "$rows" "\"num_warps\":$w,\"threads_per_row\":$tpr,\"min_blocks_per_sm\":$mb" stream
done
# Persistent programs (grid = SMs x programs_per_sm, the next row prefetched while this one
# is reduced): p<programs per SM>_w<warps>_t<threads per row>.
for c in p2_w8_t256 p4_w8_t256 p8_w8_t256 p4_w4_t128 p8_w4_t128 p16_w4_t128; do
  pps=${c%%_*}; pps=${pps#p}; w=${c#*_w}; w=${w%%_*}; tpr=${c##*_t}
  one "$c" 1 "\"num_warps\":$w,\"threads_per_row\":$tpr,\"pid\":\"persistent\",\"programs_per_sm\":$pps" stream
done
ls .carry/sweep | wc -l
