// dot_loop_store's sm_90a path with tensor-map TMA operand loads (config dot_operand_load =
// "tma"): the wgmma k-loop of dot_wgmma.cuh, its stages filled by the copy engine instead of
// every thread's cp.async.
//
// The stages have dot_wgmma.cuh's shared layout (A: R rows of 128 bytes; B: C / 64 column
// blocks of 64 k rows x 128 bytes; 128-byte swizzle in 1024-byte patterns), which is what a
// tensor map with 128-byte swizzle writes for boxes of 64 elements x rows: one box of A
// (64 x R) and C / 64 boxes of B (64 x 64) per k-step. Out-of-bounds elements (past the
// tensor's rows, columns or k) arrive as zeros, so partial tiles need no masks.
//
// Ring of STAGES stages, each with a full barrier (one arrival: the issuing thread's
// expect_tx, then the copies' bytes) and an empty barrier (one arrival per warpgroup once its
// wgmmas reading the stage have finished). Thread 0 issues all copies: STAGES steps before
// the loop, then at step kt the step kt - 1 + STAGES into the stage step kt - 1 leaves, once
// every warpgroup has released it. One wgmma group stays in flight across steps.
#pragma once

#include "dot.cuh"
#include "dot_wgmma.cuh"
#include "tma_tensor.cuh"

