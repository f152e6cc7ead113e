#!/usr/bin/env bash
# Translates the examples the GPU checks use into .carry/gen (git-ignored), for
# scripts/gpu_check.sh on the GPU machine.
set -euo pipefail
cd "$(dirname "$0")/.."
# Default configs in .carry/flat/gen, persistent programs (with prefetch) in .carry/persistent/gen,
# the sm_90a defaults (wgmma dots, fp8 wgmma, tensor-map loads) in .carry/wgmma/gen.
rm -rf .carry/flat .carry/persistent .carry/wgmma
mkdir -p .carry/flat/gen .carry/persistent/gen .carry/wgmma/gen
for k in add bmm concat cross_entropy embedding exp geglu jagged layer_norm long_sum matmul rms_norm rope softmax sum \
         swiglu low_mem_dropout kl_div jsd batch_softmax softmax_backward rms_norm_backward layer_norm_backward \
         welford broadcast_matmul matmul_bias_relu split_k jagged_dense_add gather_gemv segment_reduction \
         cumsum moe_matmul grouped_gemm squeeze_and_excitation matmul_layernorm jagged_softmax jagged_layer_norm \
         fp8_gemm int4_gemm; do
  "${TILECC:-build/cli/tilecc}" translate "examples/$k.tile.cpp" -o ".carry/flat/gen/$k.cu"
  "${TILECC:-build/cli/tilecc}" translate "examples/$k.tile.cpp" --set pid=persistent --set programs_per_sm=1 \
    -o ".carry/persistent/gen/$k.cu"
  "${TILECC:-build/cli/tilecc}" translate "examples/$k.tile.cpp" --arch sm_90a -o ".carry/wgmma/gen/$k.cu"
done
# The language's test kernels (math, random, 8-bit dtypes), default configs in both variants.
for k in math_ops random dtypes scatter; do
  "${TILECC:-build/cli/tilecc}" translate "test/kernels/$k.tile.cpp" -o ".carry/flat/gen/$k.cu"
  cp ".carry/flat/gen/$k.cu" ".carry/persistent/gen/$k.cu"
done
# Row-versus-column index masks (test/gpu/check_index_masks.cu).
"${TILECC:-build/cli/tilecc}" translate test/kernels/index_masks.tile.cpp -o .carry/flat/gen/index_masks.cu
# Fused dot epilogues (test/gpu/check_dot_epilogues.cu): flat and persistent here, sm_90a in
# the wgmma variant below.
"${TILECC:-build/cli/tilecc}" translate test/kernels/dot_epilogues.tile.cpp -o .carry/flat/gen/dot_epilogues.cu
"${TILECC:-build/cli/tilecc}" translate test/kernels/dot_epilogues.tile.cpp --set pid=persistent \
  --set programs_per_sm=1 -o .carry/persistent/gen/dot_epilogues.cu
# Tiles of rank 3 and 4 (test/gpu/check_rank3.cu), flat and persistent programs.
"${TILECC:-build/cli/tilecc}" translate test/kernels/rank3.tile.cpp -o .carry/flat/gen/rank3.cu
"${TILECC:-build/cli/tilecc}" translate test/kernels/rank3.tile.cpp --set pid=persistent --set programs_per_sm=1 \
  -o .carry/persistent/gen/rank3.cu

# sm_90a: the test kernels as flat; the two dot kernels with wgmma asked for explicitly.
for f in .carry/flat/gen/*; do [ -e ".carry/wgmma/gen/${f##*/}" ] || cp "$f" .carry/wgmma/gen/; done
"${TILECC:-build/cli/tilecc}" translate examples/matmul.tile.cpp --arch sm_90a -o .carry/wgmma/gen/matmul.cu \
  --config '{"block_sizes":[64,128,256],"num_warps":8,"range_num_stages":[4],"dot_instruction":"wgmma"}'
"${TILECC:-build/cli/tilecc}" translate examples/bmm.tile.cpp --arch sm_90a -o .carry/wgmma/gen/bmm.cu \
  --config '{"block_sizes":[128,128,64],"num_warps":4,"dot_instruction":"wgmma"}'
"${TILECC:-build/cli/tilecc}" translate test/kernels/dot_epilogues.tile.cpp --arch sm_90a \
  -o .carry/wgmma/gen/dot_epilogues.cu

# Attention forward (test/gpu/check_attention.cu): the default translation, whose launcher
# picks a variant holding head dims up to 64 or one holding up to 128.
mkdir -p .carry/attention
"${TILECC:-build/cli/tilecc}" translate examples/attention.tile.cpp --arch sm_90a -o .carry/attention/attention.cu

# Benchmark variants: large bf16 rows held whole (full_extent 4096); the rows stream through
# once (loads evict_first, stores .cs) while weights stay (evict_last), a register cap where it
# lets more rows share an SM: the H200 row sweeps' best (bench/NOTES.md).
mkdir -p .carry/bench
tl() { "${TILECC:-build/cli/tilecc}" translate "examples/$1.tile.cpp" -o ".carry/bench/$1.cu" "${@:2}"; }
tl add --config '{"block_sizes":[8,256],"num_warps":8}'
tl sum --config '{"block_sizes":[1],"num_warps":4,"full_extent":4096,"threads_per_row":128,"load_hints":["evict_first"]}'
tl softmax -k softmax --config '{"block_sizes":[1],"num_warps":4,"full_extent":4096,"threads_per_row":128,"load_hints":["evict_first"],"store_hints":["cs"]}'
tl layer_norm --config '{"block_sizes":[1],"num_warps":4,"full_extent":4096,"threads_per_row":128,"load_hints":["evict_first","evict_last","evict_last"],"store_hints":["cs"]}'
tl rms_norm --config '{"block_sizes":[1],"num_warps":8,"full_extent":4096,"threads_per_row":256,"load_hints":["evict_first","evict_last"],"store_hints":["cs"]}'
tl matmul --arch sm_90a  # the sm_90a default: wgmma 128 x 256 tiles
tl low_mem_dropout  # the Helion ports at their default configs
tl kl_div
tl jsd
