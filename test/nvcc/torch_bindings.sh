#!/bin/sh
# torch_bindings.sh <tilecc> <nvcc> <tilecc source root> <work folder>
#
# `tilecc translate --emit=torch` output compiles (nvcc -c to PTX, no GPU, warnings as errors)
# as torch.utils.cpp_extension compiles it: C++17 and PyTorch's nvcc flags, which turn off the
# __half and __nv_bfloat16 operators and conversions. PyTorch is not on this machine: its API
# is the stand-in of torch_api/ (the names and signatures the bindings use). Kernels: softmax
# (a template: two instances, two ops), test/kernels/dtypes (fp8 and u8 tensors, sm_90a),
# test/kernels/torch_scalars (bf16, float, int32 and bool scalars), and rms_norm --standalone
# --line-directives (torch.hpp inlined too).
set -eu
tilecc=$1 nvcc=$2 root=$3 work=$4
mkdir -p "$work"
cd "$work"
torch_flags="-D__CUDA_NO_HALF_OPERATORS__ -D__CUDA_NO_HALF_CONVERSIONS__ -D__CUDA_NO_BFLOAT16_CONVERSIONS__
             -D__CUDA_NO_HALF2_OPERATORS__ --expt-relaxed-constexpr"
build() {  # build <.tile.cpp> <arch> [translate options]
  src=$1 arch=$2
  shift 2
  name=$(basename "$src" .tile.cpp)
  "$tilecc" translate "$src" --emit=torch --arch "$arch" "$@" -o "$name.torch.cu"
  grep -q "TORCH_LIBRARY_FRAGMENT(tilecc, m)" "$name.torch.cu" || { echo "FAIL: $name.torch.cu registers no ops"; exit 1; }
  echo "nvcc -std=c++17 $arch torch flags: $name.torch.cu $*"
  # shellcheck disable=SC2086
  "$nvcc" -std=c++17 -Werror all-warnings -gencode "arch=compute_${arch#sm_},code=compute_${arch#sm_}" $torch_flags \
    -I "$root/test/nvcc/torch_api" -I "$root/include" -I "$root/templates" -c "$name.torch.cu" -o "$name.torch.o"
}
build "$root/examples/softmax.tile.cpp" sm_80
build "$root/test/kernels/dtypes.tile.cpp" sm_90a
build "$root/test/kernels/torch_scalars.tile.cpp" sm_80
build "$root/examples/rms_norm.tile.cpp" sm_80 --standalone --line-directives
echo "torch bindings: built"
