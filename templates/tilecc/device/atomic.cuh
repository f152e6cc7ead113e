// Atomic updates of tiles in global memory, and scatters through gathered indices.
//
//   atomic_update<AtomicOp::max>(base, f, row_stride, col_stride)   each owned element of f
//   scatter_rows<W>(base, f, row_index, row_stride, col_stride)     row i to row_index(i)
//   scatter_cols<W>(base, f, col_index, row_stride, col_stride)     column j to col_index(j)
//
// W says what a scatter does at each element: scatter_store<StoreHint> writes it (where two
// elements name one position, which of them lands is unspecified), scatter_atomic<AtomicOp>
// updates memory atomically (a position named twice receives every value).
//
// AtomicOp::max / min keep the larger / smaller of memory and the value, a NaN on either side
// winning (tl::maximum's rule). Integers use the hardware's atomicMax / atomicMin where one
// exists (32 and 64 bits); floating types and bytes compare and swap the aligned word around
// the element until memory holds the extreme, so every order of updates ends with the same
// value.
#pragma once

#include "frag.cuh"
#include "memory.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

enum class AtomicOp { add, max, min };

namespace detail {

// Whether x replaces old under max (Greater) or min: NaN wins, and a NaN in memory stays.
template <bool Greater, class D> __device__ __forceinline__ bool extremum_replaces(D old, D x) {
  using V = compute_t<D>;
  const V o = convert<V>(old), v = convert<V>(x);
  return !is_nan(o) && (is_nan(v) || (Greater ? v > o : v < o));
}

template <class W, class D> __device__ __forceinline__ W bits_of(const D &x) {
  return *reinterpret_cast<const W *>(&x);
}
template <class D, class W> __device__ __forceinline__ D value_of(W bits) {
  return *reinterpret_cast<const D *>(&bits);
}

// Compare and swap until memory holds the extreme of itself and x.
template <bool Greater, class D> __device__ __forceinline__ void atomic_extremum_cas(D *p, D x) {
  if constexpr (sizeof(D) == 2 || sizeof(D) == 4 || sizeof(D) == 8) {
    // 16-bit CAS (sm_70+) for 2-byte elements: a 4-byte word around one would reach past the
    // end of a tensor whose last element starts a word.
    using W =
        conditional_t<sizeof(D) == 2, unsigned short, conditional_t<sizeof(D) == 4, unsigned, unsigned long long>>;
    W *word = reinterpret_cast<W *>(p);
    W old = *reinterpret_cast<volatile W *>(word);
    while (extremum_replaces<Greater>(value_of<D>(old), x)) {
      const W seen = atomicCAS(word, old, bits_of<W>(x));
      if (seen == old) return;
      old = seen;
    }
  } else {
    // 1-byte elements: no byte CAS exists, so the aligned word holding the byte is swapped
    // (the bytes around it are rewritten unchanged; within a tensor's 256-byte aligned
    // allocation the word never leaves the allocation's granule).
    static_assert(sizeof(D) == 1, "atomic max/min: elements of 1, 2, 4 or 8 bytes");
    using B = unsigned char;
    constexpr unsigned mask = 0xffu;
    const unsigned long long address = reinterpret_cast<unsigned long long>(p);
    unsigned *word = reinterpret_cast<unsigned *>(address & ~3ull);
    const unsigned shift = static_cast<unsigned>(address & 3ull) * 8u;
    const unsigned x_bits = static_cast<unsigned>(bits_of<B>(x)) << shift;
    unsigned old = *reinterpret_cast<volatile unsigned *>(word);
    while (extremum_replaces<Greater>(value_of<D>(static_cast<B>((old >> shift) & mask)), x)) {
      const unsigned seen = atomicCAS(word, old, (old & ~(mask << shift)) | x_bits);
      if (seen == old) return;
      old = seen;
    }
  }
}

template <bool Greater, class D> __device__ __forceinline__ void atomic_extremum_element(D *p, D x) {
  if constexpr (is_same_v<D, int> || is_same_v<D, unsigned> || is_same_v<D, unsigned long long>) {
    if constexpr (Greater)
      atomicMax(p, x);
    else
      atomicMin(p, x);
  } else if constexpr (is_same_v<D, long long> || (is_same_v<D, long> && sizeof(long) == 8)) {
    long long *q = reinterpret_cast<long long *>(p);
    if constexpr (Greater)
      atomicMax(q, static_cast<long long>(x));
    else
      atomicMin(q, static_cast<long long>(x));
  } else {
    atomic_extremum_cas<Greater>(p, x);
  }
}

} // namespace detail

// memory op= x, atomically.
template <AtomicOp Op, class D> __device__ __forceinline__ void atomic_update_element(D *p, D x) {
  if constexpr (Op == AtomicOp::add)
    detail::atomic_add_element(p, x);
  else
    detail::atomic_extremum_element<Op == AtomicOp::max>(p, x);
}

// Each owned element of f (converted from T to D) combined atomically into the tile at base.
template <AtomicOp Op, class D, class T, int R, int C, class L>
__device__ __forceinline__ void atomic_update(D *base, const Frag<T, R, C, L> &f, long long row_stride,
                                              long long col_stride) {
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j)
      if (f.owner(i, j))
        atomic_update_element<Op>(base + static_cast<long long>(f.row(i)) * row_stride +
                                      static_cast<long long>(f.col(j)) * col_stride,
                                  convert<D>(f.v[i][j]));
}

// ---- scatters ------------------------------------------------------------------------------

template <StoreHint H = StoreHint::none> struct scatter_store {
  template <class D> __device__ __forceinline__ static void apply(D *p, D x) { detail::store_word<H>(p, x); }
};
template <AtomicOp Op> struct scatter_atomic {
  template <class D> __device__ __forceinline__ static void apply(D *p, D x) { atomic_update_element<Op>(p, x); }
};

// Row i of f goes to global row row_index(i) (its columns as the tile's); only rows inside
// row_index.rows and f's extents are written.
template <class W, class D, class T, int R, int C, class L, class I>
__device__ __forceinline__ void scatter_rows(D *base, const Frag<T, R, C, L> &f, const Frag<I, R, 1, L> &row_index,
                                             long long row_stride, long long col_stride) {
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j)
      if (f.owner(i, j) && f.row(i) < row_index.rows)
        W::apply(base + static_cast<long long>(row_index.v[i][0]) * row_stride +
                     static_cast<long long>(f.col(j)) * col_stride,
                 convert<D>(f.v[i][j]));
}

// Column j of f goes to global column col_index(j) (its rows as the tile's).
template <class W, class D, class T, int R, int C, class L, class I>
__device__ __forceinline__ void scatter_cols(D *base, const Frag<T, R, C, L> &f, const Frag<I, 1, C, L> &col_index,
                                             long long row_stride, long long col_stride) {
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j)
      if (f.owner(i, j) && f.col(j) < col_index.cols)
        W::apply(base + static_cast<long long>(f.row(i)) * row_stride +
                     static_cast<long long>(col_index.v[0][j]) * col_stride,
                 convert<D>(f.v[i][j]));
}

} // namespace dev
} // namespace tilecc
