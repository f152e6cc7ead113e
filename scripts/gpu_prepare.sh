#!/usr/bin/env bash
# Writes what the GPU machine's ctest -L gpu needs and cannot make there (it has no Clang):
# the translations of the GPU tests' tile sources, into .carry (git-ignored): the examples'
# (scripts/gpu_translate.sh: .carry/flat, persistent, wgmma), the line-directive test's
# (.carry/gpu) and the PyTorch extensions of --emit=torch (.carry/torch_ops). Run here, after
# building; then on the GPU machine: scripts/gpu_ctest.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
tilecc=${TILECC:-build/cli/tilecc}
rm -rf .carry/gpu
mkdir -p .carry/gpu/line_directives
# test/gpu/line_directives/check.sh translates the same way where it has Clang.
"$tilecc" translate test/gpu/line_directives/oob.tile.cpp --line-directives --set full_extent=32 \
  -o .carry/gpu/line_directives/oob.cu
# Cubins shipped for test/gpu/shipped_cubins_gpu_test.cpp: compiled here with NVRTC, run there
# with NVRTC disabled.
"$tilecc" translate test/data/ir/softmax.json --arch sm_80,sm_90a --cubin .carry/gpu/shipped -o .carry/gpu/softmax.cu
# The PyTorch ops of test/gpu/torch_ops/check.py and bench/bench_torch.py: one extension per
# example, for sm_80 and sm_90a (the GPU picks one).
rm -rf .carry/torch_ops
for arch in sm_80 sm_90a; do
  mkdir -p .carry/torch_ops/$arch
  for name in softmax layer_norm rms_norm add matmul; do
    "$tilecc" translate examples/$name.tile.cpp --emit=torch --arch $arch -o .carry/torch_ops/$arch/$name.cu
  done
  "$tilecc" translate test/kernels/torch_scalars.tile.cpp --emit=torch --arch $arch \
    -o .carry/torch_ops/$arch/torch_scalars.cu
done
TILECC="$tilecc" scripts/gpu_translate.sh
echo "gpu_prepare: wrote .carry/gpu, .carry/torch_ops, .carry/flat, .carry/persistent, .carry/wgmma"
