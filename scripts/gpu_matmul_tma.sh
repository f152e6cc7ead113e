#!/usr/bin/env bash
# Tensor-map TMA operand loads (dot_operand_load "tma", "tma_ws") against the sm_90a default (cp.async
# into the same swizzled stages) and cuBLAS, bf16.
#   Here (with Clang):   scripts/gpu_matmul_tma.sh translate   (writes .carry/mmtma/<config>/matmul.cu)
#   There (GPU machine): scripts/gpu_matmul_tma.sh run         (carry .carry/mmtma; BUILD_ONLY=1:
#                        build only, a later run reuses the binaries)
# run builds bench/sweep_matmul.cu per config (ptxas figures in $OUT/mmtma_ptxas.log), checks
# each against cuBLAS at odd sizes (partial tiles in m, n and k: the maps' zero fill; k = 1001:
# rows a map cannot describe, the mma.sync path) and times 4096^3 and 8192^3. Exits 1 when a
# config is wrong anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=.carry/mmtma
case "${1:-}" in
translate)
  t="${TILECC:-build/cli/tilecc}"
  rm -rf "$dir"
  one() {  # name, config JSON ("" = the default)
    mkdir -p "$dir/$1"
    "$t" translate examples/matmul.tile.cpp --arch sm_90a ${2:+--config "$2"} -o "$dir/$1/matmul.cu" ||
      { rm -rf "${dir:?}/$1"; echo "mmtma: $1 rejected"; }
  }
  one default ""
  w='"dot_instruction":"wgmma"'
  one tma_b128x256_w8 "{\"block_sizes\":[64,128,256],\"num_warps\":8,$w,\"dot_operand_load\":\"tma\"}"
  one tma_b128x256_w8_s3 "{\"block_sizes\":[64,128,256],\"num_warps\":8,$w,\"range_num_stages\":[3],\"dot_operand_load\":\"tma\"}"
  one tma_b128x256_w8_g8 "{\"block_sizes\":[64,128,256],\"num_warps\":8,$w,\"l2_grouping\":8,\"dot_operand_load\":\"tma\"}"
  one tma_b128x256_w8_pers "{\"block_sizes\":[64,128,256],\"num_warps\":8,$w,\"pid\":\"persistent_interleaved\",\"programs_per_sm\":1,\"dot_operand_load\":\"tma\"}"
  one tma_b256x128_w8 "{\"block_sizes\":[64,256,128],\"num_warps\":8,$w,\"dot_operand_load\":\"tma\"}"
  one tma_b128x128_w4 "{\"block_sizes\":[64,128,128],\"num_warps\":4,$w,\"dot_operand_load\":\"tma\"}"
  # Warp-specialized: warpgroup 0 copies; 8 warps: one consumer warpgroup; 16: two (one waits).
  ws='"dot_operand_load":"tma_ws"'
  one ws_b128x128_w8 "{\"block_sizes\":[64,128,128],\"num_warps\":8,$ws}"
  one ws_b128x128_w8_g8 "{\"block_sizes\":[64,128,128],\"num_warps\":8,\"l2_grouping\":8,$ws}"
  one ws_b64x256_w8 "{\"block_sizes\":[64,64,256],\"num_warps\":8,$ws}"
  one ws_b128x128_w16 "{\"block_sizes\":[64,128,128],\"num_warps\":16,$ws}"
  one ws_b128x128_w16_g8 "{\"block_sizes\":[64,128,128],\"num_warps\":16,\"l2_grouping\":8,$ws}"
  one tma_b128x256_w8_mmasync "{\"block_sizes\":[64,128,256],\"num_warps\":8,\"dot_instruction\":\"mma_sync\",\"dot_operand_load\":\"tma\"}"
  ls "$dir" | wc -l ;;
run)
  out=${OUT:-/tmp}
  build() {
    /usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Xptxas -v,-warn-spills \
      -Iinclude -Itemplates -I.carry/mmtma/$1 -DCONFIG_NAME=\"$1\" bench/sweep_matmul.cu -lcublas \
      -o /tmp/mmtma_$1 > /tmp/mmtma_$1.log 2>&1 || { echo "$1: build failed"; cat /tmp/mmtma_$1.log; }
  }
  export -f build
  # BUILD_ONLY=1: build every config and stop (while the GPU runs something else); a later run
  # reuses the binaries.
  ls "$dir" | xargs -P 16 -n 1 bash -c '[ -x /tmp/mmtma_$0 ] || build $0'
  [ "${BUILD_ONLY:-0}" = 1 ] && exit 0
  for c in $(ls "$dir"); do echo "== $c"; grep -A2 "matmul_bf16_kernel" /tmp/mmtma_$c.log | grep -E "registers|spill"; done \
    > "$out/mmtma_ptxas.log" 2>&1 || true
  status=0
  for c in $(ls "$dir"); do
    [ -x /tmp/mmtma_$c ] || { echo "$c: not built: FAILED"; continue; }
    for size in "4000 4000 4000" "1000 1000 1000" "1000 3000 1001" "136 264 72" "129 257 65" "4096 4096 4096" "8192 8192 8192"; do
      timeout 120 /tmp/mmtma_$c $size || { echo "$c @ $size: FAILED"; status=1; }
    done
  done 2>&1 | tee "$out/mmtma.log"
  grep -q FAILED "$out/mmtma.log" && status=1
  echo "== 4096^3 and 8192^3 by TFLOP/s (then ms, % of cuBLAS, max rel err)"
  grep -E "@(4096x4096x4096|8192x8192x8192) matmul" "$out/mmtma.log" | sort -t' ' -k4 -rn || true
  exit $status ;;
*) echo "usage: $0 translate|run" >&2; exit 2 ;;
esac
