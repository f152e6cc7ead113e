// Block reductions of a fragment along one dimension; the reduced dimension is kept (size 1)
// and every thread ends with the result of its row (column), replicated.
//
// Over columns (reduce_*_cols, dim 1): each thread folds its own elements, then the tc threads
// of a row combine with warp shuffles (they are consecutive lanes), and when tc > 32 the
// row's warps combine through shared memory. Over rows (reduce_*_rows, dim 0): each thread
// folds its elements, lanes of a warp holding the same columns combine with shuffles, and the
// warps combine through shared memory. Invalid elements are skipped. Sums accumulate in
// accum_t<T> (float for f16/bf16/float, double, long long for integers); max/min propagate
// NaN; arg-reductions return the first index of the extreme value, a NaN counting as extreme.
//
// Shared memory: two static buffers of NT * 16 bytes per block size, shared by all reductions
// of a kernel (the second only where a reduction names it: Buffer = 1). A reduction that
// combines warps writes its buffer, synchronizes the block, reads it, and by default
// synchronizes again, so that any reduction may follow. Barrier = false drops that closing
// barrier; it is safe when the next reduction the block runs uses the other buffer (its own
// barrier orders this one's reads before anyone writes this buffer again) or none follows.
// The whole block must call every reduction (no divergence around them). A full tile (no
// invalid element in any thread) folds without per-element masks.
#pragma once

#include "../sizing.hpp"
#include "elementwise.cuh"
#include "frag.cuh"
#include "frag_mma.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

// Names for a reduction's Barrier argument (generated code reads better with them).
inline constexpr bool keep_barrier = true, skip_barrier = false;

namespace detail {

template <class V> struct arg_value {
  V value;
  long long index;
};

template <class V> struct sum_op {
  using acc = V;
  __device__ __forceinline__ static acc identity() { return V(0); }
  __device__ __forceinline__ static acc lift(V x, long long) { return x; }
  __device__ __forceinline__ static acc combine(acc a, acc b) { return a + b; }
};
template <class V> struct max_op {
  using acc = V;
  __device__ __forceinline__ static acc identity() { return lowest<V>(); }
  __device__ __forceinline__ static acc lift(V x, long long) { return x; }
  __device__ __forceinline__ static acc combine(acc a, acc b) { return op_maximum{}(a, b); }
};
template <class V> struct min_op {
  using acc = V;
  __device__ __forceinline__ static acc identity() { return highest<V>(); }
  __device__ __forceinline__ static acc lift(V x, long long) { return x; }
  __device__ __forceinline__ static acc combine(acc a, acc b) { return op_minimum{}(a, b); }
};
// Index of the largest (Greater = true) or smallest value; NaN beats any number, and ties go
// to the smaller index. The identity's index is larger than any real one, so it never wins.
template <class V, bool Greater> struct arg_op {
  using acc = arg_value<V>;
  __device__ __forceinline__ static acc identity() {
    return {Greater ? lowest<V>() : highest<V>(), highest<long long>()};
  }
  __device__ __forceinline__ static acc lift(V x, long long index) { return {x, index}; }
  __device__ __forceinline__ static acc combine(acc a, acc b) {
    const bool a_nan = is_nan(a.value), b_nan = is_nan(b.value);
    if (a_nan || b_nan) {
      if (a_nan && b_nan) return a.index <= b.index ? a : b;
      return a_nan ? a : b;
    }
    const bool a_better = Greater ? a.value > b.value : a.value < b.value;
    const bool b_better = Greater ? b.value > a.value : b.value < a.value;
    if (a_better) return a;
    if (b_better) return b;
    return a.index <= b.index ? a : b;
  }
};
template <class V> using argmax_op = arg_op<V, true>;
template <class V> using argmin_op = arg_op<V, false>;

__device__ __forceinline__ float shfl_xor(float x, int mask) { return __shfl_xor_sync(0xffffffffu, x, mask); }
__device__ __forceinline__ double shfl_xor(double x, int mask) { return __shfl_xor_sync(0xffffffffu, x, mask); }
__device__ __forceinline__ long long shfl_xor(long long x, int mask) { return __shfl_xor_sync(0xffffffffu, x, mask); }
template <class V> __device__ __forceinline__ arg_value<V> shfl_xor(arg_value<V> x, int mask) {
  return {shfl_xor(x.value, mask), shfl_xor(x.index, mask)};
}

// The block's reduction scratch: sizing::reduce_scratch_bytes(NT) (NT entries of 16 bytes), two
// buffers per block size (the second exists only in kernels that use it).
template <int NT, int Buffer = 0> __device__ __forceinline__ uint4 *reduce_scratch() {
  static_assert(Buffer == 0 || Buffer == 1, "reduce: scratch buffer is 0 or 1");
  __shared__ uint4 scratch[sizing::reduce_scratch_bytes(NT) / 16];
  return scratch;
}
template <int NT, class Acc>
inline constexpr int scratch_entries = static_cast<int>(sizing::reduce_scratch_bytes(NT)) / int(sizeof(Acc));

// Each thread's fold of its own elements of row i (column j); Masked skips invalid elements.
template <class Op, bool Masked, class T, int R, int C, class L>
__device__ __forceinline__ void fold_own_cols(const Frag<T, R, C, L> &f,
                                              typename Op::acc (&out)[Frag<T, R, C, L>::er]) {
  using F = Frag<T, R, C, L>;
  using Acc = typename Op::acc;
  using V = accum_t<T>;
  // Up to four independent partial folds per row, so a long row is not one dependent chain.
  constexpr int P = F::ec >= 4 ? 4 : F::ec;
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
    // Unmasked, the first P elements start the partial folds (no identity to combine with).
    Acc part[P];
#pragma unroll
    for (int p = 0; p < P; ++p) part[p] = Masked ? Op::identity() : Op::lift(convert<V>(f.v[i][p]), f.col(p));
#pragma unroll
    for (int j = Masked ? 0 : P; j < F::ec; ++j)
      if (!Masked || f.valid(i, j)) part[j % P] = Op::combine(part[j % P], Op::lift(convert<V>(f.v[i][j]), f.col(j)));
#pragma unroll
    for (int p = 1; p < P; ++p) part[0] = Op::combine(part[0], part[p]);
    out[i] = part[0];
  }
}
template <class Op, bool Masked, class T, int R, int C, class L>
__device__ __forceinline__ void fold_own_rows(const Frag<T, R, C, L> &f,
                                              typename Op::acc (&out)[Frag<T, R, C, L>::ec]) {
  using F = Frag<T, R, C, L>;
  using Acc = typename Op::acc;
  using V = accum_t<T>;
#pragma unroll
  for (int j = 0; j < F::ec; ++j) {
    Acc a = Masked ? Op::identity() : Op::lift(convert<V>(f.v[0][j]), f.row(0));
#pragma unroll
    for (int i = Masked ? 0 : 1; i < F::er; ++i)
      if (!Masked || f.valid(i, j)) a = Op::combine(a, Op::lift(convert<V>(f.v[i][j]), f.row(i)));
    out[j] = a;
  }
}

