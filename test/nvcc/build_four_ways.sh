#!/bin/sh
# build_four_ways.sh <tilecc> <nvcc> <tilecc source root> <example.tile.cpp> <work folder>
#
# One example's generated CUDA compiles (nvcc -c, no GPU needed) with nvcc's default standard
# and with C++20, warnings as errors, from the include form and from --standalone:
#
#   c++17  include form (-I include -I templates)  translated and compiled for sm_90a, to SASS
#   c++17  --standalone (no tilecc include paths)  sm_80, to PTX
#   c++20  include form                            sm_80, to PTX
#   c++20  --standalone                            sm_90a, to PTX
#
# Each standard meets both forms and both archs (the device library takes different paths on
# each), in four compiles rather than eight. The C++ is the question: one build runs ptxas as
# a user's build does, the others stop at PTX (ptxas is about half of nvcc's time here).
set -eu
tilecc=$1 nvcc=$2 root=$3 example=$4 work=$5
name=$(basename "$example" .tile.cpp)
mkdir -p "$work"
cd "$work"

build() {  # build <std> <arch> include|standalone sass|ptx
  std=$1 arch=$2 form=$3 code=$4
  out="$name.$arch.$form.cu"
  if [ "$form" = standalone ]; then
    "$tilecc" translate "$example" --arch "$arch" --standalone -o "$out"
    set --
  else
    "$tilecc" translate "$example" --arch "$arch" -o "$out"
    set -- -I "$root/include" -I "$root/templates"
  fi
  virtual=compute_${arch#sm_}
  if [ "$code" = sass ]; then code=$arch; else code=$virtual; fi
  echo "nvcc -std=$std $arch ($code) $form: $out"
  "$nvcc" -std="$std" -Werror all-warnings -gencode "arch=$virtual,code=$code" "$@" -c "$out" -o "$name.$std.$arch.$form.o"
}

build c++17 sm_90a include sass
build c++17 sm_80 standalone ptx
build c++20 sm_80 include ptx
build c++20 sm_90a standalone ptx
echo "$name: built four ways"
