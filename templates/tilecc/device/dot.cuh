// dot(acc, a, b): acc += a @ b for fragments of one block, a: R x K, b: K x C, acc: R x C.
//
// dot_loop<BK>(acc, a, ..., b, ..., k_begin, k_end, rows, cols): the k-loop of a tile matmul
// over operands in global memory.
//
// Both operands are staged through shared memory (elements outside their extents as zero),
// then each thread adds the products for its own acc elements. Two paths:
//   - tensor cores (sm_80+): f16 x f16 or bf16 x bf16 into a float acc with R % 16 == 0,
//     K % 16 == 0, C % 8 == 0: a grid of warps shares out the 16 x 8 output tiles, loads
//     operands with ldmatrix and multiplies with mma.sync m16n8k16; the products go back to
//     the acc layout through shared memory (in rounds of rows when they do not fit). dot_loop
//     keeps them in mma registers for the whole loop and hands them back once. fp8 x fp8 (both
//     e4m3 or both e5m2, K % 32 == 0) take mma.sync m16n8k32 on sm_89+ (b staged transposed);
//     before sm_89 they are staged as bf16 for m16n8k16, which is exact;
//   - SIMT otherwise: operands staged as compute_t<T> (float), one FMA per product.
// Shared memory is a static buffer per dot instantiation (at most 48 KB: with float staging
// R, K, C up to 64 fit). The whole block must call dot (it synchronizes the block).
#pragma once

#include "../sizing.hpp"
#include "access.cuh"
#include "dot_pipeline.cuh"
#include "dot_wgmma.cuh"
#include "elementwise.cuh"
#include "frag.cuh"
#include "memory.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

// trans(f): a fragment that dot reads as its transpose (tl::trans of a dot operand). Both
// operands of dot go through shared memory anyway, so the transpose costs only the layout
// of that staging.
template <class F> struct Transposed {
  const F &f;
};
template <class T, int R, int C, class L>
__device__ __forceinline__ Transposed<Frag<T, R, C, L>> trans(const Frag<T, R, C, L> &f) {
  return {f};
}

namespace detail {

// An operand of dot as dot reads it: element type and extents (a Transposed fragment swaps them).
template <class F> struct dot_operand;
template <class T, int R, int C, class L> struct dot_operand<Frag<T, R, C, L>> {
  using type = T;
  static constexpr int rows = R, cols = C;
};
template <class T, int R, int C, class L> struct dot_operand<Transposed<Frag<T, R, C, L>>> {
  using type = T;
  static constexpr int rows = C, cols = R;
};

inline constexpr int dot_shared_limit = static_cast<int>(sizing::static_shared_limit);

__host__ __device__ constexpr int round_up(int x, int m) { return static_cast<int>(sizing::round_up(x, m)); }

// Writes the whole R x C tile of f, converted to S, to row-major shared s (leading dimension
// LD): elements outside the valid extents as zero. Each tile position is written by exactly
// one thread.
template <class S, int LD, class T, int R, int C, class L>
__device__ __forceinline__ void stage_tile(S *s, const Frag<T, R, C, L> &f) {
  using F = Frag<T, R, C, L>;
  constexpr int V = F::vec;
  constexpr int unit = vector_unit<S, V>();
  constexpr bool vectorized = rows_keep_alignment(LD * static_cast<int>(sizeof(S)), unit);
  const bool row_home = R != 1 || L::ty() == 0;
  const bool col_home = C != 1 || L::tx() == 0;
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
    const int r = f.row(i);
    if (!row_home || r >= R) continue;
#pragma unroll
    for (int g = 0; g < F::ec / V; ++g) {
      S tmp[V];
#pragma unroll
      for (int k = 0; k < V; ++k) tmp[k] = f.valid(i, g * V + k) ? convert<S>(f.v[i][g * V + k]) : zero<S>();
      if constexpr (vectorized) {
        store_vector(s + r * LD + f.col(g * V), tmp);
      } else {
#pragma unroll
        for (int k = 0; k < V; ++k) {
          const int c = f.col(g * V + k);
          if (col_home && c < C) s[r * LD + c] = tmp[k];
        }
      }
    }
  }
}

// Writes the C x R transpose of f to row-major shared s (leading dimension LD), as stage_tile:
// element (r, c) of f lands at s[c * LD + r]. Scalar stores (a transposed row is a column).
template <class S, int LD, class T, int R, int C, class L>
__device__ __forceinline__ void stage_tile(S *s, const Transposed<Frag<T, R, C, L>> &t) {
  using F = Frag<T, R, C, L>;
  const F &f = t.f;
  const bool row_home = R != 1 || L::ty() == 0;
  const bool col_home = C != 1 || L::tx() == 0;
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
    const int r = f.row(i);
    if (!row_home || r >= R) continue;
#pragma unroll
    for (int j = 0; j < F::ec; ++j) {
      const int c = f.col(j);
      if (col_home && c < C) s[c * LD + r] = f.valid(i, j) ? convert<S>(f.v[i][j]) : zero<S>();
    }
  }
}

// The largest k step (a power of two <= BK) whose SIMT staging fits in 48 KB (at least 1):
// dot_loop's general path walks k in these steps (sizing::simt_k_step).
template <class S, int R, int BK, int C> __host__ __device__ constexpr int simt_k_step() {
  return static_cast<int>(sizing::simt_k_step(sizeof(S), R, BK, C));
}

