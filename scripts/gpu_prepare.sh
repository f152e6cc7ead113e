#!/usr/bin/env bash
# Writes what the GPU machine's ctest -L gpu needs and cannot make there (it has no Clang):
# the translations of the GPU tests' tile sources, into .carry (git-ignored): the examples'
# (scripts/gpu_translate.sh: .carry/flat, persistent, wgmma) and the line-directive test's
# (.carry/gpu). Run here, after building; then on the GPU machine: scripts/gpu_ctest.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
tilecc=${TILECC:-build/cli/tilecc}
rm -rf .carry/gpu
mkdir -p .carry/gpu/line_directives
# test/gpu/line_directives/check.sh translates the same way where it has Clang.
"$tilecc" translate test/gpu/line_directives/oob.tile.cpp --line-directives --set full_extent=32 \
  -o .carry/gpu/line_directives/oob.cu
TILECC="$tilecc" scripts/gpu_translate.sh
echo "gpu_prepare: wrote .carry/gpu, .carry/flat, .carry/persistent, .carry/wgmma"