// out[i] = Op-fold of row i of f over all columns, the same in every thread of the row.
template <class Op, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ void fold_cols(const Frag<T, R, C, L> &f, typename Op::acc (&out)[Frag<T, R, C, L>::er]) {
  using F = Frag<T, R, C, L>;
  using Acc = typename Op::acc;
  // A full tile (the common case away from the edges) folds without per-element masks.
  if (f.all_valid())
    fold_own_cols<Op, false>(f, out);
  else
    fold_own_cols<Op, true>(f, out);
  if constexpr (is_mma_rows_v<L>) {
    // A row lies in the four lanes of a quad: two shuffles, no shared memory, no barrier.
    if constexpr (C > 1) {
#pragma unroll
      for (int i = 0; i < F::er; ++i) {
        out[i] = Op::combine(out[i], shfl_xor(out[i], 1));
        out[i] = Op::combine(out[i], shfl_xor(out[i], 2));
      }
    }
  } else if constexpr (C > 1 && L::tc > 1) {
    // Lanes of one row are consecutive: xor offsets below tc stay in the row.
    constexpr int lanes = cmin(L::tc, 32);
#pragma unroll
    for (int i = 0; i < F::er; ++i)
#pragma unroll
      for (int mask = lanes / 2; mask >= 1; mask /= 2) out[i] = Op::combine(out[i], shfl_xor(out[i], mask));
    if constexpr (L::tc > 32) {
      constexpr int warps_per_row = L::tc / 32;
      constexpr int per_i = L::tr * warps_per_row; // entries for one i: NT / 32
      constexpr int chunk = cmin(F::er, scratch_entries<L::threads, Acc> / per_i);
      Acc *scratch = reinterpret_cast<Acc *>(reduce_scratch<L::threads, Buffer>());
      const int ty = L::ty(), warp_in_row = L::tx() / 32;
#pragma unroll
      for (int i0 = 0; i0 < F::er; i0 += chunk) {
#pragma unroll
        for (int k = 0; k < chunk; ++k)
          if (i0 + k < F::er && L::tx() % 32 == 0)
            scratch[(k * L::tr + ty) * warps_per_row + warp_in_row] = out[i0 + k];
        __syncthreads();
#pragma unroll
        for (int k = 0; k < chunk; ++k) {
          if (i0 + k < F::er) {
            const Acc *row = scratch + (k * L::tr + ty) * warps_per_row;
            Acc a = row[0];
#pragma unroll
            for (int w = 1; w < warps_per_row; ++w) a = Op::combine(a, row[w]);
            out[i0 + k] = a;
          }
        }
        if (Barrier || i0 + chunk < F::er) __syncthreads();
      }
    }
  }
}

