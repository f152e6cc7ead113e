#!/usr/bin/env bash
# Translates the row kernels once per config into .carry/sweep/<config>/.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${TILECC:-build/cli/tilecc}"
rm -rf .carry/sweep
one() {  # one config folder: name, then the config fields shared by all four kernels
  local c=$1 rows=$2 extra=$3 d=".carry/sweep/$1"
  mkdir -p "$d"
  "$t" translate examples/softmax.tile.cpp -k softmax --config "{\"block_sizes\":[$rows],$extra}" -o "$d/softmax.cu"
  "$t" translate examples/rms_norm.tile.cpp --config "{\"block_sizes\":[$rows],$extra}" -o "$d/rms_norm.cu"
  "$t" translate examples/sum.tile.cpp --config "{\"block_sizes\":[$rows],$extra}" -o "$d/sum.cu"
  "$t" translate examples/layer_norm.tile.cpp --config "{$extra}" -o "$d/layer_norm.cu"
}
for warps in 4 8; do
  one "flat_r1_w$warps" 1 "\"num_warps\":$warps,\"full_extent\":4096"
  for pps in 4 8 16; do
    [ $((pps * warps * 32)) -le 2048 ] || continue
    one "pers_r1_w${warps}_p$pps" 1 "\"num_warps\":$warps,\"full_extent\":4096,\"pid\":\"persistent\",\"programs_per_sm\":$pps"
    one "pnopf_r1_w${warps}_p$pps" 1 "\"num_warps\":$warps,\"full_extent\":4096,\"pid\":\"persistent\",\"programs_per_sm\":$pps,\"prefetch\":false"
  done
done
