#!/bin/sh
# shape_dispatch.sh <tilecc> <nvcc> <tilecc source root> <work folder>
#
# The launcher `translate --tuned` writes for several tuned shapes (test/data/tuning's softmax
# database, its key fields filled in for the example's IR as this build emits it) compiles with nvcc -c, C++17, warnings as
# errors: every config's kernels and launchers under distinct symbols, the dispatching public
# launcher, and the other kernels of the file beside them. To PTX: the C++ is the question.
set -eu
tilecc=$1 nvcc=$2 root=$3 work=$4
mkdir -p "$work"
cd "$work"
"$tilecc" translate "$root/examples/softmax.tile.cpp" --emit-ir -o softmax.json
"$tilecc" tune softmax.json -k softmax_bf16 --print-key > key
field() { sed -n "s/^$1=//p" key; }
sed -e "s/@SOURCE_HASH@/$(field source_hash)/" -e "s/@VERSION@/$(field version)/" -e "s/@SPACE@/$(field space)/" \
  "$root/test/data/tuning/softmax_bf16_shapes.json" > tuning.json
"$tilecc" translate softmax.json --tuned --db tuning.json --arch sm_90a -o dispatch.cu 2> /dev/null
grep -q "return softmax_bf16_cfg3(x, out, stream);" dispatch.cu || { echo "no dispatch table in dispatch.cu" >&2; exit 1; }
"$nvcc" -std=c++17 -Werror all-warnings -gencode arch=compute_90a,code=compute_90a -I "$root/include" \
  -I "$root/templates" -c dispatch.cu -o dispatch.o
echo "dispatch.cu compiles"
