#!/bin/sh
# check.sh ptx|memcheck <nvcc> <tilecc source root> <work folder> <tilecc | translated .cu>
#
# --line-directives end to end, on oob.tile.cpp (translated here by <tilecc>, or given as the
# .cu that `tilecc translate oob.tile.cpp --line-directives --set full_extent=32` wrote on a
# machine with Clang: scripts/gpu_prepare.sh).
#
#   ptx       (no GPU) nvcc's error in a host line of the source names oob.tile.cpp and that
#             line, and the -lineinfo line table puts the kernel's scalar store on its line
#             and the inlined tile store at its line.
#   memcheck  (a GPU; exit 77, skipped, without one or without compute-sanitizer) the driver
#             main.cu writes out of bounds; compute-sanitizer's report must name the scalar
#             store's line of oob.tile.cpp. For the tile store, whose faulting instruction
#             is the device library's, it says whether the report names the tile line too.
set -u
mode=$1 nvcc=$2 root=$3 work=$4 from=$5
here="$root/test/gpu/line_directives"
src="$here/oob.tile.cpp"
fail() { echo "FAIL: $*"; exit 1; }
line_of() { grep -n "$1" "$src" | head -1 | cut -d: -f1; }
scalar_line=$(line_of "// the scalar store")
tile_line=$(line_of "// the tile store")
host_line=$(line_of "// the host error")
[ -n "$scalar_line" ] && [ -n "$tile_line" ] && [ -n "$host_line" ] || fail "marker comments missing in $src"

if [ "$mode" = memcheck ]; then
  command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q GPU || { echo "no GPU: skipped"; exit 77; }
  sanitizer=$(command -v compute-sanitizer || echo "$(dirname "$nvcc")/compute-sanitizer")
  [ -x "$sanitizer" ] || { echo "no compute-sanitizer: skipped"; exit 77; }
fi

rm -rf "$work"
mkdir -p "$work"
case "$from" in
  *.cu)
    [ -f "$from" ] || { echo "no translation at $from (run scripts/gpu_prepare.sh where Clang is): skipped"; exit 77; }
    cp "$from" "$work/oob.cu" ;;
  *) "$from" translate "$src" --line-directives --set full_extent=32 -o "$work/oob.cu" || fail "translate" ;;
esac
cd "$work" || exit 1
includes="-I$root/include -I$root/templates"

if [ "$mode" = ptx ]; then
  # A host line of the source: nvcc's error names the .tile.cpp and the line.
  "$nvcc" -std=c++17 -arch=sm_80 $includes -DTILECC_TEST_BREAK -c oob.cu -o broken.o > broken.log 2>&1 &&
    fail "the broken build succeeded"
  cat broken.log
  grep -q "oob\.tile\.cpp($host_line): error" broken.log || fail "nvcc's error does not name oob.tile.cpp($host_line)"
  # The line table: the scalar store's st.global is at its source line; the tile store's code is
  # inlined at its line.
  "$nvcc" -std=c++17 -arch=sm_80 $includes -lineinfo -ptx oob.cu -o oob.ptx || fail "nvcc -ptx"
  id=$(sed -n 's/^[[:space:]]*\.file[[:space:]]\{1,\}\([0-9]\{1,\}\)[[:space:]]\{1,\}".*oob\.tile\.cpp".*/\1/p' oob.ptx | head -1)
  [ -n "$id" ] || fail "the line table names no oob.tile.cpp"
  last_loc=$(awk '/^[[:space:]]*\.loc/ { loc = $2 " " $3 } /st\.global\.f32/ { print loc; exit }' oob.ptx)
  [ "$last_loc" = "$id $scalar_line" ] ||
    fail "the scalar store's st.global is at '.loc $last_loc', not oob.tile.cpp:$scalar_line (file $id)"
  grep -q "inlined_at $id $tile_line " oob.ptx || fail "no code is inlined at oob.tile.cpp:$tile_line (the tile store)"
  echo "nvcc error and line table name oob.tile.cpp lines $host_line, $scalar_line and $tile_line"
  exit 0
fi

# This GPU's arch; sm_90 as sm_90a, which the wgmma translations need.
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
case "$cc" in
  90) arch=sm_90a ;;
  [0-9][0-9]|[0-9][0-9][0-9]) arch=sm_$cc ;;
  *) arch=sm_90a ;;
esac
"$nvcc" -std=c++17 -arch="$arch" -lineinfo $includes -DOOB_CU='"oob.cu"' -I. "$here/main.cu" -o oob || fail "build"
"$sanitizer" --tool memcheck --print-limit 4 ./oob scalar > scalar.log 2>&1
cat scalar.log
grep -q "Invalid __global__ write" scalar.log || fail "memcheck reported no invalid write"
grep -Eq "oob\.tile\.cpp:$scalar_line([^0-9]|$)" scalar.log || fail "the report does not name oob.tile.cpp:$scalar_line"
"$sanitizer" --tool memcheck --print-limit 4 ./oob tile > tile.log 2>&1
cat tile.log
grep -q "Invalid __global__ write" tile.log || fail "memcheck reported no invalid write for the tile store"
if grep -Eq "oob\.tile\.cpp:$tile_line([^0-9]|$)" tile.log; then
  echo "the tile store's report names oob.tile.cpp:$tile_line"
else
  echo "note: the tile store's report names only the device library's line, not oob.tile.cpp:$tile_line"
fi
echo "memcheck names oob.tile.cpp:$scalar_line"
