// Moving fragments between global memory and registers: masked, converting, vectorized loads
// and stores, row gathers, and atomic adds.
//
// `base` points at tile element (0, 0); strides are in elements. Only elements inside the
// extents are read or written; loads leave zero in the others. Along a contiguous row
// (col_stride == 1) each thread's `vec` adjacent elements move as one 4/8/16-byte access when
// they are all in range and the address is aligned, else element by element.
#pragma once

#include "frag.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {
namespace detail {

template <int Bytes> struct vector_word;
template <> struct vector_word<4> { using type = unsigned; };
template <> struct vector_word<8> { using type = uint2; };
template <> struct vector_word<16> { using type = uint4; };

// Bytes per access when N adjacent S move together; 0 when they cannot.
template <class S, int N> __host__ __device__ constexpr int vector_unit() {
  constexpr int bytes = N * static_cast<int>(sizeof(S));
  if (N < 2)
    return 0;
  if (bytes % 16 == 0)
    return 16;
  if (bytes == 8 || bytes == 4)
    return bytes;
  return 0;
}

// Whole rows of `bytes` keep accesses of `unit` bytes aligned (unit 0: no vector access).
__host__ __device__ constexpr bool rows_keep_alignment(int bytes, int unit) {
  return unit != 0 && bytes % unit == 0;
}

__device__ __forceinline__ bool aligned_to(const void *p, int bytes) {
  return (reinterpret_cast<unsigned long long>(p) & static_cast<unsigned long long>(bytes - 1)) ==
         0;
}

// out[k] = the k-th S of the loaded words, converted to T. bf16 -> f32 reads each 32-bit word
// directly (a bf16 is the high half of an f32): one instruction per element, where unpacking
// to 16-bit values first and widening them takes two.
template <class T, class S, int V, class W>
__device__ __forceinline__ void unpack_words(const W *words, T *out) {
  if constexpr (is_same_v<S, __nv_bfloat16> && is_same_v<T, float> && V % 2 == 0 &&
                sizeof(W) % 4 == 0) {
    const unsigned *w = reinterpret_cast<const unsigned *>(words);
#pragma unroll
    for (int k = 0; k < V; k += 2) {
      out[k] = __uint_as_float(w[k / 2] << 16);
      out[k + 1] = __uint_as_float(w[k / 2] & 0xffff0000u);
    }
  } else {
    const S *s = reinterpret_cast<const S *>(words);
#pragma unroll
    for (int k = 0; k < V; ++k)
      out[k] = convert<T>(s[k]);
  }
}

template <class S, int N> __device__ __forceinline__ void load_vector(const S *p, S (&out)[N]) {
  constexpr int unit = vector_unit<S, N>();
  using W = typename vector_word<unit>::type;
  constexpr int words = N * static_cast<int>(sizeof(S)) / unit;
  W w[words];
#pragma unroll
  for (int k = 0; k < words; ++k)
    w[k] = reinterpret_cast<const W *>(p)[k];
  const S *s = reinterpret_cast<const S *>(w);
#pragma unroll
  for (int k = 0; k < N; ++k)
    out[k] = s[k];
}

template <class D, int N> __device__ __forceinline__ void store_vector(D *p, const D (&in)[N]) {
  constexpr int unit = vector_unit<D, N>();
  using W = typename vector_word<unit>::type;
  constexpr int words = N * static_cast<int>(sizeof(D)) / unit;
  const W *w = reinterpret_cast<const W *>(in);
#pragma unroll
  for (int k = 0; k < words; ++k)
    reinterpret_cast<W *>(p)[k] = w[k];
}

// Loads every row of f: row i from row_ptr(i) (tile column 0 of that row), zeros where
// !row_ok(i). Two phases, so that a thread has all its loads in flight at once: first every
// in-range aligned vector is loaded as raw words (predicated, branch-free), then the words are
// unpacked and converted, with element-by-element loads only for vectors at a ragged edge, a
// misaligned row or a strided row. (Unpacking right after each load made every load wait for
// the one before it: a thread had one 16-byte load in flight.)
template <class T, int R, int C, class L, class S, class RowPtr, class RowOk>
__device__ __forceinline__ void load_rows(Frag<T, R, C, L> &f, RowPtr row_ptr, RowOk row_ok,
                                          long long col_stride, int cols) {
  using F = Frag<T, R, C, L>;
  constexpr int V = F::vec, G = F::ec / V;
  constexpr int unit = vector_unit<S, V>();
  constexpr int words = unit != 0 ? V * static_cast<int>(sizeof(S)) / unit : 1;
  using W = typename vector_word<unit != 0 ? unit : 4>::type;
  W raw[F::er][G][words];
  bool vec_ok[F::er][G];
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
    const S *p = row_ptr(i);
    const bool ok_row = unit != 0 && row_ok(i) && col_stride == 1 && aligned_to(p, unit != 0 ? unit : 1);
#pragma unroll
    for (int g = 0; g < G; ++g) {
      const int c0 = f.col(g * V);
      vec_ok[i][g] = ok_row && c0 + V <= cols;
#pragma unroll
      for (int k = 0; k < words; ++k)
        raw[i][g][k] = vec_ok[i][g] ? reinterpret_cast<const W *>(p + c0)[k] : W{};
    }
  }
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
#pragma unroll
    for (int g = 0; g < G; ++g) {
      if (vec_ok[i][g]) {
        unpack_words<T, S, V>(raw[i][g], &f.v[i][g * V]);
      } else {
        const S *p = row_ptr(i);
        const bool ok = row_ok(i);
#pragma unroll
        for (int k = 0; k < V; ++k) {
          const int c = f.col(g * V + k);
          f.v[i][g * V + k] =
              (ok && c < cols && c < C) ? convert<T>(p[static_cast<long long>(c) * col_stride]) : zero<T>();
        }
      }
    }
  }
}

