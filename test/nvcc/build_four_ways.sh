#!/bin/sh
# build_four_ways.sh <tilecc> <nvcc> <tilecc source root> <example.tile.cpp> <work folder> [a|b|all]
#
# One example's generated CUDA compiles (nvcc -c, no GPU needed) with nvcc's default standard
# and with C++20, warnings as errors, from the include form and from --standalone. The four
# ways, in two halves:
#
#   a: c++17  include form (-I include -I templates)  sm_90a, to SASS
#      c++20  --standalone (no tilecc include paths)  sm_80, to PTX
#   b: c++17  --standalone                            sm_80, to PTX
#      c++20  include form                            sm_90a, to PTX
#
# Each half meets both standards, both forms and both archs (the device library takes
# different paths on each); the test suite builds both (`all`, the default), a quick check
# one. The C++ is the question: one build runs ptxas
# as a user's build does, the others stop at PTX (ptxas is about half of nvcc's time here).
set -eu
tilecc=$1 nvcc=$2 root=$3 example=$4 work=$5 half=${6:-all}
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

case "$half" in a|all) build c++17 sm_90a include sass; build c++20 sm_80 standalone ptx ;; esac
case "$half" in b|all) build c++17 sm_80 standalone ptx; build c++20 sm_90a include ptx ;; esac
case "$half" in a|b|all) echo "$name: built ($half)" ;; *) echo "build_four_ways: half is a, b or all" >&2; exit 2 ;; esac
