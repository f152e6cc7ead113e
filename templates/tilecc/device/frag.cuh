// Frag: a register fragment holding an R x C tile spread over the threads of a Layout.
//
// Thread (ty, tx) holds v[er][ec]. Element (i, j) is tile row row(i) and tile column col(j):
//   rows: ty + i * tr when R >= tr; when R == 1 every thread holds row 0 (replicated);
//         when 1 < R < tr thread ty holds row ty (threads with ty >= R hold nothing valid).
//   cols: vec = min(L::vw, C / tc) contiguous columns per thread, groups tc * vec apart, when
//         C >= tc (vec does not depend on T, so fragments of any types line up); when C == 1
//         every thread holds column 0 (replicated); when 1 < C < tc thread tx holds column tx.
// rows/cols are the valid extents (uniform over the block, <= R and <= C); elements beyond
// them hold zero after a load and are never stored. A replicated element is owned (stored,
// added atomically) only by the thread with tx == 0 (C == 1) / ty == 0 (R == 1).
#pragma once

#include "layout.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

template <class T, int R, int C, class L> struct Frag {
  static_assert(is_pow2(R) && is_pow2(C), "Frag: tile extents must be powers of two");

  using value_type = T;
  using layout = L;
  static constexpr int tile_rows = R, tile_cols = C;
  // Elements contiguous per thread along a row (independent of T, so that fragments of any
  // element types line up), then elements per thread along each dim.
  static constexpr int vec = C >= L::tc ? cmin(L::vw, C / L::tc) : 1;
  static constexpr int er = R >= L::tr ? R / L::tr : 1;
  static constexpr int ec = C >= L::tc ? C / L::tc : 1;

  T v[er][ec];
  int rows, cols;

  // Static: the placement depends on the thread and the shape only.
  __device__ __forceinline__ static int row(int i) {
    if constexpr (R == 1)
      return 0;
    else if constexpr (R >= L::tr)
      return L::ty() + i * L::tr;
    else
      return L::ty();
  }
  __device__ __forceinline__ static int col(int j) {
    if constexpr (C == 1)
      return 0;
    else if constexpr (C >= L::tc)
      return (j / vec) * (L::tc * vec) + L::tx() * vec + (j % vec);
    else
      return L::tx();
  }
  // The element lies inside the tile structure (not a spare thread of a small tile).
  __device__ __forceinline__ bool in_tile(int i, int j) const { return row(i) < R && col(j) < C; }
  __device__ __forceinline__ bool valid(int i, int j) const {
    const int r = row(i), c = col(j);
    return r < rows && c < cols && r < R && c < C;
  }
  // Every element of every thread is valid: the tile is full and no thread is spare. Uniform
  // over the block, so code may branch on it to drop the per-element masks.
  __device__ __forceinline__ bool all_valid() const {
    constexpr bool no_spare = (R == 1 || R >= L::tr) && (C == 1 || C >= L::tc);
    return no_spare && rows >= R && cols >= C;
  }
  // This thread is the one that writes element (i, j) (replicated copies are written once).
  __device__ __forceinline__ bool home(int i, int j) const {
    return in_tile(i, j) && (C != 1 || L::tx() == 0) && (R != 1 || L::ty() == 0);
  }
  __device__ __forceinline__ bool owner(int i, int j) const {
    return valid(i, j) && (C != 1 || L::tx() == 0) && (R != 1 || L::ty() == 0);
  }
};

// ---- Creation ------------------------------------------------------------------------------

template <class T, int R, int C, class L>
__device__ __forceinline__ Frag<T, R, C, L> full(T value, int rows, int cols) {
  Frag<T, R, C, L> f;
  f.rows = rows;
  f.cols = cols;
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j) f.v[i][j] = value;
  return f;
}

// Element (r, c) = start + c; rows = R.
template <class T, int R, int C, class L>
__device__ __forceinline__ Frag<T, R, C, L> arange_cols(long long start, int cols) {
  Frag<T, R, C, L> f;
  f.rows = R;
  f.cols = cols;
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j) f.v[i][j] = convert<T>(start + f.col(j));
  return f;
}

// Element (r, c) = start + r; cols = C.
template <class T, int R, int C, class L>
__device__ __forceinline__ Frag<T, R, C, L> arange_rows(long long start, int rows) {
  Frag<T, R, C, L> f;
  f.rows = rows;
  f.cols = C;
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j) f.v[i][j] = convert<T>(start + f.row(i));
  return f;
}

enum class IndexCmp { lt, le, gt, ge, eq, ne };

// Element (r, c) = (a_begin + r) OP (b_begin + c): a compare of a tile's row indices with its
// column indices (attention's causal mask, `tm.index()[:, None] + s >= tn.index()[None, :]`),
// in 32 bits as r - c OP b_begin - a_begin. |r - c| < 2^16, so clamping the difference to
// +-2^24 changes no answer; it costs a compare an element where 64-bit indices cost four.
namespace detail {
// b_begin - a_begin in 32 bits, clamped to +-2^24 (saturated where the 64-bit difference
// overflows, for offsets near the 64-bit limits).
__device__ __forceinline__ int index_offset(long long a_begin, long long b_begin) {
  constexpr long long limit = 1LL << 24;
  const long long d64 =
      static_cast<long long>(static_cast<unsigned long long>(b_begin) - static_cast<unsigned long long>(a_begin));
  const bool overflow = ((b_begin ^ a_begin) & (b_begin ^ d64)) < 0;
  return static_cast<int>(overflow       ? (b_begin < 0 ? -limit : limit)
                          : d64 < -limit ? -limit
                          : d64 > limit  ? limit
                                         : d64);
}
}  // namespace detail

// Whether (a_begin + r) OP (b_begin + c) holds at every position of an R x C tile: r - c runs
// over [-(C - 1), R - 1], so one compare of the offsets' difference decides it.
template <IndexCmp Op, int R, int C>
__device__ __forceinline__ bool index_compare_everywhere(long long a_begin, long long b_begin) {
  const int d = detail::index_offset(a_begin, b_begin);
  if constexpr (Op == IndexCmp::lt)
    return R - 1 < d;
  else if constexpr (Op == IndexCmp::le)
    return R - 1 <= d;
  else if constexpr (Op == IndexCmp::gt)
    return -(C - 1) > d;
  else if constexpr (Op == IndexCmp::ge)
    return -(C - 1) >= d;
  else if constexpr (Op == IndexCmp::ne)
    return d > R - 1 || d < -(C - 1);
  else
    return false;
}

template <IndexCmp Op, int R, int C, class L>
__device__ __forceinline__ Frag<bool, R, C, L> index_compare(long long a_begin, long long b_begin, int rows, int cols) {
  const int d = detail::index_offset(a_begin, b_begin);
  Frag<bool, R, C, L> f;
  f.rows = rows;
  f.cols = cols;
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j) {
      const int x = f.row(i) - f.col(j);
      if constexpr (Op == IndexCmp::lt)
        f.v[i][j] = x < d;
      else if constexpr (Op == IndexCmp::le)
        f.v[i][j] = x <= d;
      else if constexpr (Op == IndexCmp::gt)
        f.v[i][j] = x > d;
      else if constexpr (Op == IndexCmp::ge)
        f.v[i][j] = x >= d;
      else if constexpr (Op == IndexCmp::eq)
        f.v[i][j] = x == d;
      else
        f.v[i][j] = x != d;
    }
  return f;
}

} // namespace dev
} // namespace tilecc
