// dot(acc, a, b): acc += a @ b for fragments of one block, a: R x K, b: K x C, acc: R x C.
//
// Both operands are staged through shared memory (elements outside their extents as zero),
// then each thread adds the products for its own acc elements. Two paths:
//   - tensor cores (sm_80+): f16 x f16 or bf16 x bf16 into a float acc with R % 16 == 0,
//     K % 16 == 0, C % 8 == 0: the warps share out the 16 x 8 output tiles, load operands
//     with ldmatrix and multiply with mma.sync m16n8k16, and hand the products back through
//     shared memory (in rounds of rows when the whole product does not fit);
//   - SIMT otherwise: operands staged as compute_t<T> (float), one FMA per product.
// Shared memory is a static buffer per dot instantiation (at most 48 KB: with float staging
// R, K, C up to 64 fit). The whole block must call dot (it synchronizes the block).
#pragma once

#include "frag.cuh"
#include "memory.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {
namespace detail {

inline constexpr int dot_shared_limit = 48 * 1024;

__host__ __device__ constexpr int round_up(int x, int m) { return (x + m - 1) / m * m; }

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
    if (!row_home || r >= R)
      continue;
#pragma unroll
    for (int g = 0; g < F::ec / V; ++g) {
      S tmp[V];
#pragma unroll
      for (int k = 0; k < V; ++k)
        tmp[k] = f.valid(i, g * V + k) ? convert<S>(f.v[i][g * V + k]) : zero<S>();
      if constexpr (vectorized) {
        store_vector(s + r * LD + f.col(g * V), tmp);
      } else {
#pragma unroll
        for (int k = 0; k < V; ++k) {
          const int c = f.col(g * V + k);
          if (col_home && c < C)
            s[r * LD + c] = tmp[k];
        }
      }
    }
  }
}

template <class T, int R, int K, int C, class L, class A, class B>
__device__ __forceinline__ void dot_simt(Frag<T, R, C, L> &acc, const Frag<A, R, K, L> &a,
                                         const Frag<B, K, C, L> &b) {
  using F = Frag<T, R, C, L>;
  using S = compute_t<T>;
  constexpr int lda = K + 1;              // odd: rows of a fall in different banks
  constexpr int ldb = round_up(C, 4) + 4; // keeps 16-byte rows for vector reads
  constexpr int a_elems = round_up(R * lda, 16 / static_cast<int>(sizeof(S)));
  constexpr int bytes = (a_elems + K * ldb) * static_cast<int>(sizeof(S));
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
  for (int i = 0; i < F::er; ++i)
    rows[i] = cmin(acc.row(i), R - 1) * lda;
#pragma unroll
  for (int j = 0; j < F::ec; ++j)
    cols[j] = cmin(acc.col(j), C - 1);
  S sum[F::er][F::ec];
#pragma unroll
  for (int i = 0; i < F::er; ++i)
#pragma unroll
    for (int j = 0; j < F::ec; ++j)
      sum[i][j] = convert<S>(acc.v[i][j]);

  constexpr int V = F::vec;
  constexpr int unit = vector_unit<S, V>();
  constexpr bool vector_b = rows_keep_alignment(ldb * static_cast<int>(sizeof(S)), unit);
#pragma unroll 4
  for (int k = 0; k < K; ++k) {
    S av[F::er], bv[F::ec];
#pragma unroll
    for (int i = 0; i < F::er; ++i)
      av[i] = sa[rows[i] + k];
#pragma unroll
    for (int g = 0; g < F::ec / V; ++g) {
      if constexpr (vector_b) {
        S tmp[V];
        load_vector(sb + k * ldb + cols[g * V], tmp);
#pragma unroll
        for (int e = 0; e < V; ++e)
          bv[g * V + e] = tmp[e];
      } else {
#pragma unroll
        for (int e = 0; e < V; ++e)
          bv[g * V + e] = sb[k * ldb + cols[g * V + e]];
      }
    }
#pragma unroll
    for (int i = 0; i < F::er; ++i)
#pragma unroll
      for (int j = 0; j < F::ec; ++j)
        sum[i][j] += av[i] * bv[j];
  }
#pragma unroll
  for (int i = 0; i < F::er; ++i)
#pragma unroll
    for (int j = 0; j < F::ec; ++j)
      acc.v[i][j] = convert<T>(sum[i][j]);
  __syncthreads();
}