namespace tilecc {
namespace dev {
namespace detail {

// Both maps hold, and k ends where the tensors do: zero fill past k_end comes only from there.
__device__ __forceinline__ bool tensor_maps_usable(const TensorMap &a_map, const TensorMap &b_map, long long k_end) {
  return a_map.valid && b_map.valid && a_map.cols == k_end && b_map.rows == k_end;
}

#if TILECC_DEV_HAS_WGMMA

// out[0:rows, 0:cols] = a @ b, a the rows from a_row0 of a_map's tensor (K-major), b the
// columns from b_col0 of b_map's tensor (N-major), both over k in [k_begin, k_end).
template <int NT, int R, int C, int STAGES_WANTED, int LIMIT, class E, class TO, class Epi = store_products>
__device__ __forceinline__ void dot_store_wgmma_tma(TO *out, long long out_row_stride, long long out_col_stride,
                                                    const TensorMap &a_map, long long a_row0, const TensorMap &b_map,
                                                    long long b_col0, long long k_begin, long long k_end, int rows,
                                                    int cols, uint4 *shared, const Epi &epi = Epi{}) {
  using G = wgmma_grid<R, C, NT>;
  using S = wgmma_smem<R, C, STAGES_WANTED, LIMIT>;
  constexpr int BK = wgmma_bk, STAGES = S::stages, STAGE_BYTES = S::stage_bytes;
  constexpr int A_BYTES = R * BK * 2, B_BLOCK_BYTES = BK * 128;
  static_assert(R <= 256, "dot_store_wgmma_tma: a tensor-map box holds at most 256 rows");
  static_assert(2 * STAGES * 8 <= sizing::tensor_map_barrier_bytes, "dot_store_wgmma_tma: at most 8 stages");
  __shared__ alignas(8) unsigned long long barriers[2 * STAGES];  // full[STAGES], then empty[STAGES]

  const unsigned base = (pipe_smem_addr(shared) + 1023u) & ~1023u;
  const unsigned full0 = shared_addr(barriers), empty0 = full0 + STAGES * 8;
  const long long steps = (k_end - k_begin + BK - 1) / BK;
  const int tid = static_cast<int>(threadIdx.x);
  const int group = tid / 128, group_row0 = group * G::rows;

  if (tid == 0) {
    tma_prefetch_map(a_map);
    tma_prefetch_map(b_map);
#pragma unroll
    for (int s = 0; s < STAGES; ++s) {
      mbar_init(full0 + s * 8, 1);
      mbar_init(empty0 + s * 8, G::groups);
    }
    mbar_init_fence();
  }
  __syncthreads();

  const int row0 = static_cast<int>(a_row0), col0 = static_cast<int>(b_col0);
  auto issue = [&](int s, long long step) {
    const unsigned stage = base + s * STAGE_BYTES, full = full0 + s * 8;
    const int k = static_cast<int>(k_begin + step * BK);
    mbar_arrive_expect_tx(full, STAGE_BYTES);
    tma_load_2d(stage, a_map, k, row0, full);
#pragma unroll
    for (int cb = 0; cb < C / 64; ++cb)
      tma_load_2d(stage + A_BYTES + cb * B_BLOCK_BYTES, b_map, col0 + cb * 64, k, full);
  };
  if (tid == 0) {
#pragma unroll
    for (int s = 0; s < STAGES; ++s)
      if (s < steps) issue(s, s);
  }

  float d[G::msub][C / 2];
#pragma unroll
  for (int i = 0; i < G::msub; ++i)
#pragma unroll
    for (int j = 0; j < C / 2; ++j) d[i][j] = 0.0f;

  int stage = 0;
  unsigned phase = 0;
  for (long long kt = 0; kt < steps; ++kt) {
    mbar_wait(full0 + stage * 8, phase);
    const unsigned sa = base + stage * STAGE_BYTES + group_row0 * 128;
    const unsigned sb = base + stage * STAGE_BYTES + A_BYTES;
    wgmma_fence();
#pragma unroll
    for (int ks = 0; ks < BK / 16; ++ks) {
      const unsigned long long b_desc = wgmma_desc_sw128(sb + ks * 2048, B_BLOCK_BYTES, 1024);
#pragma unroll
      for (int i = 0; i < G::msub; ++i)
        wgmma_m64k16<E, C>(d[i], wgmma_desc_sw128(sa + i * 64 * 128 + ks * 32, 16, 1024), b_desc);
    }
    wgmma_commit();
    wgmma_wait<1>();  // this warpgroup's wgmmas of step kt - 1 have finished
    if (kt > 0) {
      const int prev = stage == 0 ? STAGES - 1 : stage - 1;
      if (tid % 128 == 0) mbar_arrive(empty0 + prev * 8);
      if (tid == 0 && kt - 1 + STAGES < steps) {
        mbar_wait(empty0 + prev * 8, static_cast<unsigned>(((kt - 1) / STAGES) & 1));
        issue(prev, kt - 1 + STAGES);
      }
    }
    if (++stage == STAGES) {
      stage = 0;
      phase ^= 1u;
    }
  }
  wgmma_wait<0>();
#pragma unroll
  for (int i = 0; i < G::msub; ++i)
#pragma unroll
    for (int j = 0; j < C / 2; ++j) wgmma_pin(d[i][j]);
  // No thread waits on the barriers any more: thread 0 ends them, and the next call
  // (persistent programs) initializes them again before its barrier.
  __syncthreads();
  if (tid == 0) {
#pragma unroll
    for (int s = 0; s < STAGES; ++s) {
      mbar_inval(full0 + s * 8);
      mbar_inval(empty0 + s * 8);
    }
  }

  const int warp_row0 = group_row0 + ((tid % 128) / 32) * 16;
#pragma unroll
  for (int i = 0; i < G::msub; ++i)
    store_wgmma_products(out, out_row_stride, out_col_stride, rows, cols, d[i], warp_row0 + i * 64, epi);
}

#endif

} // namespace detail

// dot_loop_store with its operands also described by tensor maps over the whole tensors (a's
// tile starts at row a_row0, b's at column b_col0): the TMA pipeline above where wgmma runs
// and both maps are valid, else dot_loop_store's own paths (wgmma with cp.async, mma.sync).
template <int BK, int STAGES, int R, int C, class L, int DYNAMIC_SMEM, int FLAGS = 0, class TO, class PA, class PB,
          class Epi = store_products>
__device__ __forceinline__ void dot_loop_store_tma(TO *out, long long out_row_stride, long long out_col_stride,
                                                   const PA *a, long long a_row_stride, long long a_col_stride,
                                                   const TensorMap &a_map, long long a_row0, const PB *b,
                                                   long long b_row_stride, long long b_col_stride,
                                                   const TensorMap &b_map, long long b_col0, long long k_begin,
                                                   long long k_end, long long rows, long long cols,
                                                   const Epi &epi = Epi{}) {
  // FLAGS dot_in_loop, as dot_loop_store's INSTR: nothing derived from a device loop's invariants
  // leaves it. Done here once; the fallback below gets its operands already hidden.
  if constexpr ((FLAGS & dot_in_loop) != 0)
    detail::make_opaque_each(out, out_row_stride, out_col_stride, a, a_row_stride, a_col_stride, b, b_row_stride,
                             b_col_stride, b_col0, k_end, cols);
#if TILECC_DEV_HAS_WGMMA
  using A = remove_cv_t<PA>;
  using B = remove_cv_t<PB>;
  if constexpr (DYNAMIC_SMEM > 0 && detail::dot_wgmma_eligible<BK, R, C, L::threads, A, B, STAGES, DYNAMIC_SMEM>) {
    if (k_begin < k_end && detail::tensor_maps_usable(a_map, b_map, k_end) &&
        detail::dot_pipeline_usable(a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin)) {
      extern __shared__ uint4 tilecc_dynamic_shared[];
      detail::dot_store_wgmma_tma<L::threads, R, C, STAGES, DYNAMIC_SMEM, A>(
          out, out_row_stride, out_col_stride, a_map, a_row0, b_map, b_col0, k_begin, k_end, static_cast<int>(rows),
          static_cast<int>(cols), tilecc_dynamic_shared, epi);
      return;
    }
  }
#endif
  dot_loop_store<BK, STAGES, R, C, L, DYNAMIC_SMEM, dot_wgmma | (FLAGS & ~dot_in_loop)>(
      out, out_row_stride, out_col_stride, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin, k_end,
      rows, cols, epi);
}

} // namespace dev
} // namespace tilecc
