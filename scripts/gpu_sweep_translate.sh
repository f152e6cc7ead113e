#!/usr/bin/env bash
# Translates the row kernels once per config into .carry/sweep/<config>/.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${TILECC:-build/cli/tilecc}"
rm -rf .carry/sweep
for rows in 1 2 4 8; do for warps in 2 4 8 16; do
  c="r${rows}_w${warps}"; d=".carry/sweep/$c"; mkdir -p "$d"
  "$t" translate examples/softmax.tile.cpp -k softmax --config "{\"block_sizes\":[$rows],\"num_warps\":$warps,\"full_extent\":4096}" -o "$d/softmax.cu"
  "$t" translate examples/rms_norm.tile.cpp --config "{\"block_sizes\":[$rows],\"num_warps\":$warps,\"full_extent\":4096}" -o "$d/rms_norm.cu"
  "$t" translate examples/sum.tile.cpp --config "{\"block_sizes\":[$rows],\"num_warps\":$warps,\"full_extent\":4096}" -o "$d/sum.cu"
  "$t" translate examples/layer_norm.tile.cpp --config "{\"num_warps\":$warps,\"full_extent\":4096}" -o "$d/layer_norm.cu"
done; done
