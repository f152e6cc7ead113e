// The cp.async side of the shared-memory pipelines (dot_pipeline.cuh, dot_wgmma.cuh): each
// thread's fixed share of one k-step's 16-byte chunks of A (R x BK) and B (BK x C), copied from
// global to shared memory with cp.async.cg.
//
// Where a chunk lands is the pipeline's business: Layout::a_offset(r, c) and
// Layout::b_offset(k, c) give the byte offset from the stage's start of chunk c (8 elements) of
// row r of A or of row k of B. Chunks outside rows / cols / k_end are zero-filled through the
// src-size operand (a partial chunk at the end of k or of cols copies only its valid bytes).
// The per-thread global pointers walk k: a full step costs one add and one cp.async per
// chunk; only the partial last step checks k.
#pragma once

#include "rows.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {
namespace detail {

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800

__device__ __forceinline__ unsigned pipe_smem_addr(const void *p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
// 16 bytes global -> shared, the first src_bytes (0..16) read, the rest zero.
__device__ __forceinline__ void cp_async_16(unsigned dst, const void *src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes) : "memory");
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int N> __device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}

// Steps must be loaded in order (0, 1, 2, ...): load(base, s) reads from the walking pointers.
template <int R, int C, int BK, int NT, class Layout, class A, class B> struct stage_copier {
  static constexpr int A_CPR = BK / 8, B_CPR = C / 8; // 16-byte chunks per row
  static constexpr int A_CHUNKS = R * A_CPR, B_CHUNKS = BK * B_CPR;
  static constexpr int A_PER = (A_CHUNKS + NT - 1) / NT, B_PER = (B_CHUNKS + NT - 1) / NT;

  int a_soff[A_PER], b_soff[B_PER], a_bytes[A_PER], b_bytes[B_PER], a_kc[A_PER], b_kr[B_PER];
  const A *a_next[A_PER];
  const B *b_next[B_PER];
  const A *a;
  const B *b;
  long long b_step, k0, k_end, full_steps;
  int tid;

  // Row r of A's tile lies at A's row a_rows(r) (rows.cuh), read once here.
  template <class ARows = dense_rows>
  __device__ __forceinline__ stage_copier(const A *a_, long long a_row_stride, const B *b_, long long b_row_stride,
                                          long long k_begin, long long k_end_, int rows, int cols,
                                          const ARows &a_rows = ARows{})
      : a(a_), b(b_), b_step(BK * b_row_stride), k0(k_begin), k_end(k_end_), full_steps((k_end_ - k_begin) / BK),
        tid(static_cast<int>(threadIdx.x)) {
#pragma unroll
    for (int i = 0; i < A_PER; ++i) {
      const int id = tid + i * NT;
      const int r = id / A_CPR, c = id % A_CPR;
      const bool ok = (A_CHUNKS % NT == 0 || id < A_CHUNKS) && r < rows;
      a_bytes[i] = ok ? 16 : 0;
      a_soff[i] = Layout::a_offset(r, c);
      a_kc[i] = c * 8;
      a_next[i] = a + (ok ? a_rows(r) : 0LL) * a_row_stride + k_begin + c * 8;
    }
#pragma unroll
    for (int i = 0; i < B_PER; ++i) {
      const int id = tid + i * NT;
      const int r = id / B_CPR, c = id % B_CPR;
      const int left = cols - c * 8;
      const bool ok = (B_CHUNKS % NT == 0 || id < B_CHUNKS) && left > 0;
      b_bytes[i] = !ok ? 0 : left >= 8 ? 16 : left * 2;
      b_soff[i] = Layout::b_offset(r, c);
      b_kr[i] = r;
      b_next[i] = b + (k_begin + r) * b_row_stride + (ok ? c * 8 : 0);
    }
  }

  // Copies step s (k from k_begin + s * BK) into the stage at shared address base.
  __device__ __forceinline__ void load(unsigned base, long long s) {
    if (s < full_steps) {
#pragma unroll
      for (int i = 0; i < A_PER; ++i)
        if (A_CHUNKS % NT == 0 || tid + i * NT < A_CHUNKS) {
          cp_async_16(base + a_soff[i], a_next[i], a_bytes[i]);
          a_next[i] += BK;
        }
#pragma unroll
      for (int i = 0; i < B_PER; ++i)
        if (B_CHUNKS % NT == 0 || tid + i * NT < B_CHUNKS) {
          cp_async_16(base + b_soff[i], b_next[i], b_bytes[i]);
          b_next[i] += b_step;
        }
      return;
    }
    const long long ks = k0 + s * BK; // the partial last step
#pragma unroll
    for (int i = 0; i < A_PER; ++i) {
      if (A_CHUNKS % NT == 0 || tid + i * NT < A_CHUNKS) {
        const long long left = k_end - (ks + a_kc[i]);
        const int bytes = left <= 0 ? 0 : left >= 8 ? a_bytes[i] : cmin(a_bytes[i], static_cast<int>(left) * 2);
        cp_async_16(base + a_soff[i], bytes ? a_next[i] : a, bytes);
      }
    }
#pragma unroll
    for (int i = 0; i < B_PER; ++i) {
      if (B_CHUNKS % NT == 0 || tid + i * NT < B_CHUNKS) {
        const int bytes = ks + b_kr[i] < k_end ? b_bytes[i] : 0;
        cp_async_16(base + b_soff[i], bytes ? b_next[i] : b, bytes);
      }
    }
  }
};