// out[j] = Op-fold of column j of f over all rows, the same in every thread of the column.
template <class Op, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ void fold_rows(const Frag<T, R, C, L> &f, typename Op::acc (&out)[Frag<T, R, C, L>::ec]) {
  static_assert(!is_mma_rows_v<L>, "reduce over rows: not written for the MmaRows layout (never assigned there)");
  using F = Frag<T, R, C, L>;
  using Acc = typename Op::acc;
  // A full tile (the common case away from the edges) folds without per-element masks.
  if (f.all_valid())
    fold_own_rows<Op, false>(f, out);
  else
    fold_own_rows<Op, true>(f, out);
  if constexpr (R > 1 && L::tr > 1) {
    // Lanes of a warp with the same tx differ in the lane bits >= log2(tc).
    if constexpr (L::tc < 32) {
#pragma unroll
      for (int j = 0; j < F::ec; ++j)
#pragma unroll
        for (int mask = 16; mask >= L::tc; mask /= 2) out[j] = Op::combine(out[j], shfl_xor(out[j], mask));
    }
    // Partials per column left after the shuffles: one per warp (tc < 32) or per row of
    // threads (tc >= 32).
    constexpr int partials = L::tc < 32 ? L::threads / 32 : L::tr;
    if constexpr (partials > 1) {
      constexpr int per_j = partials * L::tc; // <= NT
      constexpr int chunk = cmin(F::ec, scratch_entries<L::threads, Acc> / per_j);
      static_assert(chunk >= 1, "reduce: scratch too small");
      Acc *scratch = reinterpret_cast<Acc *>(reduce_scratch<L::threads, Buffer>());
      const int tx = L::tx();
      const int slot = L::tc < 32 ? L::tid() / 32 : L::ty();
      const bool writer = L::tc < 32 ? (L::tid() % 32) < L::tc : true;
#pragma unroll
      for (int j0 = 0; j0 < F::ec; j0 += chunk) {
#pragma unroll
        for (int k = 0; k < chunk; ++k)
          if (j0 + k < F::ec && writer) scratch[(k * partials + slot) * L::tc + tx] = out[j0 + k];
        __syncthreads();
#pragma unroll
        for (int k = 0; k < chunk; ++k) {
          if (j0 + k < F::ec) {
            Acc a = scratch[(k * partials) * L::tc + tx];
#pragma unroll
            for (int p = 1; p < partials; ++p) a = Op::combine(a, scratch[(k * partials + p) * L::tc + tx]);
            out[j0 + k] = a;
          }
        }
        if (Barrier || j0 + chunk < F::ec) __syncthreads();
      }
    }
  }
}

// RT, or T when RT is void (the default).
template <class RT, class T> using result_or = conditional_t<is_same_v<RT, void>, T, RT>;

template <class RT, class Op, bool Mean, int Buffer, bool Barrier, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, R, 1, L> reduce_cols(const Frag<T, R, C, L> &f) {
  typename Op::acc acc[Frag<T, R, C, L>::er];
  fold_cols<Op, Buffer, Barrier>(f, acc);
  Frag<RT, R, 1, L> out;
  out.rows = f.rows;
  out.cols = 1;
#pragma unroll
  for (int i = 0; i < out.er; ++i) {
    if constexpr (Mean)
      out.v[i][0] = convert<RT>(convert<compute_t<RT>>(acc[i]) / convert<compute_t<RT>>(f.cols));
    else
      out.v[i][0] = convert<RT>(acc[i]);
  }
  return out;
}
template <class RT, class Op, bool Mean, int Buffer, bool Barrier, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, 1, C, L> reduce_rows(const Frag<T, R, C, L> &f) {
  typename Op::acc acc[Frag<T, R, C, L>::ec];
  fold_rows<Op, Buffer, Barrier>(f, acc);
  Frag<RT, 1, C, L> out;
  out.rows = 1;
  out.cols = f.cols;
#pragma unroll
  for (int j = 0; j < out.ec; ++j) {
    if constexpr (Mean)
      out.v[0][j] = convert<RT>(convert<compute_t<RT>>(acc[j]) / convert<compute_t<RT>>(f.rows));
    else
      out.v[0][j] = convert<RT>(acc[j]);
  }
  return out;
}
template <class RT, class Op, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, R, 1, L> arg_reduce_cols(const Frag<T, R, C, L> &f) {
  typename Op::acc acc[Frag<T, R, C, L>::er];
  fold_cols<Op>(f, acc);
  Frag<RT, R, 1, L> out;
  out.rows = f.rows;
  out.cols = 1;
#pragma unroll
  for (int i = 0; i < out.er; ++i) out.v[i][0] = convert<RT>(acc[i].index == highest<long long>() ? 0ll : acc[i].index);
  return out;
}
template <class RT, class Op, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, 1, C, L> arg_reduce_rows(const Frag<T, R, C, L> &f) {
  typename Op::acc acc[Frag<T, R, C, L>::ec];
  fold_rows<Op>(f, acc);
  Frag<RT, 1, C, L> out;
  out.rows = 1;
  out.cols = f.cols;
#pragma unroll
  for (int j = 0; j < out.ec; ++j) out.v[0][j] = convert<RT>(acc[j].index == highest<long long>() ? 0ll : acc[j].index);
  return out;
}

} // namespace detail

