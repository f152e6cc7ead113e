// dot_loop's fast path: a multi-stage cp.async pipeline feeding mma.sync m16n8k16 (sm_80+).
//
// Taken (see dot_pipeline_eligible / dot_pipeline_usable) when, at compile time, A and B are both
// bf16 or both f16, acc is float, R (BM) and C (BN) are multiples of 64, BK is a multiple of 32,
// the warps tile the R x C block in warp tiles of 16k x 16k with at most 128 accumulators per
// thread, and at least two stages of operands fit in the shared budget (48 KB static, or the
// dynamic size dot_loop_store was given); and, at run time, both operands are row-major (a_col_stride == b_col_stride
// == 1), their row strides are multiples of 8 elements, a + k_begin and b + k_begin * b_row_stride are 16-byte aligned
// (so k_begin % 8 == 0 for aligned tensors). Otherwise dot_loop uses its general path.
//
// Per k-step of BK: each thread copies 16-byte chunks of A (R x BK) and B (BK x C) straight from
// global to shared memory with cp.async.cg; chunks outside rows/cols/k_end are zero-filled
// through the src-size operand (a partial chunk at the end of k or of cols copies only its
// valid bytes). STAGES (2..4) steps are in flight. Shared tiles are row-major in 16-byte chunks
// with the chunk index XOR-swizzled by the row so that the 8 rows an ldmatrix reads hit 8
// different bank groups. The warps form a WARPS_M x WARPS_N grid; each keeps its WM x WN
// products in mma registers for the whole loop (ldmatrix.x4 for A, ldmatrix.x4.trans for B),
// and at the end they are added into acc (any Frag layout) through the pipeline's shared
// memory, in rounds of rows. The caller passes the shared buffer (pipe_smem::bytes, 16-byte
// aligned) so that it can share it with the fallback path.
#pragma once