template <class T, int R, int K, int C, class A, class B>
inline constexpr bool dot_mma_eligible =
    is_same_v<T, float> &&is_same_v<A, B> &&is_low_precision_v<A> &&R % 16 == 0 && K % 16 == 0 &&
    C % 8 == 0;

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
#define TILECC_DEV_HAS_MMA_SYNC 1
#else
#define TILECC_DEV_HAS_MMA_SYNC 0
#endif

#if TILECC_DEV_HAS_MMA_SYNC
__device__ __forceinline__ unsigned shared_address(const void *p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
__device__ __forceinline__ void ldmatrix_x4(unsigned (&r)[4], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_address(p)));
}
__device__ __forceinline__ void ldmatrix_x2_trans(unsigned (&r)[2], const void *p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 {%0, %1}, [%2];\n"
               : "=r"(r[0]), "=r"(r[1])
               : "r"(shared_address(p)));
}
// d += a (16 x 16, row) * b (16 x 8, col), f32 accumulators.
template <class E>
__device__ __forceinline__ void mma_m16n8k16(float (&d)[4], const unsigned (&a)[4],
                                             const unsigned (&b)[2]) {
  if constexpr (is_same_v<E, __half>) {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, "
                 "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  } else {
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, "
                 "{%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
  }
}

// Rows of products handed back per round: a multiple of 16 that keeps the operands plus the
// products within the shared-memory limit and at most 8 output tiles (32 floats) per warp.
template <int R, int C, int warps, int stage_bytes>
__host__ __device__ constexpr int mma_chunk_rows() {
  int rows = R;
  while (rows > 16 &&
         (stage_bytes + rows * (C + 4) * 4 > dot_shared_limit || (rows / 16) * (C / 8) > 8 * warps))
    rows /= 2;
  return rows;
}

template <class T, int R, int K, int C, class L, class A, class B>
__device__ __forceinline__ void dot_mma(Frag<T, R, C, L> &acc, const Frag<A, R, K, L> &a,
                                        const Frag<B, K, C, L> &b) {
  using F = Frag<T, R, C, L>;
  constexpr int lda = K + 8; // +16 bytes: the 8 rows of an ldmatrix hit different banks
  constexpr int ldb = C + 8;
  constexpr int ldo = C + 4;
  constexpr int warps = L::threads / 32;
  constexpr int stage_bytes = (R * lda + K * ldb) * 2;
  constexpr int chunk = mma_chunk_rows<R, C, warps, stage_bytes>();
  constexpr int bytes = stage_bytes + chunk * ldo * 4;
  static_assert(bytes <= dot_shared_limit,
                "dot (mma): operands need more than 48 KB of shared memory; use smaller tiles");
  __shared__ uint4 smem[(bytes + 15) / 16];
  A *sa = reinterpret_cast<A *>(smem);
  B *sb = reinterpret_cast<B *>(sa + R * lda);
  float *so = reinterpret_cast<float *>(reinterpret_cast<unsigned char *>(smem) + stage_bytes);

  stage_tile<A, lda>(sa, a);
  stage_tile<B, ldb>(sb, b);
  __syncthreads();

  // Each round: the warps share out the 16 x 8 tiles of `chunk` rows, multiply, and leave the
  // products in `so`, from where every thread adds its own acc elements.
  constexpr int tiles_n = C / 8, tiles = (chunk / 16) * tiles_n;
  constexpr int per_warp = (tiles + warps - 1) / warps;
  const int warp = L::tid() / 32, lane = L::tid() % 32;
#pragma unroll
  for (int r0 = 0; r0 < R; r0 += chunk) {
#pragma unroll
    for (int t = 0; t < per_warp; ++t) {
      const int tile = warp + t * warps;
      if (tile < tiles) {
        const int m0 = (tile / tiles_n) * 16, n0 = (tile % tiles_n) * 8;
        float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
        for (int k0 = 0; k0 < K; k0 += 16) {
          unsigned af[4], bf[2];
          ldmatrix_x4(af, sa + (r0 + m0 + lane % 16) * lda + k0 + (lane / 16) * 8);
          ldmatrix_x2_trans(bf, sb + (k0 + lane % 16) * ldb + n0);
          mma_m16n8k16<A>(d, af, bf);
        }
        const int r = m0 + lane / 4, c = n0 + (lane % 4) * 2;
        so[r * ldo + c] = d[0];
        so[r * ldo + c + 1] = d[1];
        so[(r + 8) * ldo + c] = d[2];
        so[(r + 8) * ldo + c + 1] = d[3];
      }
    }
    __syncthreads();
#pragma unroll
    for (int i = 0; i < F::er; ++i) {
      const int r = acc.row(i) - r0;
      if (r >= 0 && r < chunk) {
#pragma unroll
        for (int j = 0; j < F::ec; ++j)
          acc.v[i][j] += so[r * ldo + cmin(acc.col(j), C - 1)];
      }
    }
    __syncthreads();
  }
}
#endif