template <class T, int R, int C, class L, class OA, class OB>
__device__ __forceinline__ void dot_simt(Frag<T, R, C, L> &acc, const OA &a, const OB &b) {
  constexpr int K = dot_operand<OA>::cols;
  using F = Frag<T, R, C, L>;
  using S = compute_t<T>;
  constexpr int lda = K + 1;              // odd: rows of a fall in different banks
  constexpr int ldb = round_up(C, 4) + 4; // keeps 16-byte rows for vector reads
  constexpr int a_elems = round_up(R * lda, 16 / static_cast<int>(sizeof(S)));
  constexpr int bytes = static_cast<int>(sizing::dot_simt_bytes(sizeof(S), R, K, C));
  static_assert(bytes == (a_elems + K * ldb) * static_cast<int>(sizeof(S)), "dot_simt: staging layout");
  static_assert(bytes <= dot_shared_limit,
                "dot (SIMT): operands need more than 48 KB of shared memory; use smaller tiles "
                "(R, K, C up to 64 fit with float staging)");
  __shared__ uint4 smem[(bytes + 15) / 16];
  S *sa = reinterpret_cast<S *>(smem);
  S *sb = sa + a_elems;

  stage_tile<S, lda>(sa, a);
  stage_tile<S, ldb>(sb, b);
  __syncthreads();

  // Spare threads of a small tile compute a clamped, unused element.
  int rows[F::er], cols[F::ec];
#pragma unroll
  for (int i = 0; i < F::er; ++i) rows[i] = cmin(acc.row(i), R - 1) * lda;
#pragma unroll
  for (int j = 0; j < F::ec; ++j) cols[j] = cmin(acc.col(j), C - 1);
  S sum[F::er][F::ec];
#pragma unroll
  for (int i = 0; i < F::er; ++i)
#pragma unroll
    for (int j = 0; j < F::ec; ++j) sum[i][j] = convert<S>(acc.v[i][j]);

  constexpr int V = F::vec;
  constexpr int unit = vector_unit<S, V>();
  constexpr bool vector_b = rows_keep_alignment(ldb * static_cast<int>(sizeof(S)), unit);
#pragma unroll 4
  for (int k = 0; k < K; ++k) {
    S av[F::er], bv[F::ec];
#pragma unroll
    for (int i = 0; i < F::er; ++i) av[i] = sa[rows[i] + k];
#pragma unroll
    for (int g = 0; g < F::ec / V; ++g) {
      if constexpr (vector_b) {
        S tmp[V];
        load_vector(sb + k * ldb + cols[g * V], tmp);
#pragma unroll
        for (int e = 0; e < V; ++e) bv[g * V + e] = tmp[e];
      } else {
#pragma unroll
        for (int e = 0; e < V; ++e) bv[g * V + e] = sb[k * ldb + cols[g * V + e]];
      }
    }
#pragma unroll
    for (int i = 0; i < F::er; ++i)
#pragma unroll
      for (int j = 0; j < F::ec; ++j) sum[i][j] += av[i] * bv[j];
  }
#pragma unroll
  for (int i = 0; i < F::er; ++i)
#pragma unroll
    for (int j = 0; j < F::ec; ++j) acc.v[i][j] = convert<T>(sum[i][j]);
  __syncthreads();
}

// Width of the k-step starting at k0: BK, or what is left before k_end.
template <int BK> __device__ __forceinline__ int k_step(long long k0, long long k_end) {
  return static_cast<int>(k_end - k0 < BK ? k_end - k0 : BK);
}

// ---- Tensor cores: mma.sync m16n8k16 (sm_80+) ----------------------------------------------

// fp8 operands (both e4m3 or both e5m2) take k steps of 32: mma.sync m16n8k32 reads them.
template <class T, int R, int K, int C, class A, class B>
inline constexpr bool dot_mma_eligible =
    is_same_v<T, float> && is_same_v<A, B> && (is_low_precision_v<A> || (is_fp8_v<A> && K % 32 == 0)) && R % 16 == 0 &&
    K % 16 == 0 && C % 8 == 0;

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
#define TILECC_DEV_HAS_MMA_SYNC 1
#else
#define TILECC_DEV_HAS_MMA_SYNC 0
#endif
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
#define TILECC_DEV_HAS_MMA_FP8 1
#else
#define TILECC_DEV_HAS_MMA_FP8 0
#endif

// The element type an operand of A is staged in for mma.sync: fp8 stays fp8 where the tensor
// cores take it (sm_89+), and becomes bf16 before (exact: bf16 holds every e4m3 and e5m2 value,
// so the products and sums are those of the fp8 instruction).
template <class A> using mma_stage_t = conditional_t<is_fp8_v<A> && !TILECC_DEV_HAS_MMA_FP8, __nv_bfloat16, A>;

// How the warps of a block split the (R/16) x (C/8) output tiles: a warps_m x warps_n grid of
// warps, each owning tm x tn adjacent tiles. Chosen to load the fewest operand fragments per
// k-step (an A fragment is 4 8x8 matrices, a B fragment 2); warps beyond the grid idle when
// there are fewer tiles than warps.
template <int R, int C, int warps> struct mma_grid {
  static constexpr int tiles_m = R / 16, tiles_n = C / 8;
  __host__ __device__ static constexpr int choose_warps_m() {
    int best = 0, best_cost = 1 << 30;
    for (int wm = 1; wm <= warps; wm *= 2) {
      const int wn = warps / wm;
      if (wm > tiles_m || wn > tiles_n) continue;
      const int cost = 2 * (tiles_m / wm) + tiles_n / wn;
      if (cost < best_cost) {
        best_cost = cost;
        best = wm;
      }
    }
    return best > 0 ? best : cmin(warps, tiles_m);
  }
  static constexpr int warps_m = choose_warps_m();
  static constexpr int warps_n = cmin(warps / warps_m, tiles_n);
  static constexpr int active = warps_m * warps_n;
  static constexpr int tm = tiles_m / warps_m, tn = tiles_n / warps_n;
};

