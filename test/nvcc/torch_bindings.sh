#!/bin/sh
# torch_bindings.sh <tilecc> <nvcc> <tilecc source root> <work folder>
#
# `tilecc translate --emit=torch` output compiles (nvcc, no GPU, warnings as errors) as
# torch.utils.cpp_extension compiles it: C++17 and PyTorch's nvcc flags, which turn off the
# __half and __nv_bfloat16 operators and conversions. PyTorch is not on this machine: its API
# is the stand-in of torch_api/ (the names and signatures the bindings use). Then the ops'
# argument checks run on the host (torch_messages.cu) and must raise the expected messages.
# Kernels: softmax (a template: two instances, two ops), test/kernels/torch_scalars (bf16,
# float, int32 and bool scalars), test/kernels/dtypes (fp8 and u8 tensors, sm_90a), and
# rms_norm --standalone --line-directives (torch.hpp inlined too).
set -eu
tilecc=$1 nvcc=$2 root=$3 work=$4
mkdir -p "$work"
cd "$work"
torch_flags="-std=c++17 -Werror all-warnings -D__CUDA_NO_HALF_OPERATORS__ -D__CUDA_NO_HALF_CONVERSIONS__
             -D__CUDA_NO_BFLOAT16_CONVERSIONS__ -D__CUDA_NO_HALF2_OPERATORS__ --expt-relaxed-constexpr
             -I $root/test/nvcc/torch_api -I $root/include -I $root/templates"
translate() {  # translate <.tile.cpp> <arch> [translate options]: writes <name>.torch.cu
  src=$1 arch=$2
  shift 2
  name=$(basename "$src" .tile.cpp)
  "$tilecc" translate "$src" --emit=torch --arch "$arch" "$@" -o "$name.torch.cu"
  grep -q "TORCH_LIBRARY_FRAGMENT(tilecc, m)" "$name.torch.cu" || { echo "FAIL: $name.torch.cu registers no ops"; exit 1; }
}
build() {  # build <.tile.cpp> <arch> [translate options]: to PTX
  translate "$@"
  echo "nvcc $arch torch flags: $name.torch.cu"
  # shellcheck disable=SC2086
  "$nvcc" $torch_flags -gencode "arch=compute_${arch#sm_},code=compute_${arch#sm_}" -c "$name.torch.cu" -o "$name.torch.o"
}
build "$root/test/kernels/dtypes.tile.cpp" sm_90a
build "$root/examples/rms_norm.tile.cpp" sm_80 --standalone --line-directives
translate "$root/examples/softmax.tile.cpp" sm_80
translate "$root/test/kernels/torch_scalars.tile.cpp" sm_80
echo "nvcc sm_80 torch flags: torch_messages.cu (softmax, torch_scalars)"
# shellcheck disable=SC2086
"$nvcc" $torch_flags -arch=sm_80 -I . '-DTILECC_SOFTMAX="softmax.torch.cu"' '-DTILECC_SCALARS="torch_scalars.torch.cu"' \
  "$root/test/nvcc/torch_messages.cu" -o torch_messages
./torch_messages
echo "torch bindings: built, messages as expected"
