#!/usr/bin/env bash
# Matmul config sweep. Here (with Clang):  scripts/gpu_sweep_matmul.sh translate
# There (GPU machine):                     scripts/gpu_sweep_matmul.sh run
# translate writes .carry/mmsweep/<config>/matmul.cu per config; run builds bench/sweep_matmul.cu
# per config in parallel, runs each (bf16 4096^3 against cuBLAS) and prints the best.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
translate)
  t="${TILECC:-build/cli/tilecc}"
  rm -rf .carry/mmsweep
  one() {  # name, config JSON
    mkdir -p ".carry/mmsweep/$1"
    "$t" translate examples/matmul.tile.cpp --arch sm_90a --config "$2" -o ".carry/mmsweep/$1/matmul.cu" 2>/dev/null ||
      { rm -rf ".carry/mmsweep/$1"; echo "mmsweep: $1 rejected"; }
  }
  # mma.sync: the best config so far (bench/NOTES.md) and the default.
  one "mma_b128x128_w4_s4" '{"block_sizes":[32,128,128],"num_warps":4,"range_num_stages":[4]}'
  one "mma_b128x128_w4_s0" '{"block_sizes":[32,128,128],"num_warps":4}'
  # wgmma (sm_90a): k block 64; tiles of whole warpgroups; stages; L2 grouping.
  for c in 128x256_w8_s3 128x256_w8_s4 128x128_w4_s3 128x128_w4_s4 128x128_w8_s4 256x128_w8_s3 256x128_w8_s4 \
           64x256_w4_s4 64x128_w4_s4; do
    tile=${c%%_*}; w=${c#*_w}; w=${w%%_*}; st=${c##*_s}
    one "wg_b${c}" "{\"block_sizes\":[64,${tile%x*},${tile#*x}],\"num_warps\":$w,\"range_num_stages\":[$st],\"dot_instruction\":\"wgmma\"}"
  done
  for g in 8 16; do
    one "wg_b128x256_w8_s4_g$g" "{\"block_sizes\":[64,128,256],\"num_warps\":8,\"range_num_stages\":[4],\"dot_instruction\":\"wgmma\",\"l2_grouping\":$g}"
  done
  ls .carry/mmsweep | wc -l ;;
run)
  out=${OUT:-/tmp}
  build() {
    /usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Xptxas -warn-spills \
      -Iinclude -Itemplates -I.carry/mmsweep/$1 -DCONFIG_NAME=\"$1\" bench/sweep_matmul.cu -lcublas \
      -o /tmp/mm_$1 > /tmp/mm_$1.log 2>&1 || echo "$1: build failed"
  }
  export -f build
  ls .carry/mmsweep | xargs -P 16 -n 1 bash -c 'build $0'
  grep -l "spill" /tmp/mm_*.log | sed 's|/tmp/mm_||; s|.log| spills|' || true
  for c in $(ls .carry/mmsweep); do [ -x /tmp/mm_$c ] && { /tmp/mm_$c || echo "$c: FAILED"; }; done | tee "$out/mmsweep.log"
  echo "== best matmul configs"
  grep " matmul " "$out/mmsweep.log" | sort -k3 -n | head -8 ;;
*) echo "usage: $0 translate|run" >&2; exit 2 ;;
esac