// Rows of products handed back per round through `budget` bytes of shared memory: a power of
// two >= 16 dividing R (sizing::mma_out_rows).
template <int R, int C> __host__ __device__ constexpr int mma_out_rows(int budget) {
  return static_cast<int>(sizing::mma_out_rows(R, C, budget));
}

#if TILECC_DEV_HAS_MMA_SYNC
__device__ __forceinline__ unsigned shared_address(const void *p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(p)));
}
__device__ __forceinline__ void ldmatrix_x4_trans(unsigned (&r)[4], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(p)));
}
__device__ __forceinline__ void ldmatrix_x2_trans(unsigned (&r)[2], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, [%2];\n"
               : "=r"(r[0]), "=r"(r[1])
               : "r"(shared_address(p)));
}
__device__ __forceinline__ void ldmatrix_x2(unsigned (&r)[2], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.shared.b16 {%0, %1}, [%2];\n"
               : "=r"(r[0]), "=r"(r[1])
               : "r"(shared_address(p)));
}
#if TILECC_DEV_HAS_MMA_FP8
// d += a (16 x 32 bytes, row) * b (32 x 8 bytes, col), fp8 operands of type E, f32 accumulators.
template <class E>
__device__ __forceinline__ void mma_m16n8k32(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
  if constexpr (is_same_v<E, __nv_fp8_e4m3>) {
    asm volatile(
        "mma.sync.aligned.m16n8k32.row.col.f32.e4m3.e4m3.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  } else {
    static_assert(is_same_v<E, __nv_fp8_e5m2>, "mma_m16n8k32: fp8 operands");
    asm volatile(
        "mma.sync.aligned.m16n8k32.row.col.f32.e5m2.e5m2.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  }
}
#endif
// d += a (16 x 16, row) * b (16 x 8, col), f32 accumulators.
template <class E>
__device__ __forceinline__ void mma_m16n8k16(float (&d)[4], const unsigned (&a)[4], const unsigned (&b)[2]) {
  if constexpr (is_same_v<E, __half>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
        "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  }
}

// The block's R x C products in mma accumulator registers: this warp's tm x tn tiles of
// 16 x 8, four floats per thread each (rows lane/4 and lane/4 + 8, columns 2 * (lane % 4) + 0/1).
template <class E, int R, int C, int warps> struct mma_accumulators {
  using G = mma_grid<R, C, warps>;
  float d[G::tm][G::tn][4];

  __device__ __forceinline__ static int warp() { return static_cast<int>(threadIdx.x) / 32; }
  __device__ __forceinline__ static int lane() { return static_cast<int>(threadIdx.x) % 32; }
  __device__ __forceinline__ static int m_base() { return (warp() / G::warps_n) * G::tm * 16; }
  __device__ __forceinline__ static int n_base() { return (warp() % G::warps_n) * G::tn * 8; }

  __device__ __forceinline__ void zero() {
#pragma unroll
    for (int i = 0; i < G::tm; ++i)
#pragma unroll
      for (int j = 0; j < G::tn; ++j) d[i][j][0] = d[i][j][1] = d[i][j][2] = d[i][j][3] = 0.0f;
  }

  // d += sa (R x K, row-major, leading dim LDA) @ sb (K x C, row-major, leading dim LDB), both
  // in shared memory with 16-byte aligned rows. fp8 E: sb holds B transposed (C x K, leading
  // dim LDB), since ldmatrix transposes 16-bit elements only.
  template <int K, int LDA, int LDB> __device__ __forceinline__ void multiply(const E *sa, const E *sb) {
    if (warp() >= G::active) return;
    const int l = lane();
    if constexpr (is_fp8_v<E>) {
#if TILECC_DEV_HAS_MMA_FP8
      // A: four 8 x 16-byte matrices (rows 0-7 / 8-15, k bytes 0-15 / 16-31) are the m16n8k32
      // A fragment; B^T: two (k bytes 0-15 / 16-31 of 8 columns) are its B fragment.
      const E *a_rows = sa + (m_base() + l % 16) * LDA + (l / 16) * 16;
      const E *b_cols = sb + (n_base() + l % 8) * LDB + ((l / 8) % 2) * 16;
#pragma unroll
      for (int k0 = 0; k0 < K; k0 += 32) {
        unsigned af[G::tm][4], bf[G::tn][2];
#pragma unroll
        for (int i = 0; i < G::tm; ++i) ldmatrix_x4(af[i], a_rows + i * 16 * LDA + k0);
#pragma unroll
        for (int j = 0; j < G::tn; ++j) ldmatrix_x2(bf[j], b_cols + j * 8 * LDB + k0);
#pragma unroll
        for (int i = 0; i < G::tm; ++i)
#pragma unroll
          for (int j = 0; j < G::tn; ++j) mma_m16n8k32<E>(d[i][j], af[i], bf[j]);
      }
#else
      static_assert(is_fp8_v<E> && TILECC_DEV_HAS_MMA_FP8,
                    "mma_accumulators: fp8 operands are staged as bf16 before sm_89");
#endif
    } else {
      const E *a_rows = sa + (m_base() + l % 16) * LDA + (l / 16) * 8;
      const E *b_rows = sb + (l % 16) * LDB + n_base();
#pragma unroll
      for (int k0 = 0; k0 < K; k0 += 16) {
        unsigned af[G::tm][4], bf[G::tn][2];
#pragma unroll
        for (int i = 0; i < G::tm; ++i) ldmatrix_x4(af[i], a_rows + i * 16 * LDA + k0);
#pragma unroll
        for (int j = 0; j < G::tn; j += 2) {
          if (j + 1 < G::tn) {
            unsigned r[4];
            ldmatrix_x4_trans(r, b_rows + k0 * LDB + j * 8 + (l / 16) * 8);
            bf[j][0] = r[0];
            bf[j][1] = r[1];
            bf[j + 1][0] = r[2];
            bf[j + 1][1] = r[3];
          } else {
            ldmatrix_x2_trans(bf[j], b_rows + k0 * LDB + j * 8);
          }
        }
#pragma unroll
        for (int i = 0; i < G::tm; ++i)
#pragma unroll
          for (int j = 0; j < G::tn; ++j) mma_m16n8k16<E>(d[i][j], af[i], bf[j]);
      }
    }
  }

  // out[0:rows, 0:cols] = products, converted to TO, straight from the registers.
  template <class TO, class Epi = store_products>
  __device__ __forceinline__ void store(TO *out, long long row_stride, long long col_stride, int rows, int cols,
                                        const Epi &epi = Epi{}) const {
    if (warp() < G::active) store_mma_products(out, row_stride, col_stride, rows, cols, d, m_base(), n_base(), epi);
  }

  // acc += products, handed over through shared `so` in rounds of RC rows. The caller makes
  // sure nobody still reads what `so` overlaps; the block is synchronized on return.
  template <int RC, class L> __device__ __forceinline__ void add_to(Frag<float, R, C, L> &acc, float *so) const {
    constexpr int ldo = C + 4;
    const int l = lane();
    const bool active = warp() < G::active;
#pragma unroll
    for (int r0 = 0; r0 < R; r0 += RC) {
      if (active) {
#pragma unroll
        for (int i = 0; i < G::tm; ++i) {
          const int m0 = m_base() + i * 16 - r0;
          if (m0 >= 0 && m0 < RC) {
#pragma unroll
            for (int j = 0; j < G::tn; ++j) {
              float *p = so + (m0 + l / 4) * ldo + n_base() + j * 8 + (l % 4) * 2;
              p[0] = d[i][j][0];
              p[1] = d[i][j][1];
              p[8 * ldo] = d[i][j][2];
              p[8 * ldo + 1] = d[i][j][3];
            }
          }
        }
      }
      __syncthreads();
#pragma unroll
      for (int i = 0; i < Frag<float, R, C, L>::er; ++i) {
        const int r = acc.row(i) - r0;
        if (r >= 0 && r < RC) {
#pragma unroll
          for (int j = 0; j < Frag<float, R, C, L>::ec; ++j) acc.v[i][j] += so[r * ldo + cmin(acc.col(j), C - 1)];
        }
      }
      __syncthreads();
    }
  }
};

// An operand b staged as its transpose: trans(f) of a fragment, the fragment of a trans().
template <class F> __device__ __forceinline__ Transposed<F> transposed_operand(const F &f) { return {f}; }
template <class F> __device__ __forceinline__ const F &transposed_operand(const Transposed<F> &t) { return t.f; }

// One stage of mma.sync operands in shared memory, elements of S: f16/bf16 as a (R x K, rows of
// K + 8) and b (K x C, rows of C + 8); fp8 as a (rows of K + 16 bytes) and b transposed (C x K,
// rows of K + 16 bytes). The padding keeps 16-byte rows and sends the 8 rows an ldmatrix reads
// to different banks. The fp8 stage is smaller than the 16-bit one of the same extents, so
// buffers sized by sizing::mma_stage_elems (16-bit) hold either.
template <class S, int R, int K, int C> struct mma_stage {
  static constexpr bool fp8 = is_fp8_v<S>;
  static constexpr int lda = fp8 ? K + 16 : K + 8;
  static constexpr int ldb = fp8 ? K + 16 : C + 8;
  static constexpr int b_offset = R * lda;  // elements of S before b
  static constexpr int bytes = (R * lda + (fp8 ? C : K) * ldb) * static_cast<int>(sizeof(S));
  static_assert(bytes <= (R * (K + 8) + K * (C + 8)) * 2, "mma_stage: fp8 stage larger than the 16-bit one");

  template <class OA, class OB> __device__ __forceinline__ static void stage(S *sa, const OA &a, const OB &b) {
    stage_tile<S, lda>(sa, a);
    if constexpr (fp8)
      stage_tile<S, ldb>(sa + b_offset, transposed_operand(b));
    else
      stage_tile<S, ldb>(sa + b_offset, b);
  }
};

template <class T, int R, int C, class L, class OA, class OB>
__device__ __forceinline__ void dot_mma(Frag<T, R, C, L> &acc, const OA &a, const OB &b) {
  using S = mma_stage_t<typename dot_operand<OA>::type>;
  constexpr int K = dot_operand<OA>::cols;
  using Stage = mma_stage<S, R, K, C>;
  constexpr int stage_bytes = (R * (K + 8) + K * (C + 8)) * 2;
  constexpr int out_rows = mma_out_rows<R, C>(cmax(stage_bytes, 16 * (C + 4) * 4));
  constexpr int bytes = static_cast<int>(sizing::dot_mma_bytes(R, K, C));
  static_assert(bytes == cmax(stage_bytes, out_rows * (C + 4) * 4), "dot_mma: staging layout");
  static_assert(bytes <= dot_shared_limit,
                "dot (mma): operands need more than 48 KB of shared memory; use smaller tiles");
  __shared__ uint4 smem[(bytes + 15) / 16];
  S *sa = reinterpret_cast<S *>(smem);

  Stage::stage(sa, a, b);
  __syncthreads();
  mma_accumulators<S, R, C, L::threads / 32> products;
  products.zero();
  products.template multiply<K, Stage::lda, Stage::ldb>(sa, sa + Stage::b_offset);
  __syncthreads(); // the operands are used up: their buffer takes the products
  products.template add_to<out_rows>(acc, reinterpret_cast<float *>(smem));
}

// The tensor-core k-loop: operands go global -> registers (16-byte loads in layouts of their
// own) -> shared (two stages when they fit in 48 KB, so one barrier per step), while the
// products stay in mma registers until the end.
// Shared bytes dot_loop_mma needs (sizing::dot_loop_mma_bytes).
template <int BK, int R, int C> __host__ __device__ constexpr int dot_loop_mma_bytes() {
  return static_cast<int>(sizing::dot_loop_mma_bytes(R, BK, C));
}

// The k step dot_loop_store's dot_loop_mma fallback walks in: BK, or BK halved while its
// staging does not fit in 48 KB (the sum is the same; big wgmma tiles at BK = 64 need this;
// sizing::mma_k_step).
template <int BK, int R, int C> __host__ __device__ constexpr int mma_k_step() {
  return static_cast<int>(sizing::mma_k_step(R, BK, C));
}

// shared: dot_loop_mma_bytes<BK, R, C>() bytes, 16-byte aligned (the caller's static buffer,
// which it may share with another path).
// LIMIT: the bytes at `shared` (48 KB of static memory, or the kernel's dynamic memory where a
// pipelined dot falls back to this loop at run time).
// Row r of a's tile lies at a's row a_rows(r) (rows.cuh).
template <int BK, int NT, int R, int C, class S, class A, class B, int LIMIT = dot_shared_limit,
          class ARows = dense_rows>
__device__ __forceinline__ void mma_k_loop(mma_accumulators<S, R, C, NT / 32> &products, const A *a,
                                           long long a_row_stride, long long a_col_stride, const B *b,
                                           long long b_row_stride, long long b_col_stride, long long k_begin,
                                           long long k_end, int rows, int cols, uint4 *shared,
                                           const ARows &a_rows = ARows{}) {
  using LA = Layout<NT, cmin(cmax(BK / 8, 1), NT)>;
  using LB = Layout<NT, cmin(cmax(C / 8, 1), NT)>;
  using Stage = mma_stage<S, R, BK, C>;
  // Stages keep the 16-bit layout's stride (an fp8 stage fits in it).
  constexpr int stage_elems = R * (BK + 8) + BK * (C + 8);
  constexpr int stages = static_cast<int>(sizing::dot_loop_mma_stages(R, BK, C));
  static_assert(stage_elems == sizing::mma_stage_elems(R, BK, C), "dot_loop_mma: staging layout");
  constexpr int bytes = dot_loop_mma_bytes<BK, R, C>();
  static_assert(bytes <= LIMIT,
                "dot_loop (mma): operands need more than 48 KB of shared memory; use smaller "
                "tiles");
  uint4 *const smem = shared;
  char *const stage0 = reinterpret_cast<char *>(smem);

  Frag<A, R, BK, LA> fa;
  Frag<B, BK, C, LB> fb;
  load<Access<LoadHint::none>>(fa, a + k_begin * a_col_stride, a_rows, a_row_stride, a_col_stride, rows,
                               k_step<BK>(k_begin, k_end));
  load<Access<LoadHint::none>>(fb, b + k_begin * b_row_stride, b_row_stride, b_col_stride, k_step<BK>(k_begin, k_end),
                               cols);
  int stage = 0;
  for (long long k0 = k_begin;;) {
    S *sa = reinterpret_cast<S *>(stage0 + stage * stage_elems * 2);
    Stage::stage(sa, fa, fb);
    const long long k1 = k0 + BK;
    const bool more = k1 < k_end;
    if (more) { // in flight while this step multiplies
      load<Access<LoadHint::none>>(fa, a + k1 * a_col_stride, a_rows, a_row_stride, a_col_stride, rows,
                                   k_step<BK>(k1, k_end));
      load<Access<LoadHint::none>>(fb, b + k1 * b_row_stride, b_row_stride, b_col_stride, k_step<BK>(k1, k_end), cols);
    }
    __syncthreads();
    products.template multiply<BK, Stage::lda, Stage::ldb>(sa, sa + Stage::b_offset);
    if (stages == 1 || !more) __syncthreads(); // before the buffer is written again
    if (!more) break;
    k0 = k1;
    stage = stages == 2 ? stage ^ 1 : 0;
  }
}

template <int BK, class T, int R, int C, class L, class A, class B>
__device__ __forceinline__ void dot_loop_mma(Frag<T, R, C, L> &acc, const A *a, long long a_row_stride,
                                             long long a_col_stride, const B *b, long long b_row_stride,
                                             long long b_col_stride, long long k_begin, long long k_end, int rows,
                                             int cols, uint4 *shared) {
  constexpr int out_rows = static_cast<int>(sizing::dot_loop_mma_out_rows(R, BK, C));
  mma_accumulators<mma_stage_t<A>, R, C, L::threads / 32> products;
  products.zero();
  mma_k_loop<BK, L::threads>(products, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin, k_end,
                             rows, cols, shared);
  products.template add_to<out_rows>(acc, reinterpret_cast<float *>(shared));
}

// out = a @ b over the k-loop, stored from the mma registers (no acc fragment).
template <int BK, int NT, int R, int C, class TO, class A, class B, int LIMIT = dot_shared_limit,
          class Epi = store_products, class ARows = dense_rows>
__device__ __forceinline__ void dot_store_mma(TO *out, long long out_row_stride, long long out_col_stride, const A *a,
                                              long long a_row_stride, long long a_col_stride, const B *b,
                                              long long b_row_stride, long long b_col_stride, long long k_begin,
                                              long long k_end, int rows, int cols, uint4 *shared,
                                              const Epi &epi = Epi{}, const ARows &a_rows = ARows{}) {
  mma_accumulators<mma_stage_t<A>, R, C, NT / 32> products;
  products.zero();
  mma_k_loop<BK, NT, R, C, mma_stage_t<A>, A, B, LIMIT>(products, a, a_row_stride, a_col_stride, b, b_row_stride,
                                                        b_col_stride, k_begin, k_end, rows, cols, shared, a_rows);
  products.store(out, out_row_stride, out_col_stride, rows, cols, epi);
}
#endif

} // namespace detail

// acc += a @ b, accumulating in compute_t<T>; elements of a and b outside their extents count
// as zero. acc keeps its extents.
// Either operand may be trans(f), read as f's transpose.
template <class T, int R, int C, class L, class OA, class OB>
__device__ __forceinline__ void dot(Frag<T, R, C, L> &acc, const OA &a, const OB &b) {
  using A = typename detail::dot_operand<OA>::type;
  using B = typename detail::dot_operand<OB>::type;
  constexpr int K = detail::dot_operand<OA>::cols;
  static_assert(detail::dot_operand<OA>::rows == R && detail::dot_operand<OB>::cols == C &&
                    detail::dot_operand<OB>::rows == K,
                "dot: operand extents do not match (a: R x K, b: K x C, acc: R x C)");
#if TILECC_DEV_HAS_MMA_SYNC
  if constexpr (detail::dot_mma_eligible<T, R, K, C, A, B>)
    detail::dot_mma(acc, a, b);
  else
    detail::dot_simt(acc, a, b);
#else
  detail::dot_simt(acc, a, b);
#endif
}

namespace detail {
// dot_loop off the tensor cores: each step's operands are loaded while the previous step
// multiplies. BK is at most the step whose SIMT staging fits (simt_k_step).
// Row r of a's tile lies at a's row a_rows(r) (rows.cuh).
template <int BK, class T, int R, int C, class L, class A, class B, class ARows = dense_rows>
__device__ __forceinline__ void dot_loop_general(Frag<T, R, C, L> &acc, const A *a, long long a_row_stride,
                                                 long long a_col_stride, const B *b, long long b_row_stride,
                                                 long long b_col_stride, long long k_begin, long long k_end,
                                                 long long rows, long long cols, const ARows &a_rows = ARows{}) {
  Frag<remove_cv_t<A>, R, BK, L> fa;
  Frag<remove_cv_t<B>, BK, C, L> fb;
  load<Access<LoadHint::none>>(fa, a + k_begin * a_col_stride, a_rows, a_row_stride, a_col_stride,
                               static_cast<int>(rows), detail::k_step<BK>(k_begin, k_end));
  load<Access<LoadHint::none>>(fb, b + k_begin * b_row_stride, b_row_stride, b_col_stride,
                               detail::k_step<BK>(k_begin, k_end), static_cast<int>(cols));
  for (long long k0 = k_begin;;) {
    const long long k1 = k0 + BK;
    const bool more = k1 < k_end;
    Frag<remove_cv_t<A>, R, BK, L> next_a;
    Frag<remove_cv_t<B>, BK, C, L> next_b;
    if (more) {
      load<Access<LoadHint::none>>(next_a, a + k1 * a_col_stride, a_rows, a_row_stride, a_col_stride,
                                   static_cast<int>(rows), detail::k_step<BK>(k1, k_end));
      load<Access<LoadHint::none>>(next_b, b + k1 * b_row_stride, b_row_stride, b_col_stride,
                                   detail::k_step<BK>(k1, k_end), static_cast<int>(cols));
    }
    dot(acc, fa, fb);
    if (!more) break;
    fa = next_a;
    fb = next_b;
    k0 = k1;
  }
}
} // namespace detail

// The k-loop of a tile matmul: for k0 in [k_begin, k_end) step BK,
//   acc += a[0:rows, k0:k0+BK] @ b[k0:k0+BK, 0:cols]
// where a(r, k) = a[r * a_row_stride + k * a_col_stride] and
//       b(k, c) = b[k * b_row_stride + c * b_col_stride] (k counted from the tensor's start,
// so pass pointers to the rows/columns of the output tile, not to k_begin). The last step may
// be short. Row-major f16/bf16 operands with 16-byte aligned rows, R and C multiples of 64 and
// BK a multiple of 32 take the cp.async + mma.sync pipeline of dot_pipeline.cuh. Otherwise the
// next step's operands are loaded while this step multiplies; f16/bf16 operands
// (R % 16 == 0, BK % 16 == 0, C % 8 == 0) keep the products in tensor-core registers across
// the whole loop.
// STAGES: cp.async stages of the pipeline (2..4; 0 = as many as fit).
template <int BK, int STAGES = 0, class T, int R, int C, class L, class PA, class PB>
__device__ __forceinline__ void dot_loop(Frag<T, R, C, L> &acc, const PA *a, long long a_row_stride,
                                         long long a_col_stride, const PB *b, long long b_row_stride,
                                         long long b_col_stride, long long k_begin, long long k_end, long long rows,
                                         long long cols) {
  using A = remove_cv_t<PA>;
  using B = remove_cv_t<PB>;
  if (k_begin >= k_end) return;
#if TILECC_DEV_HAS_MMA_SYNC
  if constexpr (detail::dot_pipeline_eligible<T, R, BK, C, L::threads, A, B, STAGES>) {
    // One buffer for both paths (static shared arrays of inlined calls do not overlap).
    constexpr int bytes = cmax(detail::pipe_smem<R, C, BK, STAGES>::bytes, detail::dot_loop_mma_bytes<BK, R, C>());
    __shared__ uint4 smem[(bytes + 15) / 16];
    if (detail::dot_pipeline_usable(a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin))
      detail::dot_loop_pipeline<BK, STAGES>(acc, a, a_row_stride, b, b_row_stride, k_begin, k_end,
                                            static_cast<int>(rows), static_cast<int>(cols), smem);
    else
      detail::dot_loop_mma<BK>(acc, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin, k_end,
                               static_cast<int>(rows), static_cast<int>(cols), smem);
    return;
  }
  if constexpr (detail::dot_mma_eligible<T, R, BK, C, A, B>) {
    __shared__ uint4 smem[(detail::dot_loop_mma_bytes<BK, R, C>() + 15) / 16];
    detail::dot_loop_mma<BK>(acc, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin, k_end,
                             static_cast<int>(rows), static_cast<int>(cols), smem);
    return;
  }
#endif
  detail::dot_loop_general<detail::simt_k_step<compute_t<T>, R, BK, C>()>(acc, a, a_row_stride, a_col_stride, b,
                                                                          b_row_stride, b_col_stride, k_begin, k_end,
                                                                          rows, cols);
}

// out[0:rows, 0:cols] = cast<TO>(a @ b) over the k-loop of dot_loop (same operands and
// conditions), for the pattern `acc = zeros; for tk: acc = dot(.., acc); out[..] = cast(acc)`
// with acc dead afterwards: on the tensor-core paths the products are stored straight from the
// mma registers, so no R x C register fragment lives beside them (half the registers, which
// is what lets 4 warps hold a 128 x 128 tile). Elsewhere it is dot_loop then store.
// DYNAMIC_SMEM > 0: the kernel was launched with that many bytes of dynamic shared memory (at
// least the pipeline's STAGES stages and dot_loop_mma_bytes), which may go beyond 48 KB.
// INSTR: the tensor-core instruction asked for, dot_mma_sync or dot_wgmma (sm_90a, the
// pipeline of dot_wgmma.cuh, in dynamic shared memory; where it cannot be used, mma.sync),
// with dot_in_loop added where the call sits in a device loop (detail::make_opaque says why).
// EPI: the epilogue the products leave the registers through (mma_store.cuh): a fused
// elementwise function of the product and its place, stored or added atomically, to the
// output's rows or scattered to the rows an index tensor names (scattered()).
// a_rows: where a's tile rows lie (rows.cuh): themselves, or gathered by an index tensor
// (a[ids, tk]); every path reads a gathered row's address once, where its copies start.
inline constexpr int dot_mma_sync = 0, dot_wgmma = 1, dot_in_loop = 2;

namespace detail {
// Turns each v into a value the compiler cannot see through. A dot_loop_store in a device loop
// (a group's row tiles; INSTR has dot_in_loop) passes its run-time operands through this where
// it starts, so that nothing the k-loop derives from the loop's invariants (b's column offset,
// strides, k) is hoisted out of that loop and kept live beside the accumulators: hoisted, they
// spill 0.4-1.1 KB at a 128 x 128 tile. It emits no instruction, but outside loops it costs a
// few registers (4 warps of 128 x 128 mma.sync then spill 4 bytes), so only loops ask for it.
template <class T> __device__ __forceinline__ void make_opaque(T &v) {
  static_assert(sizeof(T) == 8, "make_opaque: 64-bit values (pointers, long long)");
  asm volatile("" : "+l"(v));
}
template <class... T> __device__ __forceinline__ void make_opaque_each(T &...v) { (make_opaque(v), ...); }

// out[0:rows, 0:cols] = epi(acc) element by element (dot_loop_store off the tensor cores).
template <class TO, int R, int C, class L, class Epi>
__device__ __forceinline__ void store_epilogue(TO *out, const Frag<float, R, C, L> &acc, long long row_stride,
                                               long long col_stride, const Epi &epi) {
  if constexpr (is_same_v<Epi, store_products>) {
    store<Access<StoreHint::none>>(out, cast<TO>(acc), row_stride, col_stride);
  } else {
#pragma unroll
    for (int i = 0; i < acc.er; ++i)
#pragma unroll
      for (int j = 0; j < acc.ec; ++j)
        if (acc.owner(i, j)) {
          const int r = acc.row(i), c = acc.col(j);
          TO *p = out + epi.row(r) * row_stride + static_cast<long long>(c) * col_stride;
          const TO v = convert<TO>(epi(acc.v[i][j], r, c));
          if constexpr (Epi::atomic)
            atomic_update_element<AtomicOp::add>(p, v);
          else
            *p = v;
        }
  }
}
} // namespace detail

template <int BK, int STAGES, int R, int C, class L, int DYNAMIC_SMEM = 0, int INSTR = dot_mma_sync, class TO, class PA,
          class PB, class Epi = store_products, class ARows = dense_rows>
__device__ __forceinline__ void dot_loop_store(TO *out, long long out_row_stride, long long out_col_stride, const PA *a,
                                               long long a_row_stride, long long a_col_stride, const PB *b,
                                               long long b_row_stride, long long b_col_stride, long long k_begin,
                                               long long k_end, long long rows, long long cols, const Epi &epi = Epi{},
                                               const ARows &a_rows = ARows{}) {
  using A = remove_cv_t<PA>;
  using B = remove_cv_t<PB>;
  if constexpr ((INSTR & dot_in_loop) != 0)
    detail::make_opaque_each(out, out_row_stride, out_col_stride, a, a_row_stride, a_col_stride, b, b_row_stride,
                             b_col_stride, k_end, cols);
  const int r = static_cast<int>(rows), c = static_cast<int>(cols);
#if TILECC_DEV_HAS_WGMMA
  if constexpr ((INSTR & dot_wgmma) != 0 && DYNAMIC_SMEM > 0 &&
                detail::dot_wgmma_eligible<BK, R, C, L::threads, A, B, STAGES, DYNAMIC_SMEM>) {
    if (k_begin < k_end &&
        detail::dot_pipeline_usable(a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin)) {
      extern __shared__ uint4 tilecc_dynamic_shared[];
      detail::dot_store_wgmma<L::threads, R, C, STAGES, DYNAMIC_SMEM>(out, out_row_stride, out_col_stride, a,
                                                                      a_row_stride, b, b_row_stride, k_begin, k_end, r,
                                                                      c, tilecc_dynamic_shared, epi, a_rows);
      return;
    }
  }
  if constexpr ((INSTR & dot_wgmma) != 0 && DYNAMIC_SMEM > 0 &&
                detail::dot_wgmma_fp8_eligible<R, C, L::threads, A, B, STAGES, DYNAMIC_SMEM>) {
    if (k_begin < k_end &&
        detail::dot_wgmma_fp8_usable(a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin)) {
      extern __shared__ uint4 tilecc_dynamic_shared[];
      detail::dot_store_wgmma<L::threads, R, C, STAGES, DYNAMIC_SMEM, detail::wgmma_kmajor_b>(
          out, out_row_stride, out_col_stride, a, a_row_stride, b, b_col_stride, k_begin, k_end, r, c,
          tilecc_dynamic_shared, epi, a_rows);
      return;
    }
  }
#endif
#if TILECC_DEV_HAS_MMA_SYNC
  // At the k step it walks in (fp8 needs steps of 32).
  constexpr bool tensor_cores = detail::dot_mma_eligible<float, R, detail::mma_k_step<BK, R, C>(), C, A, B>;
#else
  constexpr bool tensor_cores = false;
#endif
  if constexpr (tensor_cores) {
#if TILECC_DEV_HAS_MMA_SYNC
    constexpr int MMA_BK = detail::mma_k_step<BK, R, C>();
    if (k_begin < k_end) {
      constexpr int LIMIT = DYNAMIC_SMEM > 0 ? DYNAMIC_SMEM : detail::pipe_shared_limit;
      if constexpr (detail::dot_pipeline_eligible<float, R, BK, C, L::threads, A, B, STAGES, LIMIT>) {
        constexpr int bytes =
            cmax(detail::pipe_smem<R, C, BK, STAGES, LIMIT>::bytes, detail::dot_loop_mma_bytes<MMA_BK, R, C>());
        uint4 *smem;
        if constexpr (DYNAMIC_SMEM > 0) {
          static_assert(bytes <= DYNAMIC_SMEM, "dot_loop_store: dynamic shared memory too small");
          extern __shared__ uint4 tilecc_dynamic_shared[];
          smem = tilecc_dynamic_shared;
        } else {
          __shared__ uint4 static_smem[(bytes + 15) / 16];
          smem = static_smem;
        }
        if (detail::dot_pipeline_usable(a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin))
          detail::dot_store_pipeline<BK, STAGES, LIMIT, R, C, L::threads>(out, out_row_stride, out_col_stride, a,
                                                                          a_row_stride, b, b_row_stride, k_begin, k_end,
                                                                          r, c, smem, epi, a_rows);
        else  // in the pipeline's memory (dynamic when the kernel has it), which also holds this loop's
          detail::dot_store_mma<MMA_BK, L::threads, R, C, TO, A, B, (DYNAMIC_SMEM > 0 ? DYNAMIC_SMEM : bytes)>(
              out, out_row_stride, out_col_stride, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride,
              k_begin, k_end, r, c, smem, epi, a_rows);
      } else {
        // The kernel's dynamic shared memory when it has enough (it is there for wgmma), so
        // that static and dynamic do not add up.
        constexpr int bytes = detail::dot_loop_mma_bytes<MMA_BK, R, C>();
        uint4 *smem;
        if constexpr (DYNAMIC_SMEM >= bytes) {
          extern __shared__ uint4 tilecc_dynamic_shared[];
          smem = tilecc_dynamic_shared;
        } else {
          __shared__ uint4 static_smem[(bytes + 15) / 16];
          smem = static_smem;
        }
        detail::dot_store_mma<MMA_BK, L::threads, R, C>(out, out_row_stride, out_col_stride, a, a_row_stride,
                                                        a_col_stride, b, b_row_stride, b_col_stride, k_begin, k_end, r,
                                                        c, smem, epi, a_rows);
      }
      return;
    }
#endif
    // An empty k range: the products are zeros.
    detail::store_epilogue(out, full<float, R, C, L>(0.0f, r, c), out_row_stride, out_col_stride, epi);
  } else {
    auto acc = full<float, R, C, L>(0.0f, r, c);
    if constexpr (ARows::dense)
      dot_loop<BK, STAGES>(acc, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin, k_end, rows,
                           cols);
    else if (k_begin < k_end)  // gathered rows: off the tensor cores, the general loop
      detail::dot_loop_general<detail::simt_k_step<float, R, BK, C>()>(acc, a, a_row_stride, a_col_stride, b,
                                                                       b_row_stride, b_col_stride, k_begin, k_end, rows,
                                                                       cols, a_rows);
    detail::store_epilogue(out, acc, out_row_stride, out_col_stride, epi);
  }
}

} // namespace dev
} // namespace tilecc

#include "dot_mma_rows.cuh"
#include "dot_wgmma_tma.cuh"
#include "dot_wgmma_ws.cuh"
