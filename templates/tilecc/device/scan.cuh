// Inclusive scans of a fragment along one dimension (tl::cumsum, tl::cummax); the result has
// the fragment's shape and element type.
//
//   scan_cols<ScanOp::sum>(f)   along each row (dimension 1)
//   scan_rows<ScanOp::max>(f)   down each column (dimension 0)
//
// Along a row the elements lie in the order (group of tc * vec columns, thread tx, element of
// the thread's vec run); down a column, (er index, thread ty). Each thread scans its own run,
// the threads of one line (a row's tc lanes, a column's tr threads) scan their run totals with
// warp shuffles, warps of one line combine through the reduction scratch (reduce.cuh), and a
// carry takes each group's total into the next. Elements past the valid extents come after
// every valid one in that order, so they never reach a valid result. Sums accumulate in
// accum_t<T> and are rounded to T at each position; max propagates NaN. The whole block must
// call a scan (no divergence around it); it synchronizes before and after using the scratch,
// so it may sit between reductions whose barriers plan_reduction_scratch dropped.
#pragma once

#include "elementwise.cuh"
#include "frag.cuh"
#include "reduce.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

enum class ScanOp { sum, max };

namespace detail {

template <ScanOp Op, class V> struct scan_op;
template <class V> struct scan_op<ScanOp::sum, V> {
  __device__ __forceinline__ static V identity() { return V(0); }
  __device__ __forceinline__ static V combine(V a, V b) { return a + b; }
};
template <class V> struct scan_op<ScanOp::max, V> {
  __device__ __forceinline__ static V identity() { return lowest<V>(); }
  __device__ __forceinline__ static V combine(V a, V b) { return op_maximum{}(a, b); }
};

// Over the P threads of a line (positions pos = 0 .. P - 1, Stride thread ids apart; `line`
// numbers the block's NT / P lines): the fold of the values of the positions before this one
// (excl) and of the whole line (total).
template <class Op, int P, int Stride, class L, class V>
__device__ __forceinline__ void scan_line(V x, int pos, int line, V &excl, V &total) {
  // Positions of a line that share a warp, and the warps a line spans.
  constexpr int W = Stride >= 32 ? 1 : cmin(P, 32 / Stride);
  constexpr int S = P / W;
  const int at = pos % W;
  V incl = x;
  excl = Op::identity();
  if constexpr (W > 1) {
#pragma unroll
    for (int d = 1; d < W; d *= 2) {
      const V y = __shfl_up_sync(0xffffffffu, incl, d * Stride);
      if (at >= d) incl = Op::combine(y, incl);
    }
    const V before = __shfl_up_sync(0xffffffffu, incl, Stride);
    if (at > 0) excl = before;
  }
  if constexpr (S == 1) {
    const int lane = static_cast<int>(threadIdx.x) % 32;
    total = __shfl_sync(0xffffffffu, incl, lane + (W - 1 - at) * Stride);
  } else {
    V *scratch = reinterpret_cast<V *>(reduce_scratch<L::threads, 0>());
    __syncthreads(); // a reduction before this one may still read the scratch
    if (at == W - 1) scratch[line * S + pos / W] = incl;
    __syncthreads();
    V earlier = Op::identity(), all = Op::identity();
#pragma unroll
    for (int s = 0; s < S; ++s) {
      const V t = scratch[line * S + s];
      if (s < pos / W) earlier = Op::combine(earlier, t);
      all = Op::combine(all, t);
    }
    excl = Op::combine(earlier, excl);
    total = all;
    __syncthreads();
  }
}

} // namespace detail

// Inclusive scan along each row.
template <ScanOp Op, class T, int R, int C, class L>
__device__ __forceinline__ Frag<T, R, C, L> scan_cols(const Frag<T, R, C, L> &f) {
  using F = Frag<T, R, C, L>;
  using V = accum_t<T>;
  using S = detail::scan_op<Op, V>;
  F out = f;
  if constexpr (C > 1) {
    constexpr int runs = F::ec / F::vec;
#pragma unroll
    for (int i = 0; i < F::er; ++i) {
      V carry = S::identity();
#pragma unroll
      for (int g = 0; g < runs; ++g) {
        V run[F::vec];
        V acc = S::identity();
#pragma unroll
        for (int k = 0; k < F::vec; ++k) {
          acc = S::combine(acc, convert<V>(f.v[i][g * F::vec + k]));
          run[k] = acc;
        }
        V excl, total;
        detail::scan_line<S, L::tc, 1, L>(acc, L::tx(), L::ty(), excl, total);
        const V prefix = S::combine(carry, excl);
#pragma unroll
        for (int k = 0; k < F::vec; ++k) out.v[i][g * F::vec + k] = convert<T>(S::combine(prefix, run[k]));
        carry = S::combine(carry, total);
      }
    }
  }
  return out;
}

// Inclusive scan down each column.
template <ScanOp Op, class T, int R, int C, class L>
__device__ __forceinline__ Frag<T, R, C, L> scan_rows(const Frag<T, R, C, L> &f) {
  using F = Frag<T, R, C, L>;
  using V = accum_t<T>;
  using S = detail::scan_op<Op, V>;
  F out = f;
  if constexpr (R > 1) {
#pragma unroll
    for (int j = 0; j < F::ec; ++j) {
      V carry = S::identity();
#pragma unroll
      for (int i = 0; i < F::er; ++i) {
        const V x = convert<V>(f.v[i][j]);
        V excl, total;
        detail::scan_line<S, L::tr, L::tc, L>(x, L::ty(), L::tx(), excl, total);
        out.v[i][j] = convert<T>(S::combine(S::combine(carry, excl), x));
        carry = S::combine(carry, total);
      }
    }
  }
  return out;
}

} // namespace dev
} // namespace tilecc