// The same for operands that both lie K-major with 1-byte elements (fp8: a row-major A, and B
// given column-major, i.e. as its transpose): each k-step copies R rows of A and C rows of B^T,
// BK bytes each, in 16-byte chunks. Layout::a_offset(r, c) and Layout::b_offset(n, c) place
// chunk c of row r of A and of row n of B^T. Chunks are shared out over the threads as one list.
template <int R, int C, int BK, int NT, class Layout, class A, class B> struct kmajor_copier {
  static_assert(sizeof(A) == 1 && sizeof(B) == 1, "kmajor_copier: 1-byte elements");
  static constexpr int CPR = BK / 16, A_CHUNKS = R * CPR, CHUNKS = (R + C) * CPR;
  static constexpr int PER = (CHUNKS + NT - 1) / NT;

  int soff[PER], bytes[PER], kc[PER];
  const unsigned char *next[PER];
  const unsigned char *any;
  long long k0, k_end, full_steps;
  int tid;

  // b_row_stride: the stride between B's columns (its rows as B^T). Row r of A's tile lies at
  // A's row a_rows(r).
  template <class ARows = dense_rows>
  __device__ __forceinline__ kmajor_copier(const A *a, long long a_row_stride, const B *b, long long b_row_stride,
                                           long long k_begin, long long k_end_, int rows, int cols,
                                           const ARows &a_rows = ARows{})
      : any(reinterpret_cast<const unsigned char *>(a)), k0(k_begin), k_end(k_end_),
        full_steps((k_end_ - k_begin) / BK), tid(static_cast<int>(threadIdx.x)) {
#pragma unroll
    for (int i = 0; i < PER; ++i) {
      const int id = tid + i * NT;
      const bool of_a = id < A_CHUNKS, exists = CHUNKS % NT == 0 || id < CHUNKS;
      const int r = (of_a ? id : id - A_CHUNKS) / CPR, c = id % CPR;
      const bool ok = exists && r < (of_a ? rows : cols);
      const unsigned char *base =
          reinterpret_cast<const unsigned char *>(of_a ? static_cast<const void *>(a) : static_cast<const void *>(b));
      bytes[i] = ok ? 16 : 0;
      soff[i] = of_a ? Layout::a_offset(r, c) : Layout::b_offset(r, c);
      kc[i] = c * 16;
      const long long row = !ok ? 0 : of_a ? a_rows(r) : r;
      next[i] = base + row * (of_a ? a_row_stride : b_row_stride) + k_begin + c * 16;
    }
  }

  // Copies step s (k from k_begin + s * BK) into the stage at shared address base.
  __device__ __forceinline__ void load(unsigned base, long long s) {
    const bool full = s < full_steps;
    const long long ks = k0 + s * BK;
#pragma unroll
    for (int i = 0; i < PER; ++i) {
      if (CHUNKS % NT == 0 || tid + i * NT < CHUNKS) {
        int n = bytes[i];
        if (!full) {  // the partial last step: only the bytes before k_end
          const long long left = k_end - (ks + kc[i]);
          n = left <= 0 ? 0 : left >= 16 ? n : cmin(n, static_cast<int>(left));
        }
        cp_async_16(base + soff[i], n ? next[i] : any, n);
        next[i] += BK;
      }
    }
  }
};

#endif

} // namespace detail
} // namespace dev
} // namespace tilecc