// ---- Over columns (dim 1): Frag<RT, R, 1, L> -----------------------------------------------

template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, R, 1, L> reduce_sum_cols(const Frag<T, R, C, L> &f) {
  return detail::reduce_cols<detail::result_or<RT, T>, detail::sum_op<accum_t<T>>, false, Buffer, Barrier>(f);
}
template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, R, 1, L> reduce_max_cols(const Frag<T, R, C, L> &f) {
  return detail::reduce_cols<detail::result_or<RT, T>, detail::max_op<accum_t<T>>, false, Buffer, Barrier>(f);
}
template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, R, 1, L> reduce_min_cols(const Frag<T, R, C, L> &f) {
  return detail::reduce_cols<detail::result_or<RT, T>, detail::min_op<accum_t<T>>, false, Buffer, Barrier>(f);
}
// Sum / cols, the division in compute_t<RT>.
template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, R, 1, L> reduce_mean_cols(const Frag<T, R, C, L> &f) {
  return detail::reduce_cols<detail::result_or<RT, T>, detail::sum_op<accum_t<T>>, true, Buffer, Barrier>(f);
}
// Column index (within the tile) of the first largest / smallest element; NaN wins.
template <class RT = long long, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, R, 1, L> reduce_argmax_cols(const Frag<T, R, C, L> &f) {
  return detail::arg_reduce_cols<RT, detail::argmax_op<accum_t<T>>>(f);
}
template <class RT = long long, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, R, 1, L> reduce_argmin_cols(const Frag<T, R, C, L> &f) {
  return detail::arg_reduce_cols<RT, detail::argmin_op<accum_t<T>>>(f);
}

// ---- Over rows (dim 0): Frag<RT, 1, C, L> --------------------------------------------------

template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, 1, C, L> reduce_sum_rows(const Frag<T, R, C, L> &f) {
  return detail::reduce_rows<detail::result_or<RT, T>, detail::sum_op<accum_t<T>>, false, Buffer, Barrier>(f);
}
template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, 1, C, L> reduce_max_rows(const Frag<T, R, C, L> &f) {
  return detail::reduce_rows<detail::result_or<RT, T>, detail::max_op<accum_t<T>>, false, Buffer, Barrier>(f);
}
template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, 1, C, L> reduce_min_rows(const Frag<T, R, C, L> &f) {
  return detail::reduce_rows<detail::result_or<RT, T>, detail::min_op<accum_t<T>>, false, Buffer, Barrier>(f);
}
// Sum / rows, the division in compute_t<RT>.
template <class RT = void, int Buffer = 0, bool Barrier = true, class T, int R, int C, class L>
__device__ __forceinline__ Frag<detail::result_or<RT, T>, 1, C, L> reduce_mean_rows(const Frag<T, R, C, L> &f) {
  return detail::reduce_rows<detail::result_or<RT, T>, detail::sum_op<accum_t<T>>, true, Buffer, Barrier>(f);
}
// Row index (within the tile) of the first largest / smallest element; NaN wins.
template <class RT = long long, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, 1, C, L> reduce_argmax_rows(const Frag<T, R, C, L> &f) {
  return detail::arg_reduce_rows<RT, detail::argmax_op<accum_t<T>>>(f);
}
template <class RT = long long, class T, int R, int C, class L>
__device__ __forceinline__ Frag<RT, 1, C, L> reduce_argmin_rows(const Frag<T, R, C, L> &f) {
  return detail::arg_reduce_rows<RT, detail::argmin_op<accum_t<T>>>(f);
}

} // namespace dev
} // namespace tilecc
