// store_mma_products: a warp's mma.sync m16n8 accumulators written straight to global memory,
// converted to the output type, with no register tile (Frag) in between.
//
// The value that leaves the registers is epi(product, r, c), (r, c) its place in the block's
// output tile: a fused elementwise epilogue (a bias, an activation, a scale) runs on the
// products where they are, so they need no R x C register tile to be rewritten first. An
// epilogue<true> adds the values to memory atomically instead of storing them (split-k).
//
// d[i][j] holds rows m0 + i * 16 + lane / 4 (+ 8 for d[..][2..3]) and columns
// n0 + j * 8 + (lane % 4) * 2 (+ 1) of the block's output tile. Elements outside rows x cols are
// not written. Where the output is row-major and the pair's address is aligned, the two
// neighbouring columns go out as one store (4 bytes for bf16/f16, 8 for float).
#pragma once

#include "atomic.cuh"
#include "rows.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

// The epilogue of a k-loop's products (see above). f(float product, int r, int c) returns the
// value stored (converted to the output type); Atomic adds it to memory instead. Row r of the
// output tile lies at the tensor's row rows(r) (rows.cuh: itself, or scattered by an index
// tensor).
template <bool Atomic, class F, class Rows = dense_rows> struct Epilogue {
  static constexpr bool atomic = Atomic;
  F f;
  Rows rows;
  __device__ __forceinline__ auto operator()(float v, int r, int c) const { return f(v, r, c); }
  __device__ __forceinline__ long long row(int r) const { return rows(r); }
};
struct plain_products {
  __device__ __forceinline__ float operator()(float v, int, int) const { return v; }
};
using store_products = Epilogue<false, plain_products>;
template <bool Atomic, class F = plain_products> __device__ __forceinline__ Epilogue<Atomic, F> epilogue(F f = F{}) {
  return {f, {}};
}
// epi, writing row r of the output tile to the tensor's row rows(r) (out[ids, tn] = ...).
template <bool Atomic, class F, class Rows>
__device__ __forceinline__ Epilogue<Atomic, F, Rows> scattered(const Epilogue<Atomic, F> &epi, Rows rows) {
  return {epi.f, rows};
}

namespace detail {

template <class TO> struct alignas(2 * sizeof(TO)) out_pair {
  TO x, y;
};

template <class TO, class Epi>
__device__ __forceinline__ void store_mma_pair(TO *out, long long row_stride, long long col_stride, bool pairs,
                                               int rows, int cols, int r, int c, float v0, float v1, const Epi &epi) {
  if (r >= rows) return;
  TO *p = out + epi.row(r) * row_stride + c * col_stride;
  if constexpr (Epi::atomic) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    // sm_90: the pair as one vector reduction (split-k adds every product this way).
    if constexpr (is_same_v<TO, float>)
      if (pairs && c + 1 < cols) {
        asm volatile("red.global.add.v2.f32 [%0], {%1, %2};" ::"l"(p), "f"(epi(v0, r, c)), "f"(epi(v1, r, c + 1))
                     : "memory");
        return;
      }
#endif
    if (c < cols) atomic_update_element<AtomicOp::add>(p, convert<TO>(epi(v0, r, c)));
    if (c + 1 < cols) atomic_update_element<AtomicOp::add>(p + col_stride, convert<TO>(epi(v1, r, c + 1)));
    return;
  }
  if (pairs && c + 1 < cols) {
    *reinterpret_cast<out_pair<TO> *>(p) = out_pair<TO>{convert<TO>(epi(v0, r, c)), convert<TO>(epi(v1, r, c + 1))};
    return;
  }
  if (c < cols) p[0] = convert<TO>(epi(v0, r, c));
  if (c + 1 < cols) p[col_stride] = convert<TO>(epi(v1, r, c + 1));
}

// Pairs need unit column stride and every pair (even column) aligned: an aligned base and an
// even row stride.
template <class TO>
__device__ __forceinline__ bool mma_pairs_ok(const TO *out, long long row_stride, long long col_stride) {
  return col_stride == 1 && row_stride % 2 == 0 && (reinterpret_cast<unsigned long long>(out) % (2 * sizeof(TO))) == 0;
}

template <class TO, int MT, int NT8, class Epi = store_products>
__device__ __forceinline__ void store_mma_products(TO *out, long long row_stride, long long col_stride, int rows,
                                                   int cols, const float (&d)[MT][NT8][4], int m0, int n0,
                                                   const Epi &epi = Epi{}) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const bool pairs = mma_pairs_ok(out, row_stride, col_stride);
#pragma unroll
  for (int i = 0; i < MT; ++i) {
    const int r = m0 + i * 16 + lane / 4;
#pragma unroll
    for (int j = 0; j < NT8; ++j) {
      const int c = n0 + j * 8 + (lane % 4) * 2;
      store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r, c, d[i][j][0], d[i][j][1], epi);
      store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r + 8, c, d[i][j][2], d[i][j][3], epi);
    }
  }
}

// A warp's share of a wgmma m64nN accumulator (d[N / 2], see dot_wgmma.cuh): the same
// pattern as N / 8 mma m16n8 tiles side by side, d[j * 4 + ..] holding tile j.
template <class TO, int N2, class Epi = store_products>
__device__ __forceinline__ void store_wgmma_products(TO *out, long long row_stride, long long col_stride, int rows,
                                                     int cols, const float (&d)[N2], int m0, const Epi &epi = Epi{}) {
  const int lane = static_cast<int>(threadIdx.x) % 32;
  const bool pairs = mma_pairs_ok(out, row_stride, col_stride);
  const int r = m0 + lane / 4;
#pragma unroll
  for (int j = 0; j < N2 / 4; ++j) {
    const int c = j * 8 + (lane % 4) * 2;
    store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r, c, d[j * 4], d[j * 4 + 1], epi);
    store_mma_pair(out, row_stride, col_stride, pairs, rows, cols, r + 8, c, d[j * 4 + 2], d[j * 4 + 3], epi);
  }
}

} // namespace detail
} // namespace dev
} // namespace tilecc
