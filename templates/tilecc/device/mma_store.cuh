// store_mma_products: a warp's mma.sync m16n8 accumulators written straight to global memory,
// converted to the output type, with no register tile (Frag) in between.
//
// d[i][j] holds rows m0 + i * 16 + lane / 4 (+ 8 for d[..][2..3]) and columns
// n0 + j * 8 + (lane % 4) * 2 (+ 1) of the block's output tile. Elements outside rows x cols are
// not written. Where the output is row-major and the pair's address is aligned, the two
// neighbouring columns go out as one store (4 bytes for bf16/f16, 8 for float).
#pragma once

#include "types.cuh"

namespace tilecc {
namespace dev {
namespace detail {

template <class TO> struct alignas(2 * sizeof(TO)) out_pair {
  TO x, y;
};

template <class TO>
__device__ __forceinline__ void store_mma_pair(TO *out, long long row_stride, long long col_stride, bool pairs,
                                               int rows, int cols, int r, int c, float v0, float v1) {
  if (r >= rows) return;
  TO *p = out + r * row_stride + c * col_stride;
  if (pairs && c + 1 < cols) {
    *reinterpret_cast<out_pair<TO> *>(p) = out_pair<TO>{convert<TO>(v0), convert<TO>(v1)};
    return;
  }
  if (c < cols) p[0] = convert<TO>(v0);
  if (c + 1 < cols) p[col_stride] = convert<TO>(v1);
}

// Pairs need unit column stride and every pair (even column) aligned: an aligned base and an
// even row stride.
template <class TO>
__device__ __forceinline__ bool mma_pairs_ok(const TO *out, long long row_stride, long long col_stride) {
  return col_stride == 1 && row_stride % 2 == 0 && (reinterpret_cast<unsigned long long>(out) % (2 * sizeof(TO))) == 0;
}

template <class TO, int MT, int NT8>
__device__ __forceinline__ void store_mma_products(TO *out, long long row_stride, long long col_stride, int rows,
                                                   int cols, const float (&d)[MT][NT8][4], int m0, int n0) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const bool pairs = mma_pairs_ok(out, row_stride, col_stride);
#pragma unroll
  for (int i = 0; i < MT; ++i) {
    const int r = m0 + i * 16 + lane / 4;
#pragma unroll
    for (int j = 0; j < NT8; ++j) {
      const int c = n0 + j * 8 + (lane % 4) * 2;
      store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r, c, d[i][j][0], d[i][j][1]);
      store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r + 8, c, d[i][j][2], d[i][j][3]);
    }
  }
}

// A warp's share of a wgmma m64nN accumulator (d[N / 2], see dot_wgmma.cuh): the same
// pattern as N / 8 mma m16n8 tiles side by side, d[j * 4 + ..] holding tile j.
template <class TO, int N2>
__device__ __forceinline__ void store_wgmma_products(TO *out, long long row_stride, long long col_stride, int rows,
                                                     int cols, const float (&d)[N2], int m0) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const bool pairs = mma_pairs_ok(out, row_stride, col_stride);
  const int r = m0 + lane / 4;
#pragma unroll
  for (int j = 0; j < N2 / 4; ++j) {
    const int c = j * 8 + (lane % 4) * 2;
    store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r, c, d[j * 4], d[j * 4 + 1]);
    store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r + 8, c, d[j * 4 + 2], d[j * 4 + 3]);
  }
}

} // namespace detail
} // namespace dev
} // namespace tilecc
