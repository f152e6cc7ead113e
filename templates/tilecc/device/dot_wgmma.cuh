// dot_loop_store's sm_90a path: a multi-stage cp.async pipeline feeding wgmma.mma_async
// (warpgroup MMA, operands read by the tensor cores straight from shared memory).
//
// Taken when the config asks for it (dot_instruction = wgmma) and, at compile time, A and B are
// both bf16 or both f16, the k block is 64, the block's warps form whole warpgroups (128
// threads) that split R into 1 or 2 m64 tiles each, C is 64, 128 or 256 (one wgmma of N = C
// per m64 tile, at most 128 accumulators per thread), and at least two stages fit in the
// dynamic shared memory the kernel was launched with; at run time, under the same operand
// conditions as the mma.sync pipeline (dot_pipeline_usable).
//
// Shared layout of a stage, in the 128-byte swizzle wgmma reads (16-byte chunk c of a 128-byte
// row r stored at chunk c ^ (r % 8), in 1024-byte-aligned patterns of 8 rows):
// - A (R x 64, K-major): R rows of 128 bytes. Descriptor: stride byte offset 1024 (the next 8
//   rows); each k16 step starts 32 bytes further into the rows.
// - B (64 x C, N-major, wgmma's transpose flag): C / 64 column blocks of 64 rows (k) x 128
//   bytes. Descriptor: leading byte offset = the next column block (64 * 128 bytes), stride
//   byte offset 1024 (the next 8 k rows); each k16 step starts 16 rows (2048 bytes) further.
//
// fp8 operands (wgmma_kmajor_b): wgmma reads fp8 K-major only, so b must come column-major (as
// torch._scaled_mm takes it); a stage holds A as above and B^T as C rows of 128 k bytes in the
// same swizzle, and each k32 instruction starts 32 bytes further into both.
//
// Per k-step every thread waits for its own copies of the step, fences them into the async
// proxy, and the block synchronizes; then the step AHEAD steps later is copied into the stage
// whose wgmmas are known finished, and this step's wgmmas are issued and committed. With 4+
// stages one group stays in flight across steps (wait_group 1), so the tensor cores never
// drain at the barrier.
#pragma once

#include "../sizing.hpp"
#include "dot_pipeline.cuh"
#include "mma_store.cuh"
#include "stage_copy.cuh"
#include "types.cuh"
#include "wgmma_ops.cuh"

