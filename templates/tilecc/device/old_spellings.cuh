// The old spellings of tile loads and stores, which the code generator still prints: each is a
// thin forwarding wrapper around access.cuh's load / store with an access policy (tma.cuh's for
// a TmaStage), with the same meaning. New code uses the policy spelling; these go once the
// generator prints it.
//
//   old spelling                                            policy spelling
//   load(f, base, rs, cs, rows, cols)                       load<Access<LoadHint::none>>(same)
//   load_hinted<H, Vec>(f, base, rs, cs, rows, cols)        load<Access<H, Vec>>(same)
//   load_gather_rows(f, base, index, rs, cs, cols)          load<Access<LoadHint::none>>(same)
//   load_gather_rows_hinted<H, Vec>(same)                   load<Access<H, Vec>>(same)
//   load_packed(packed, base, rs, cs, rows, cols)           load<Access<LoadHint::none>>(same)
//   load_packed_hinted<H, Vec>(same)                        load<Access<H, Vec>>(same)
//   load_tma<H, Vec>(f, stage, phase, base, rs, cs, r, c)   load<Access<H, Vec>>(f, base, rs, cs,
//   r, c, stage, phase) store(base, f, rs, cs) store<Access<StoreHint::none>>(same) store_hinted<H,
//   Vec>(base, f, rs, cs)                   store<Access<H, Vec>>(same) store_tma<H, Vec>(stage,
//   base, f, rs, cs)               store<Access<H, Vec>>(base, f, rs, cs, stage)
#pragma once

#include "access.cuh"
#include "frag.cuh"
#include "packed.cuh"
#include "tma.cuh"

namespace tilecc {
namespace dev {

// Old spelling of load<Access<LoadHint::none>>.
template <class T, int R, int C, class L, class S>
__device__ __forceinline__ void load(Frag<T, R, C, L> &f, const S *base, long long row_stride, long long col_stride,
                                     int rows, int cols) {
  load<Access<LoadHint::none>>(f, base, row_stride, col_stride, rows, cols);
}

// Old spelling of load<Access<H, Vec>>.
template <LoadHint H, bool Vec, class T, int R, int C, class L, class S>
__device__ __forceinline__ void load_hinted(Frag<T, R, C, L> &f, const S *base, long long row_stride,
                                            long long col_stride, int rows, int cols) {
  load<Access<H, Vec>>(f, base, row_stride, col_stride, rows, cols);
}

// Old spelling of load<Access<LoadHint::none>> of gathered rows.
template <class T, int R, int C, class L, class I, class S>
__device__ __forceinline__ void load_gather_rows(Frag<T, R, C, L> &f, const S *base, const Frag<I, R, 1, L> &row_index,
                                                 long long row_stride, long long col_stride, int cols) {
  load<Access<LoadHint::none>>(f, base, row_index, row_stride, col_stride, cols);
}

// Old spelling of load<Access<H, Vec>> of gathered rows.
template <LoadHint H, bool Vec, class T, int R, int C, class L, class I, class S>
__device__ __forceinline__ void load_gather_rows_hinted(Frag<T, R, C, L> &f, const S *base,
                                                        const Frag<I, R, 1, L> &row_index, long long row_stride,
                                                        long long col_stride, int cols) {
  load<Access<H, Vec>>(f, base, row_index, row_stride, col_stride, cols);
}

// Old spelling of load<Access<LoadHint::none>> into a PackedBf16.
template <int R, int C, class L>
__device__ __forceinline__ void load_packed(PackedBf16<R, C, L> &f, const __nv_bfloat16 *base, long long row_stride,
                                            long long col_stride, int rows, int cols) {
  load<Access<LoadHint::none>>(f, base, row_stride, col_stride, rows, cols);
}

// Old spelling of load<Access<H, Vec>> into a PackedBf16.
template <LoadHint H, bool Vec, int R, int C, class L>
__device__ __forceinline__ void load_packed_hinted(PackedBf16<R, C, L> &f, const __nv_bfloat16 *base,
                                                   long long row_stride, long long col_stride, int rows, int cols) {
  load<Access<H, Vec>>(f, base, row_stride, col_stride, rows, cols);
}

// Old spelling of load<Access<H, Vec>> through a TmaStage (the stage and phase come first).
template <LoadHint H, bool Vec, class T, int R, int C, class L, class S>
__device__ __forceinline__ void load_tma(Frag<T, R, C, L> &f, TmaStage<S, R, C> &stage, unsigned &phase, const S *base,
                                         long long row_stride, long long col_stride, int rows, int cols) {
  load<Access<H, Vec>>(f, base, row_stride, col_stride, rows, cols, stage, phase);
}

// Old spelling of store<Access<StoreHint::none>>.
template <class D, class T, int R, int C, class L>
__device__ __forceinline__ void store(D *base, const Frag<T, R, C, L> &f, long long row_stride, long long col_stride) {
  store<Access<StoreHint::none>>(base, f, row_stride, col_stride);
}

// Old spelling of store<Access<H, Vec>>.
template <StoreHint H, bool Vec, class D, class T, int R, int C, class L>
__device__ __forceinline__ void store_hinted(D *base, const Frag<T, R, C, L> &f, long long row_stride,
                                             long long col_stride) {
  store<Access<H, Vec>>(base, f, row_stride, col_stride);
}

// Old spelling of store<Access<H, Vec>> through a TmaStage (the stage comes first).
template <StoreHint H, bool Vec, class D, class T, int R, int C, class L>
__device__ __forceinline__ void store_tma(TmaStage<D, R, C> &stage, D *base, const Frag<T, R, C, L> &f,
                                          long long row_stride, long long col_stride) {
  store<Access<H, Vec>>(base, f, row_stride, col_stride, stage);
}

} // namespace dev
} // namespace tilecc