#include "../sizing.hpp"
#include "frag.cuh"
#include "mma_store.cuh"
#include "stage_copy.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {
namespace detail {

inline constexpr int pipe_shared_limit = static_cast<int>(sizing::static_shared_limit);

// The warp grid over a BM x BN block: warps_m x warps_n warps, each WM x WN (multiples of 16),
// chosen to load the fewest ldmatrix.x4 per k16 step (WM / 16 + WN / 16); 0 when none fits
// (sizing::pipeline_warps_m).
template <int BM, int BN, int W> struct pipe_grid {
  static constexpr int warps_m = static_cast<int>(sizing::pipeline_warps_m(BM, BN, W));
  static constexpr bool ok = warps_m > 0;
  static constexpr int warps_n = ok ? W / warps_m : 1;
  static constexpr int wm = ok ? BM / warps_m : 16, wn = ok ? BN / warps_n : 16;
  static constexpr int mt = wm / 16, nt = wn / 8; // mma tiles per warp
};

// Operand stages of the pipeline: STAGES_WANTED (2..4) when given and they fit, else as many as
// fit up to 4 (0 when fewer than 2 fit: the pipeline is not used; sizing::pipeline_stages).
// LIMIT: the shared bytes the buffer may take (48 KB static; more from dynamic shared memory).
template <int BM, int BN, int BK, int STAGES_WANTED = 0, int LIMIT = pipe_shared_limit> struct pipe_smem {
  static constexpr int stage_bytes = static_cast<int>(sizing::pipeline_stage_bytes(BM, BK, BN));
  static constexpr int stages = static_cast<int>(sizing::pipeline_stages(BM, BK, BN, STAGES_WANTED, LIMIT));
  static constexpr int bytes = static_cast<int>(sizing::pipeline_bytes(BM, BK, BN, STAGES_WANTED, LIMIT));
};

template <class T, int BM, int BK, int BN, int NT, class A, class B, int STAGES_WANTED = 0,
          int LIMIT = pipe_shared_limit>
inline constexpr bool dot_pipeline_eligible =
    is_same_v<T, float> && is_same_v<A, B> && is_low_precision_v<A> && sizing::pipeline_shape(BM, BK, BN, NT) &&
    pipe_smem<BM, BN, BK, STAGES_WANTED, LIMIT>::stages >= 2;

__device__ __forceinline__ bool aligned16(const void *p) {
  return (reinterpret_cast<unsigned long long>(p) & 15ull) == 0;
}

// Run-time part of the fast path's conditions (k counted from the tensor's start).
template <class A, class B>
__device__ __forceinline__ bool dot_pipeline_usable(const A *a, long long a_row_stride, long long a_col_stride,
                                                    const B *b, long long b_row_stride, long long b_col_stride,
                                                    long long k_begin) {
  return a_col_stride == 1 && b_col_stride == 1 && a_row_stride % 8 == 0 && b_row_stride % 8 == 0 && k_begin % 8 == 0 &&
         aligned16(a) && aligned16(b);
}

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800

__device__ __forceinline__ void pipe_ldmatrix_x4(unsigned (&r)[4], unsigned addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
__device__ __forceinline__ void pipe_ldmatrix_x4_trans(unsigned (&r)[4], unsigned addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
template <class E>
__device__ __forceinline__ void pipe_mma(float (&d)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
  if constexpr (is_same_v<E, __half>) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}

// Byte offset of 16-byte chunk c of row r in a row-major tile of CPR chunks per row (CPR >= 4,
// a power of two): the low bits of the chunk index XOR-ed with the row so that 8 consecutive
// rows reading the same logical chunk use 8 distinct 16-byte bank groups.
template <int CPR> __device__ __forceinline__ int swz(int r, int c) {
  static_assert(CPR >= 4 && is_pow2(CPR), "swz: chunks per row must be a power of two >= 4");
  if constexpr (CPR == 4)
    return (r * 4 + (c ^ ((r >> 1) & 3))) * 16;
  else
    return (r * CPR + (c ^ (r & 7))) * 16;
}

// The pipelined k-loop; at the end, with the operand buffers free, it calls
// epilogue(d, wm0, wn0, smem): this warp's products d[MT][NT8][4] (mma m16n8 accumulator
// layout) for the rows from wm0 and the columns from wn0 of the R x C block.
// Row r of a's tile lies at a's row a_rows(r) (rows.cuh).
template <int BK, int NT, int R, int C, int STAGES_WANTED, int LIMIT, class A, class B, class Epilogue,
          class ARows = dense_rows>
__device__ __forceinline__ void dot_pipeline_run(const A *a, long long a_row_stride, const B *b, long long b_row_stride,
                                                 long long k_begin, long long k_end, int rows, int cols, uint4 *shared,
                                                 Epilogue &&epilogue, const ARows &a_rows = ARows{}) {
  using G = pipe_grid<R, C, NT / 32>;
  using S = pipe_smem<R, C, BK, STAGES_WANTED, LIMIT>;
  constexpr int STAGES = S::stages;
  constexpr int A_CPR = BK / 8, B_CPR = C / 8; // 16-byte chunks per row
  constexpr int A_BYTES = R * BK * 2, STAGE_BYTES = S::stage_bytes;
  constexpr int MT = G::mt, NT8 = G::nt;
  struct layout { // row-major chunks, XOR-swizzled by the row; B after A
    static __device__ __forceinline__ int a_offset(int r, int c) { return swz<A_CPR>(r, c); }
    static __device__ __forceinline__ int b_offset(int k, int c) { return A_BYTES + swz<B_CPR>(k, c); }
  };

  unsigned char *const smem = reinterpret_cast<unsigned char *>(shared); // S::bytes
  const unsigned smem_base = pipe_smem_addr(smem);

  const int tid = static_cast<int>(threadIdx.x);
  const int warp = tid / 32, lane = tid % 32;
  const int wm0 = (warp / G::warps_n) * G::wm;
  const int wn0 = (warp % G::warps_n) * G::wn;

  stage_copier<R, C, BK, NT, layout, A, B> copier(a, a_row_stride, b, b_row_stride, k_begin, k_end, rows, cols, a_rows);
  const long long steps = (k_end - k_begin + BK - 1) / BK;
  auto load_stage = [&](int stage, long long s) { copier.load(smem_base + stage * STAGE_BYTES, s); };

  float d[MT][NT8][4];
#pragma unroll
  for (int i = 0; i < MT; ++i)
#pragma unroll
    for (int j = 0; j < NT8; ++j) d[i][j][0] = d[i][j][1] = d[i][j][2] = d[i][j][3] = 0.0f;

#pragma unroll
  for (int s = 0; s < STAGES - 1; ++s) {
    if (s < steps) load_stage(s, s);
    cp_async_commit();
  }

  // ldmatrix lane roles: A rows wm0 + i*16 + lane%16, chunk (k16 step)*2 + lane/16;
  // B rows (k) k16*16 + lane%16, chunk (wn0 + j*16)/8 + lane/16.
  const int a_r = wm0 + lane % 16, a_c = lane / 16;
  const int b_r = lane % 16, b_c = wn0 / 8 + lane / 16;

  int stage = 0;
  for (long long kt = 0; kt < steps; ++kt) {
    cp_async_wait<STAGES - 2>();
    __syncthreads();
    const unsigned sa = smem_base + stage * STAGE_BYTES;
    const unsigned sb = sa + A_BYTES;
#pragma unroll
    for (int ks = 0; ks < BK / 16; ++ks) {
      // All A fragments of the step, then B one x4 (two n8 tiles) at a time: fewer live
      // registers next to the accumulators.
      unsigned af[MT][4];
#pragma unroll
      for (int i = 0; i < MT; ++i) pipe_ldmatrix_x4(af[i], sa + swz<A_CPR>(a_r + i * 16, ks * 2 + a_c));
      if (ks == 0) {
        // The copies for STAGES - 1 steps ahead go out once this step's first fragments are
        // asked for, so that their address work overlaps the tensor cores.
        const long long nk = kt + STAGES - 1;
        if (nk < steps) {
          int ns = stage + STAGES - 1;
          ns = ns >= STAGES ? ns - STAGES : ns;
          load_stage(ns, nk);
        }
        cp_async_commit();
      }
#pragma unroll
      for (int j = 0; j < NT8 / 2; ++j) {
        unsigned bf[4];
        pipe_ldmatrix_x4_trans(bf, sb + swz<B_CPR>(ks * 16 + b_r, b_c + j * 2));
#pragma unroll
        for (int i = 0; i < MT; ++i) {
          pipe_mma<A>(d[i][2 * j], af[i], bf[0], bf[1]);
          pipe_mma<A>(d[i][2 * j + 1], af[i], bf[2], bf[3]);
        }
      }
    }
    stage = stage + 1 == STAGES ? 0 : stage + 1;
  }
  cp_async_wait<0>();
  __syncthreads(); // the operand buffers are free for the epilogue
  epilogue(d, wm0, wn0, smem);
}

// acc += a @ b through the pipeline: the products go to the acc layout through shared memory,
// in rounds of RC rows.
template <int BK, int STAGES_WANTED, class T, int R, int C, class L, class A, class B>
__device__ __forceinline__ void dot_loop_pipeline(Frag<T, R, C, L> &acc, const A *a, long long a_row_stride, const B *b,
                                                  long long b_row_stride, long long k_begin, long long k_end, int rows,
                                                  int cols, uint4 *shared) {
  using G = pipe_grid<R, C, L::threads / 32>;
  using S = pipe_smem<R, C, BK, STAGES_WANTED>;
  constexpr int MT = G::mt, NT8 = G::nt;
  dot_pipeline_run<BK, L::threads, R, C, STAGES_WANTED, pipe_shared_limit>(
      a, a_row_stride, b, b_row_stride, k_begin, k_end, rows, cols, shared,
      [&](const float(&d)[MT][NT8][4], int wm0, int wn0, unsigned char *smem) {
        const int lane = static_cast<int>(threadIdx.x) % 32;
        constexpr int LDO = C + 4;
        constexpr int RC_MAX = S::bytes / (LDO * 4);
        constexpr int RC = RC_MAX >= R ? R : RC_MAX >= 128 ? 128 : RC_MAX >= 64 ? 64 : RC_MAX >= 32 ? 32 : 16;
        static_assert(RC * LDO * 4 <= S::bytes, "dot_loop (pipeline): epilogue does not fit");
        float *so = reinterpret_cast<float *>(smem);
        using F = Frag<T, R, C, L>;
#pragma unroll
        for (int r0 = 0; r0 < R; r0 += RC) {
#pragma unroll
          for (int i = 0; i < MT; ++i) {
            const int m0 = wm0 + i * 16 - r0;
            if (m0 >= 0 && m0 < RC) {
#pragma unroll
              for (int j = 0; j < NT8; ++j) {
                float *p = so + (m0 + lane / 4) * LDO + wn0 + j * 8 + (lane % 4) * 2;
                *reinterpret_cast<float2 *>(p) = make_float2(d[i][j][0], d[i][j][1]);
                *reinterpret_cast<float2 *>(p + 8 * LDO) = make_float2(d[i][j][2], d[i][j][3]);
              }
            }
          }
          __syncthreads();
#pragma unroll
          for (int i = 0; i < F::er; ++i) {
            const int r = acc.row(i) - r0;
            if (r >= 0 && r < RC) {
#pragma unroll
              for (int j = 0; j < F::ec; ++j) acc.v[i][j] += so[r * LDO + cmin(acc.col(j), C - 1)];
            }
          }
          __syncthreads();
        }
      });
}

// out[0:rows, 0:cols] = a @ b through the pipeline, stored from the mma registers.
template <int BK, int STAGES_WANTED, int LIMIT, int R, int C, int NT, class TO, class A, class B,
          class Epi = store_products, class ARows = dense_rows>
__device__ __forceinline__ void dot_store_pipeline(TO *out, long long out_row_stride, long long out_col_stride,
                                                   const A *a, long long a_row_stride, const B *b,
                                                   long long b_row_stride, long long k_begin, long long k_end, int rows,
                                                   int cols, uint4 *shared, const Epi &epi = Epi{},
                                                   const ARows &a_rows = ARows{}) {
  using G = pipe_grid<R, C, NT / 32>;
  constexpr int MT = G::mt, NT8 = G::nt;
  dot_pipeline_run<BK, NT, R, C, STAGES_WANTED, LIMIT>(
      a, a_row_stride, b, b_row_stride, k_begin, k_end, rows, cols, shared,
      [&](const float(&d)[MT][NT8][4], int wm0, int wn0, unsigned char *) {
        store_mma_products(out, out_row_stride, out_col_stride, rows, cols, d, wm0, wn0, epi);
      },
      a_rows);
}
#endif

} // namespace detail
} // namespace dev
} // namespace tilecc