namespace tilecc {
namespace dev {
namespace detail {

inline constexpr int wgmma_bk = static_cast<int>(sizing::wgmma_bk); // one 128-byte swizzle row of A per k-step

// The warpgroups over an R x C block: NT / 128 of them stacked along R, each owning R / groups
// rows as 1 or 2 m64 tiles and all C columns (sizing::wgmma_grid_ok).
template <int R, int C, int NT> struct wgmma_grid {
  static constexpr int groups = static_cast<int>(sizing::wgmma_groups(NT));
  static constexpr int rows = groups > 0 ? R / groups : 0;
  static constexpr int msub = static_cast<int>(sizing::wgmma_m_tiles(R, NT));
  static constexpr bool ok = sizing::wgmma_grid_ok(R, C, NT);
};

// Stages: STAGES_WANTED (2..8) when they fit, else as many as fit up to 4; 1024 bytes of slack
// to align the swizzle patterns (sizing::wgmma_stages, sizing::wgmma_bytes).
template <int R, int C, int STAGES_WANTED, int LIMIT> struct wgmma_smem {
  static constexpr int stage_bytes = static_cast<int>(sizing::wgmma_stage_bytes(R, C));
  static constexpr int stages = static_cast<int>(sizing::wgmma_stages(R, C, STAGES_WANTED, LIMIT));
  static constexpr int bytes = static_cast<int>(sizing::wgmma_bytes(R, C, STAGES_WANTED, LIMIT));
};

template <int BK, int R, int C, int NT, class A, class B, int STAGES_WANTED, int LIMIT>
inline constexpr bool dot_wgmma_eligible =
    is_same_v<A, B> && is_low_precision_v<A> && BK == wgmma_bk && wgmma_grid<R, C, NT>::ok &&
    wgmma_smem<R, C, STAGES_WANTED, LIMIT>::stages >= 2;

// fp8 operands (both e4m3 or both e5m2) take the K-major form below whatever the k block: it
// walks k in its own steps of 128 (one 128-byte swizzle row), so the sum is the same.
template <int R, int C, int NT, class A, class B, int STAGES_WANTED, int LIMIT>
inline constexpr bool dot_wgmma_fp8_eligible =
    is_same_v<A, B> && is_fp8_v<A> && wgmma_grid<R, C, NT>::ok && wgmma_smem<R, C, STAGES_WANTED, LIMIT>::stages >= 2;

// ... and at run time: a row-major, b column-major (K-major both, as torch._scaled_mm takes
// them), 16-byte aligned rows from k_begin on.
template <class A, class B>
__device__ __forceinline__ bool dot_wgmma_fp8_usable(const A *a, long long a_row_stride, long long a_col_stride,
                                                     const B *b, long long b_row_stride, long long b_col_stride,
                                                     long long k_begin) {
  return a_col_stride == 1 && b_row_stride == 1 && a_row_stride % 16 == 0 && b_col_stride % 16 == 0 &&
         k_begin % 16 == 0 && aligned16(a) && aligned16(b);
}

#if TILECC_DEV_HAS_WGMMA

// How a stage holds the operands and which wgmma reads them. Both forms put A (R x BK, K-major)
// in R rows of 128 bytes, so each k-instruction starts 32 bytes further into the rows.
// f16/bf16: B (BK x C) N-major in C / 64 column blocks of 64 k rows x 128 bytes (see above), read
// with wgmma's transpose flag, k16 instructions.
template <int R, int C, class E> struct wgmma_nmajor_b {
  static constexpr int BK = wgmma_bk, K_INSTR = 16, A_BYTES = R * BK * 2, B_BLOCK_BYTES = BK * 128;
  static __device__ __forceinline__ int a_offset(int r, int c) { return r * 128 + ((c ^ (r & 7)) << 4); }
  static __device__ __forceinline__ int b_offset(int k, int c) {
    return A_BYTES + (c >> 3) * B_BLOCK_BYTES + k * 128 + (((c & 7) ^ (k & 7)) << 4);
  }
  template <int NT, class A, class B> using copier = stage_copier<R, C, BK, NT, wgmma_nmajor_b, A, B>;
  static __device__ __forceinline__ unsigned long long b_desc(unsigned sb, int ks) {
    return wgmma_desc_sw128(sb + ks * 2048, B_BLOCK_BYTES, 1024);
  }
  static constexpr bool PROMOTE = false;
  static __device__ __forceinline__ void mma(float (&d)[C / 2], unsigned long long a, unsigned long long b, int) {
    wgmma_m64k16<E, C>(d, a, b);
  }
};
// fp8: B given column-major lies as B^T, C rows of 128 k bytes swizzled like A's; its
// descriptor walks them as A's does (stride 1024 bytes per 8 rows); k32 instructions. The
// tensor cores add fp8 products in fewer bits than float, so each step's products start from
// zero and are added into the float sum after the step (PROMOTE; torch._scaled_mm's default,
// fast accumulation off): over k = 2048 the sums in the tensor cores alone were off by 1.6e-2.
template <int R, int C, class E> struct wgmma_kmajor_b {
  static constexpr int BK = 128, K_INSTR = 32, A_BYTES = R * BK;
  static constexpr bool PROMOTE = true;
  static __device__ __forceinline__ int a_offset(int r, int c) { return r * 128 + ((c ^ (r & 7)) << 4); }
  static __device__ __forceinline__ int b_offset(int n, int c) { return A_BYTES + a_offset(n, c); }
  template <int NT, class A, class B> using copier = kmajor_copier<R, C, BK, NT, wgmma_kmajor_b, A, B>;
  static __device__ __forceinline__ unsigned long long b_desc(unsigned sb, int ks) {
    return wgmma_desc_sw128(sb + ks * 32, 16, 1024);
  }
  static __device__ __forceinline__ void mma(float (&d)[C / 2], unsigned long long a, unsigned long long b,
                                             int accumulate) {
    wgmma_m64k32<E, C>(d, a, b, accumulate);
  }
};
static_assert(sizing::wgmma_stage_bytes(64, 64) == 64 * 128 * 2, "wgmma stages: R + C rows of 128 bytes in both forms");

// out[0:rows, 0:cols] = epi(a @ b), products stored straight from the wgmma accumulators.
// F: the operands' form (wgmma_nmajor_b, wgmma_kmajor_b); b_stride: b's row stride (N-major) or
// column stride (K-major). shared: the kernel's dynamic shared memory (LIMIT bytes). Row r of
// a's tile lies at a's row a_rows(r) (rows.cuh).
template <int NT, int R, int C, int STAGES_WANTED, int LIMIT, template <int, int, class> class F = wgmma_nmajor_b,
          class TO, class A, class B, class Epi = store_products, class ARows = dense_rows>
__device__ __forceinline__ void dot_store_wgmma(TO *out, long long out_row_stride, long long out_col_stride, const A *a,
                                                long long a_row_stride, const B *b, long long b_stride,
                                                long long k_begin, long long k_end, int rows, int cols, uint4 *shared,
                                                const Epi &epi = Epi{}, const ARows &a_rows = ARows{}) {
  using G = wgmma_grid<R, C, NT>;
  using S = wgmma_smem<R, C, STAGES_WANTED, LIMIT>;
  using Form = F<R, C, A>;
  constexpr int BK = Form::BK, STAGES = S::stages, STAGE_BYTES = S::stage_bytes;
  // wgmma groups left in flight after each step (none where each step's products are promoted)
  constexpr int WAIT = STAGES >= 4 && !Form::PROMOTE ? 1 : 0;
  constexpr int AHEAD = STAGES - 1 - WAIT;   // steps copied ahead of the one multiplied

  const unsigned base = (pipe_smem_addr(shared) + 1023u) & ~1023u;
  typename Form::template copier<NT, A, B> copier(a, a_row_stride, b, b_stride, k_begin, k_end, rows, cols, a_rows);
  const long long steps = (k_end - k_begin + BK - 1) / BK;
  const int tid = static_cast<int>(threadIdx.x);
  const int group = tid / 128, group_row0 = group * G::rows;

  float d[G::msub][C / 2];
  [[maybe_unused]] float step[Form::PROMOTE ? G::msub : 1][Form::PROMOTE ? C / 2 : 1];  // PROMOTE: one step's products
#pragma unroll
  for (int i = 0; i < G::msub; ++i)
#pragma unroll
    for (int j = 0; j < C / 2; ++j) d[i][j] = 0.0f;

#pragma unroll
  for (int s = 0; s < AHEAD; ++s) {
    if (s < steps) copier.load(base + s * STAGE_BYTES, s);
    cp_async_commit();
  }

  int stage = 0, fill = AHEAD % STAGES;
  for (long long kt = 0; kt < steps; ++kt) {
    cp_async_wait<AHEAD - 1>();
    fence_proxy_async_shared();
    __syncthreads();  // step kt is in place; the wgmmas of step kt - 1 - WAIT have finished
    if (kt + AHEAD < steps) copier.load(base + fill * STAGE_BYTES, kt + AHEAD);
    cp_async_commit();

    const unsigned sa = base + stage * STAGE_BYTES + group_row0 * 128;
    const unsigned sb = base + stage * STAGE_BYTES + Form::A_BYTES;
    wgmma_fence();
#pragma unroll
    for (int ks = 0; ks < BK / Form::K_INSTR; ++ks) {
      const unsigned long long b_desc = Form::b_desc(sb, ks);
#pragma unroll
      for (int i = 0; i < G::msub; ++i) {
        const unsigned long long a_desc = wgmma_desc_sw128(sa + i * 64 * 128 + ks * 32, 16, 1024);
        if constexpr (Form::PROMOTE)
          Form::mma(step[i], a_desc, b_desc, ks);  // the step's first k32 starts from zero
        else
          Form::mma(d[i], a_desc, b_desc, 1);
      }
    }
    wgmma_commit();
    wgmma_wait<WAIT>();
    if constexpr (Form::PROMOTE) {
#pragma unroll
      for (int i = 0; i < G::msub; ++i)
#pragma unroll
        for (int j = 0; j < C / 2; ++j) {
          wgmma_pin(step[i][j]);
          d[i][j] += step[i][j];
        }
    }
    stage = stage + 1 == STAGES ? 0 : stage + 1;
    fill = fill + 1 == STAGES ? 0 : fill + 1;
  }
  wgmma_wait<0>();
  cp_async_wait<0>();
#pragma unroll
  for (int i = 0; i < G::msub; ++i)
#pragma unroll
    for (int j = 0; j < C / 2; ++j) wgmma_pin(d[i][j]);

  const int warp_row0 = group_row0 + ((tid % 128) / 32) * 16;
#pragma unroll
  for (int i = 0; i < G::msub; ++i)
    store_wgmma_products(out, out_row_stride, out_col_stride, rows, cols, d[i], warp_row0 + i * 64, epi);
}

#endif

}  // namespace detail
}  // namespace dev
}  // namespace tilecc
