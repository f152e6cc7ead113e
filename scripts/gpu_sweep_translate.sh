#!/usr/bin/env bash
# Translates the row kernels once per config into .carry/sweep/<config>/.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${TILECC:-build/cli/tilecc}"
rm -rf .carry/sweep
for rows in 1 2; do for warps in 4 8 16; do for mb in 0 2 4 8; do
  [ $((mb * warps * 32)) -le 2048 ] || continue
  c="r${rows}_w${warps}_mb${mb}"; d=".carry/sweep/$c"; mkdir -p "$d"
  extra="\"num_warps\":$warps,\"full_extent\":4096,\"min_blocks_per_sm\":$mb"
  "$t" translate examples/softmax.tile.cpp -k softmax --config "{\"block_sizes\":[$rows],$extra}" -o "$d/softmax.cu"
  "$t" translate examples/rms_norm.tile.cpp --config "{\"block_sizes\":[$rows],$extra}" -o "$d/rms_norm.cu"
  "$t" translate examples/sum.tile.cpp --config "{\"block_sizes\":[$rows],$extra}" -o "$d/sum.cu"
  "$t" translate examples/layer_norm.tile.cpp --config "{$extra}" -o "$d/layer_norm.cu"
done; done; done
