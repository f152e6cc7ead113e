#!/bin/sh
# run_check.sh <nvcc> <tilecc source root> <work folder> plain|memcheck|racecheck <check.cu> [nvcc args...]
#
# One GPU check of the gpu label: builds a plain-main CUDA check (its exit status says whether
# it passed) for this machine's GPU and runs it, plainly or under compute-sanitizer. Exit 77
# (ctest: skipped) without a GPU, without compute-sanitizer where it is asked for, or when an
# include folder given with -I is missing (translations scripts/gpu_prepare.sh writes).
set -u
nvcc=$1 root=$2 work=$3 tool=$4 src=$5
shift 5
command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q GPU || { echo "no GPU: skipped"; exit 77; }
for arg in "$@"; do
  case "$arg" in
    -I*) [ -d "${arg#-I}" ] || { echo "${arg#-I} is missing (run scripts/gpu_prepare.sh where Clang is): skipped"; exit 77; } ;;
  esac
done
if [ "$tool" != plain ]; then
  sanitizer=$(command -v compute-sanitizer || echo "$(dirname "$nvcc")/compute-sanitizer")
  [ -x "$sanitizer" ] || { echo "no compute-sanitizer: skipped"; exit 77; }
fi
# This GPU's arch; sm_90 as sm_90a, which the wgmma translations need.
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
case "$cc" in
  90) arch=sm_90a ;;
  [0-9][0-9]|[0-9][0-9][0-9]) arch=sm_$cc ;;
  *) arch=sm_90a ;;
esac
mkdir -p "$work"
"$nvcc" -std=c++20 -O2 -arch="$arch" -lineinfo "-I$root/include" "-I$root/templates" "$@" "$src" -o "$work/check" ||
  { echo "FAIL: build"; exit 1; }
case "$tool" in
  plain) exec "$work/check" ;;
  memcheck) exec "$sanitizer" --tool memcheck --print-limit 5 --error-exitcode 1 "$work/check" ;;
  racecheck) exec "$sanitizer" --tool racecheck --racecheck-report hazard --print-limit 5 --error-exitcode 1 "$work/check" ;;
esac
echo "run_check.sh: unknown tool '$tool'"
exit 2
