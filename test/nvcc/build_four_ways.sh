#!/bin/sh
# build_four_ways.sh <tilecc> <nvcc> <tilecc source root> <example.tile.cpp> <work folder>
#
# One example's generated CUDA compiles (nvcc -c, no GPU needed) with nvcc's default standard
# and with C++20, warnings as errors, from the include form and from --standalone:
#
#   c++17  include form (-I include -I templates)  translated and compiled for sm_90a
#   c++17  --standalone (no tilecc include paths)  translated and compiled for sm_80
#   c++20  include form                            sm_80
#   c++20  --standalone                            sm_90a
#
# Each standard meets both forms and both archs (the device library takes different paths on
# each), in four compiles rather than eight.
set -eu
tilecc=$1 nvcc=$2 root=$3 example=$4 work=$5
name=$(basename "$example" .tile.cpp)
mkdir -p "$work"
cd "$work"

build() {  # build <std> <arch> include|standalone
  std=$1 arch=$2 form=$3
  out="$name.$arch.$form.cu"
  if [ "$form" = standalone ]; then
    "$tilecc" translate "$example" --arch "$arch" --standalone -o "$out"
    set --
  else
    "$tilecc" translate "$example" --arch "$arch" -o "$out"
    set -- -I "$root/include" -I "$root/templates"
  fi
  echo "nvcc -std=$std -arch=$arch $form: $out"
  "$nvcc" -std="$std" -Werror all-warnings -arch="$arch" "$@" -c "$out" -o "$name.$std.$arch.$form.o"
}

build c++17 sm_90a include
build c++17 sm_80 standalone
build c++20 sm_80 include
build c++20 sm_90a standalone
echo "$name: built four ways"
