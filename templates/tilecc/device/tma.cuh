// Tile loads and stores through the Tensor Memory Accelerator, sm_90+ (config knobs load_tma,
// store_tma): bulk copies between global and shared memory, completing on an mbarrier (loads)
// or a bulk async-group (stores).
//
//   __shared__ TmaStage<S, R, C> stage;  // one per load / store site, at kernel scope
//   unsigned phase = 0;                  // the load's mbarrier phase (block-uniform)
//   tma_init<L>(stage);                  // once, by every thread
//   load<Access<LoadHint::none>>(f, base, row_stride, col_stride, rows, cols, stage, phase);
//   store<Access<StoreHint::none>>(base, f, row_stride, col_stride, stage);
//
// Same meaning as access.cuh's load / store with the same policy (masked, converting; loads
// leave zero outside rows x cols), whatever the shape, strides or alignment:
// - each tile row is one 1-D bulk copy (cp.async.bulk) of its 16-byte aligned interior, so any
//   base address and row stride works (the tensor-map form needs 16-byte aligned bases and
//   row strides, and a tensor map built on the host per launch); the stage keeps each row at
//   its global address mod 16, so that interior lands 16-byte aligned;
// - the up to 15 bytes before and after the interior, and rows whose columns are not
//   contiguous (col_stride != 1), move element by element in registers, with the hint H;
// - elements outside rows x cols are never copied and read as zero, so a partial tile never
//   sees neighbouring data (a reduction over it is exact, whatever its identity: -inf for max);
// - the policy's Vec: the stage is read (load) or written (store) in 4/8/16-byte words where
//   aligned; its hint goes on the accesses of the edges.
// The stage is read and written by access.cuh's row loops, through the row source and target
// below.
// Every thread must make the call (it synchronizes the block). One tile is in flight per call:
// the load waits for its copies before it returns, the store for its writes.
#pragma once

#include "../sizing.hpp"
#include "access.cuh"
#include "frag.cuh"
#include "memory.cuh"
#include "types.cuh"

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ < 900
#define TILECC_DEV_NO_TMA 1
#endif

