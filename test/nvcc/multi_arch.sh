#!/bin/sh
# multi_arch.sh <tilecc> <nvcc> <tilecc source root> <work folder>
#
# A translation for two arches (--arch sm_80,sm_90a) builds as a user builds it for both:
# nvcc -c with -gencode sm_80 and sm_90a, warnings as errors, from the include form, from
# --standalone and with a shape dispatch from a tuning database (test/data/tuning, for sm_90a:
# sm_80's kernels keep the default config). Each device pass compiles only its own arch's
# kernel bodies: matmul's PTX for compute_90a holds warpgroup MMA (wgmma), compute_80's none.
set -eu
tilecc=$1 nvcc=$2 root=$3 work=$4
mkdir -p "$work"
cd "$work"
gencode="-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90a,code=sm_90a"
inc="-I $root/include -I $root/templates"

"$tilecc" translate "$root/examples/matmul.tile.cpp" --arch sm_80,sm_90a -o matmul.cu
echo "nvcc two arches: matmul.cu"
"$nvcc" -std=c++17 -Werror all-warnings $gencode $inc -c matmul.cu -o matmul.o
for arch in 80 90a; do
  "$nvcc" -std=c++17 -Werror all-warnings -gencode "arch=compute_$arch,code=compute_$arch" $inc -ptx matmul.cu \
    -o "matmul.$arch.ptx"
done
grep -q wgmma matmul.90a.ptx || { echo "the compute_90a pass of matmul.cu has no wgmma" >&2; exit 1; }
if grep -q wgmma matmul.80.ptx; then echo "the compute_80 pass of matmul.cu compiled sm_90a bodies" >&2; exit 1; fi

"$tilecc" translate "$root/examples/softmax.tile.cpp" --arch sm_80,sm_90a --standalone -o softmax_standalone.cu
echo "nvcc two arches: softmax_standalone.cu (C++20)"
"$nvcc" -std=c++20 -Werror all-warnings $gencode -c softmax_standalone.cu -o softmax_standalone.o

"$tilecc" translate "$root/examples/softmax.tile.cpp" --emit-ir -o softmax.json
"$tilecc" tune softmax.json -k softmax_bf16 --print-key > key
field() { sed -n "s/^$1=//p" key; }
sed -e "s/@SOURCE_HASH@/$(field source_hash)/" -e "s/@VERSION@/$(field version)/" -e "s/@SPACE@/$(field space)/" \
  "$root/test/data/tuning/softmax_bf16_shapes.json" > tuning.json
"$tilecc" translate softmax.json --tuned --db tuning.json --arch sm_80,sm_90a -o dispatch.cu 2> /dev/null
grep -q "return softmax_bf16_sm90a_cfg3(x, out, stream);" dispatch.cu ||
  { echo "no sm_90a dispatch table in dispatch.cu" >&2; exit 1; }
echo "nvcc two arches: dispatch.cu"
"$nvcc" -std=c++17 -Werror all-warnings $gencode $inc -c dispatch.cu -o dispatch.o
echo "two-arch translations build"
