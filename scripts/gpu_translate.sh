#!/usr/bin/env bash
# Translates the examples the GPU check uses into .carry/gen (git-ignored), for
# scripts/gpu_check.sh on the GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .carry/gen
for k in add exp sum long_sum softmax rms_norm; do
  build/cli/tilecc translate "examples/$k.tile.cpp" -o ".carry/gen/$k.cu"
done