// Stores the owned elements of row i of f to row_ptr (tile column 0 of that row).
template <class D, class T, int R, int C, class L>
__device__ __forceinline__ void store_row(D *row_ptr, const Frag<T, R, C, L> &f, int i,
                                          bool row_own, long long col_stride) {
  using F = Frag<T, R, C, L>;
  constexpr int V = F::vec;
  constexpr int unit = vector_unit<D, V>();
  const bool col_home = C != 1 || L::tx() == 0;
#pragma unroll
  for (int g = 0; g < F::ec / V; ++g) {
    const int c0 = f.col(g * V);
    bool done = false;
    if constexpr (unit != 0) {
      D *p = row_ptr + c0;
      if (col_stride == 1 && row_own && c0 + V <= f.cols && aligned_to(p, unit)) {
        D tmp[V];
#pragma unroll
        for (int k = 0; k < V; ++k)
          tmp[k] = convert<D>(f.v[i][g * V + k]);
        store_vector(p, tmp);
        done = true;
      }
    }
    if (!done) {
#pragma unroll
      for (int k = 0; k < V; ++k) {
        const int c = f.col(g * V + k);
        if (row_own && col_home && c < f.cols && c < C)
          row_ptr[static_cast<long long>(c) * col_stride] = convert<D>(f.v[i][g * V + k]);
      }
    }
  }
}

__device__ __forceinline__ void atomic_add_element(float *p, float x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(double *p, double x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(int *p, int x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(long long *p, long long x) {
  // Two's complement: an unsigned add is a signed add.
  atomicAdd(reinterpret_cast<unsigned long long *>(p), static_cast<unsigned long long>(x));
}
__device__ __forceinline__ void atomic_add_element(long *p, long x) {
  static_assert(sizeof(long) == sizeof(long long), "atomic_add: long must be 64-bit");
  atomicAdd(reinterpret_cast<unsigned long long *>(p), static_cast<unsigned long long>(x));
}
__device__ __forceinline__ void atomic_add_element(unsigned *p, unsigned x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(unsigned long long *p, unsigned long long x) {
  atomicAdd(p, x);
}
__device__ __forceinline__ void atomic_add_element(__half *p, __half x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(__nv_bfloat16 *p, __nv_bfloat16 x) {
  atomicAdd(p, x);
}
// No byte-wide atomic add exists: compare-and-swap the aligned word around the byte.
__device__ __forceinline__ void atomic_add_element(signed char *p, signed char x) {
  const unsigned long long address = reinterpret_cast<unsigned long long>(p);
  unsigned *word = reinterpret_cast<unsigned *>(address & ~3ull);
  const unsigned shift = static_cast<unsigned>(address & 3ull) * 8u;
  unsigned old = *word, assumed;
  do {
    assumed = old;
    const unsigned sum = ((assumed >> shift) + static_cast<unsigned char>(x)) & 0xffu;
    old = atomicCAS(word, assumed, (assumed & ~(0xffu << shift)) | (sum << shift));
  } while (assumed != old);
}

} // namespace detail

// f = tile of base (converted from S to T); f.rows/f.cols = rows/cols.
template <class T, int R, int C, class L, class S>
__device__ __forceinline__ void load(Frag<T, R, C, L> &f, const S *base, long long row_stride,
                                     long long col_stride, int rows, int cols) {
  f.rows = rows;
  f.cols = cols;
  detail::load_rows<T, R, C, L, S>(
      f, [&](int i) { return base + static_cast<long long>(f.row(i)) * row_stride; },
      [&](int i) { return f.row(i) < rows && f.row(i) < R; }, col_stride, cols);
}

// Row i of the tile is global row row_index(i); f.rows = row_index.rows, f.cols = cols.
template <class T, int R, int C, class L, class I, class S>
__device__ __forceinline__ void
load_gather_rows(Frag<T, R, C, L> &f, const S *base, const Frag<I, R, 1, L> &row_index,
                 long long row_stride, long long col_stride, int cols) {
  f.rows = row_index.rows;
  f.cols = cols;
  auto row_ok = [&](int i) { return f.row(i) < row_index.rows && f.row(i) < R; };
  detail::load_rows<T, R, C, L, S>(
      f,
      [&](int i) {
        const long long global_row = row_ok(i) ? static_cast<long long>(row_index.v[i][0]) : 0;
        return base + global_row * row_stride;
      },
      row_ok, col_stride, cols);
}

// Writes the owned elements of f (converted from T to D).
template <class D, class T, int R, int C, class L>
__device__ __forceinline__ void store(D *base, const Frag<T, R, C, L> &f, long long row_stride,
                                      long long col_stride) {
#pragma unroll
  for (int i = 0; i < f.er; ++i) {
    const int r = f.row(i);
    const bool row_own = r < f.rows && r < R && (R != 1 || L::ty() == 0);
    detail::store_row(base + static_cast<long long>(r) * row_stride, f, i, row_own, col_stride);
  }
}

// atomicAdd of each owned element of f (converted from T to D) into base.
template <class D, class T, int R, int C, class L>
__device__ __forceinline__ void atomic_add(D *base, const Frag<T, R, C, L> &f, long long row_stride,
                                           long long col_stride) {
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j)
      if (f.owner(i, j))
        detail::atomic_add_element(base + static_cast<long long>(f.row(i)) * row_stride +
                                       static_cast<long long>(f.col(j)) * col_stride,
                                   convert<D>(f.v[i][j]));
}

} // namespace dev
} // namespace tilecc