namespace tilecc {
namespace dev {

// The shared memory of one TMA load or store site: R rows of C elements, each row at its
// global address mod 16 (hence 16 bytes of slack per row), and the load's mbarrier.
template <class S, int R, int C> struct TmaStage {
  static_assert(C * static_cast<int>(sizeof(S)) % 16 == 0,
                "TmaStage: a tile row must be a multiple of 16 bytes (bulk copies move 16-byte units)");
  // Bytes per stage row.
  static constexpr int pitch = static_cast<int>(sizing::tma_pitch(C, sizeof(S)));
  alignas(16) unsigned char bytes[R * pitch];
  unsigned long long barrier;
};

namespace detail {

// Where row r of a tile lies in its stage: the row's 16-byte aligned run [head, head + bulk)
// (bytes from column 0) is the bulk copy; column 0 sits at stage byte `offset`.
struct TmaRow {
  int offset, head, bulk;
};

// The rows of one tile in global memory (S may be const), as a TmaStage<S, R, C> holds them.
template <class S, int R, int C> struct TmaRows {
  static constexpr int size = static_cast<int>(sizeof(S)), pitch = TmaStage<remove_cv_t<S>, R, C>::pitch;
  S *base;
  long long row_stride;
  int rows, cols;   // clamped to the tile
  bool contiguous;  // col_stride == 1: rows have an interior to copy

  __device__ __forceinline__ TmaRows(S *b, long long row_stride_, long long col_stride, int rows_, int cols_)
      : base(b), row_stride(row_stride_), rows(rows_ < R ? rows_ : R), cols(cols_ < C ? cols_ : C),
        contiguous(col_stride == 1) {}
  __device__ __forceinline__ S *row(int r) const { return base + static_cast<long long>(r) * row_stride; }
  __device__ __forceinline__ TmaRow at(int r) const {
    const int misalign = static_cast<int>(reinterpret_cast<unsigned long long>(row(r)) & 15ull);
    const int head = (16 - misalign) & 15, bytes = cols * size;
    return {r * pitch + misalign, head, contiguous && bytes > head ? (bytes - head) & ~15 : 0};
  }
};

// Bytes [b, b + n) of the row lie inside its bulk copy.
__device__ __forceinline__ bool in_bulk(const TmaRow &row, int b, int n) {
  return b >= row.head && b + n <= row.head + row.bulk;
}

#ifndef TILECC_DEV_NO_TMA
__device__ __forceinline__ unsigned smem_address(const void *p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
__device__ __forceinline__ void mbarrier_init(unsigned long long *bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(smem_address(bar)), "r"(count) : "memory");
  asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory");
}
__device__ __forceinline__ void mbarrier_arrive_expect(unsigned long long *bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(smem_address(bar)), "r"(bytes)
               : "memory");
}
__device__ __forceinline__ void mbarrier_wait(unsigned long long *bar, unsigned phase) {
  unsigned done = 0;
  while (!done)
    asm volatile("{\n .reg .pred p;\n mbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n selp.u32 %0, 1, 0, p;\n}"
                 : "=r"(done)
                 : "r"(smem_address(bar)), "r"(phase)
                 : "memory");
}
// Orders this thread's generic-proxy accesses of shared memory before later bulk copies.
__device__ __forceinline__ void fence_proxy_async() { asm volatile("fence.proxy.async.shared::cta;" ::: "memory"); }
__device__ __forceinline__ void bulk_load(void *dst, const void *src, unsigned bytes, unsigned long long *bar) {
  asm volatile("cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1], %2, [%3];" ::"r"(
                   smem_address(dst)),
               "l"(src), "r"(bytes), "r"(smem_address(bar))
               : "memory");
}
__device__ __forceinline__ void bulk_store(void *dst, const void *src, unsigned bytes) {
  asm volatile("cp.async.bulk.global.shared::cta.bulk_group [%0], [%1], %2;" ::"l"(dst), "r"(smem_address(src)),
               "r"(bytes)
               : "memory");
}
__device__ __forceinline__ void bulk_store_wait() {
  asm volatile("cp.async.bulk.commit_group;" ::: "memory");
  asm volatile("cp.async.bulk.wait_group 0;" ::: "memory");
}
#endif

// Row source: thread row i's tile row, its bulk-copied interior read from the stage, its edges
// (and the whole row when col_stride != 1) from global memory with hint H.
template <LoadHint H, class S, int R, int C, class F> struct TmaRowsIn {
  using value_type = S;
  static constexpr bool staged = true;
  static constexpr int size = static_cast<int>(sizeof(S));
  struct Vector {
    const unsigned char *q;
    __device__ __forceinline__ bool aligned(int unit) const { return aligned_to(q, unit); }
    template <class W> __device__ __forceinline__ W word(int k) const { return reinterpret_cast<const W *>(q)[k]; }
  };
  struct Row {
    const S *p;                     // tile column 0 in global memory
    TmaRow span;                    // the row's bulk copy
    const unsigned char *stage_row; // tile column 0 in the stage
    bool inside;                    // the row is inside the tile's rows
    long long col_stride;
    __device__ __forceinline__ bool ok() const { return inside; }
    // A row without a bulk copy (strided, or too short) has no vector whole in the stage.
    __device__ __forceinline__ bool whole(int c0, int bytes) const { return in_bulk(span, c0 * size, bytes); }
    __device__ __forceinline__ Vector vector(int c0) const { return {stage_row + c0 * size}; }
    __device__ __forceinline__ S element(int c) const {
      return in_bulk(span, c * size, size) ? *reinterpret_cast<const S *>(stage_row + c * size)
                                           : load_word<H>(p + static_cast<long long>(c) * col_stride);
    }
  };
  TmaRows<const S, R, C> tile;
  const unsigned char *stage;
  int rows;
  long long col_stride;
  __device__ __forceinline__ Row at(int i) const {
    const int r = F::row(i);
    const bool ok = r < rows && r < R;
    const TmaRow span = tile.at(ok ? r : 0);
    return {tile.row(ok ? r : 0), span, stage + span.offset, ok, col_stride};
  }
};

// Row target: the bulk-copied interior of a tile row goes to the stage, its edges (and the whole
// row when col_stride != 1) to global memory with hint H.
template <StoreHint H, class D> struct TmaRowOut {
  using value_type = D;
  static constexpr bool staged = true;
  static constexpr int size = static_cast<int>(sizeof(D));
  struct Vector {
    unsigned char *q;
    __device__ __forceinline__ bool aligned(int unit) const { return aligned_to(q, unit); }
    template <class W> __device__ __forceinline__ void word(int k, const W &w) const {
      reinterpret_cast<W *>(q)[k] = w;
    }
  };
  D *p;
  TmaRow span;
  unsigned char *stage_row;
  long long col_stride;
  // A row without a bulk copy (strided, or too short) has no vector whole in the stage.
  __device__ __forceinline__ bool whole(int c0, int bytes) const { return in_bulk(span, c0 * size, bytes); }
  __device__ __forceinline__ Vector vector(int c0) const { return {stage_row + c0 * size}; }
  __device__ __forceinline__ void element(int c, const D &v) const {
    if (in_bulk(span, c * size, size))
      *reinterpret_cast<D *>(stage_row + c * size) = v;
    else
      store_word<H>(p + static_cast<long long>(c) * col_stride, v);
  }
};

template <class S> inline constexpr bool tma_unavailable = sizeof(S) == 0;

} // namespace detail

// Initializes a stage's mbarrier (one arrival per thread of L). Every thread calls it once,
// before the stage's first use.
template <class L, class S, int R, int C> __device__ __forceinline__ void tma_init(TmaStage<S, R, C> &stage) {
  static_assert(sizeof(TmaStage<S, R, C>) == sizing::tma_stage_bytes(R, C, sizeof(S)),
                "TmaStage: its size is what sizing::tma_stage_bytes tells the code generator");
#ifdef TILECC_DEV_NO_TMA
  static_assert(detail::tma_unavailable<S>,
                "tma_init: TMA bulk copies need sm_90 or newer (config field load_tma / "
                "store_tma: translate without it for this arch)");
#else
  if (L::tid() == 0) detail::mbarrier_init(&stage.barrier, L::threads);
  __syncthreads();
#endif
}

// f = tile of base (converted from S to T), its rows' aligned interiors through bulk copies into
// the stage.
template <class P, class T, int R, int C, class L, class S>
__device__ __forceinline__ void load(Frag<T, R, C, L> &f, const S *base, long long row_stride, long long col_stride,
                                     int rows, int cols, TmaStage<S, R, C> &stage, unsigned &phase) {
  static_assert(detail::access_kind<P>::load,
                "load<P>: P must be Access<LoadHint::..., Vec> (a StoreHint is for store)");
#ifdef TILECC_DEV_NO_TMA
  static_assert(detail::tma_unavailable<S>,
                "load through a TmaStage: TMA bulk copies need sm_90 or newer (config "
                "field load_tma: translate without it for this arch)");
#else
  const detail::TmaRows<const S, R, C> tile(base, row_stride, col_stride, rows, cols);
  f.rows = rows;
  f.cols = cols;
  // Issue: every thread has finished reading the stage's previous tile; thread t copies rows
  // t, t + NT, ... and arrives expecting their bytes, so the phase ends when all have landed.
  __syncthreads();
  unsigned expected = 0;
  for (int r = L::tid(); r < tile.rows; r += L::threads) expected += static_cast<unsigned>(tile.at(r).bulk);
  if (expected) detail::fence_proxy_async();
  detail::mbarrier_arrive_expect(&stage.barrier, expected);
  for (int r = L::tid(); r < tile.rows; r += L::threads) {
    const detail::TmaRow row = tile.at(r);
    if (row.bulk)
      detail::bulk_load(stage.bytes + row.offset + row.head,
                        reinterpret_cast<const unsigned char *>(tile.row(r)) + row.head,
                        static_cast<unsigned>(row.bulk), &stage.barrier);
  }
  detail::mbarrier_wait(&stage.barrier, phase);
  phase ^= 1u;
  // Read: the interior from the stage, the edges from global memory, zero outside.
  detail::load_rows<P>(f, detail::TmaRowsIn<P::hint, S, R, C, Frag<T, R, C, L> >{tile, stage.bytes, rows, col_stride},
                       cols);
#endif
}

// Writes the owned elements of f (converted from T to D): the rows' aligned interiors through
// the stage and bulk copies, the edges straight from registers.
template <class P, class D, class T, int R, int C, class L>
__device__ __forceinline__ void store(D *base, const Frag<T, R, C, L> &f, long long row_stride, long long col_stride,
                                      TmaStage<D, R, C> &stage) {
  static_assert(detail::access_kind<P>::store,
                "store<P>: P must be Access<StoreHint::..., Vec> (a LoadHint is for load)");
#ifdef TILECC_DEV_NO_TMA
  static_assert(detail::tma_unavailable<D>,
                "store through a TmaStage: TMA bulk copies need sm_90 or newer (config "
                "field store_tma: translate without it for this arch)");
#else
  const detail::TmaRows<D, R, C> tile(base, row_stride, col_stride, f.rows, f.cols);
  // Stage: the stage's previous tile was waited for by its issuers before they returned.
  __syncthreads();
#pragma unroll
  for (int i = 0; i < f.er; ++i) {
    const bool row_own = detail::row_owned(f, i);
    const int r = row_own ? f.row(i) : 0;
    const detail::TmaRow span = tile.at(r);
    detail::store_row<P>(detail::TmaRowOut<P::hint, D>{tile.row(r), span, stage.bytes + span.offset, col_stride}, f, i,
                         row_own);
  }
  // Copy: the stage's writes are visible to the bulk copies; thread t copies rows t, t + NT, ...
  detail::fence_proxy_async();
  __syncthreads();
  bool issued = false;
  for (int r = L::tid(); r < tile.rows; r += L::threads) {
    const detail::TmaRow row = tile.at(r);
    if (!row.bulk) continue;
    detail::bulk_store(reinterpret_cast<unsigned char *>(tile.row(r)) + row.head, stage.bytes + row.offset + row.head,
                       static_cast<unsigned>(row.bulk));
    issued = true;
  }
  if (issued) detail::bulk_store_wait();
#endif
}

} // namespace dev
} // namespace tilecc