// Width of the k-step starting at k0: BK, or what is left before k_end.
template <int BK> __device__ __forceinline__ int k_step(long long k0, long long k_end) {
  return static_cast<int>(k_end - k0 < BK ? k_end - k0 : BK);
}

} // namespace detail

// acc += a @ b, accumulating in compute_t<T>; elements of a and b outside their extents count
// as zero. acc keeps its extents.
template <class T, int R, int K, int C, class L, class A, class B>
__device__ __forceinline__ void dot(Frag<T, R, C, L> &acc, const Frag<A, R, K, L> &a,
                                    const Frag<B, K, C, L> &b) {
#if TILECC_DEV_HAS_MMA_SYNC
  if constexpr (detail::dot_mma_eligible<T, R, K, C, A, B>)
    detail::dot_mma(acc, a, b);
  else
    detail::dot_simt(acc, a, b);
#else
  detail::dot_simt(acc, a, b);
#endif
}

// The k-loop of a tile matmul: for k0 in [k_begin, k_end) step BK,
//   acc += a[0:rows, k0:k0+BK] @ b[k0:k0+BK, 0:cols]
// where a(r, k) = a[r * a_row_stride + k * a_col_stride] and
//       b(k, c) = b[k * b_row_stride + c * b_col_stride] (k counted from the tensor's start,
// so pass pointers to the rows/columns of the output tile, not to k_begin). The last step may
// be short. The next step's operands are loaded into registers while this step multiplies.
template <int BK, class T, int R, int C, class L, class PA, class PB>
__device__ __forceinline__ void
dot_loop(Frag<T, R, C, L> &acc, const PA *a, long long a_row_stride, long long a_col_stride,
         const PB *b, long long b_row_stride, long long b_col_stride, long long k_begin,
         long long k_end, long long rows, long long cols) {
  using A = remove_cv_t<PA>;
  using B = remove_cv_t<PB>;
  if (k_begin >= k_end)
    return;
  Frag<A, R, BK, L> fa;
  Frag<B, BK, C, L> fb;
  load(fa, a + k_begin * a_col_stride, a_row_stride, a_col_stride, static_cast<int>(rows),
       detail::k_step<BK>(k_begin, k_end));
  load(fb, b + k_begin * b_row_stride, b_row_stride, b_col_stride,
       detail::k_step<BK>(k_begin, k_end), static_cast<int>(cols));
  for (long long k0 = k_begin;;) {
    const long long k1 = k0 + BK;
    const bool more = k1 < k_end;
    Frag<A, R, BK, L> next_a;
    Frag<B, BK, C, L> next_b;
    if (more) {
      load(next_a, a + k1 * a_col_stride, a_row_stride, a_col_stride, static_cast<int>(rows),
           detail::k_step<BK>(k1, k_end));
      load(next_b, b + k1 * b_row_stride, b_row_stride, b_col_stride, detail::k_step<BK>(k1, k_end),
           static_cast<int>(cols));
    }
    dot(acc, fa, fb);
    if (!more)
      break;
    fa = next_a;
    fb = next_b;
    k0 = k1;
  }
}

} // namespace dev
} // namespace tilecc
