// Tile loads and stores through the Tensor Memory Accelerator, sm_90+ (config knobs load_tma,
// store_tma): bulk copies between global and shared memory, completing on an mbarrier (loads)
// or a bulk async-group (stores).
//
//   __shared__ TmaStage<S, R, C> stage;  // one per load / store site, at kernel scope
//   unsigned phase = 0;                  // the load's mbarrier phase (block-uniform)
//   tma_init<L>(stage);                  // once, by every thread
//   load_tma<LoadHint::none, true>(f, stage, phase, base, row_stride, col_stride, rows, cols);
//   store_tma<StoreHint::none, true>(stage, base, f, row_stride, col_stride);
//
// Same meaning as access.cuh's load_hinted / store_hinted (masked, converting; loads leave zero
// outside rows x cols), whatever the shape, strides or alignment:
// - each tile row is one 1-D bulk copy (cp.async.bulk) of its 16-byte aligned interior, so any
//   base address and row stride works (the tensor-map form needs 16-byte aligned bases and
//   row strides, and a tensor map built on the host per launch); the stage keeps each row at
//   its global address mod 16, so that interior lands 16-byte aligned;
// - the up to 15 bytes before and after the interior, and rows whose columns are not
//   contiguous (col_stride != 1), move element by element in registers, with the hint H;
// - elements outside rows x cols are never copied and read as zero, so a partial tile never
//   sees neighbouring data (a reduction over it is exact, whatever its identity: -inf for max);
// - Vec: the stage is read (load) or written (store) in 4/8/16-byte words where aligned.
// Every thread must make the call (it synchronizes the block). One tile is in flight per call:
// the load waits for its copies before it returns, the store for its writes.
#pragma once

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
  static constexpr int pitch = C * static_cast<int>(sizeof(S)) + 16;  // bytes per stage row (TmaRows)
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
  static constexpr int size = static_cast<int>(sizeof(S)), pitch = C * size + 16;
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

template <class S> inline constexpr bool tma_unavailable = sizeof(S) == 0;

} // namespace detail

// Initializes a stage's mbarrier (one arrival per thread of L). Every thread calls it once,
// before the stage's first use.
template <class L, class S, int R, int C> __device__ __forceinline__ void tma_init(TmaStage<S, R, C> &stage) {
#ifdef TILECC_DEV_NO_TMA
  static_assert(detail::tma_unavailable<S>, "tma_init: TMA bulk copies need sm_90 or newer (config field load_tma / "
                                            "store_tma: translate without it for this arch)");
#else
  if (L::tid() == 0)
    detail::mbarrier_init(&stage.barrier, L::threads);
  __syncthreads();
#endif
}

// f = tile of base (converted from S to T), its rows' aligned interiors through bulk copies.
template <LoadHint H, bool Vec, class T, int R, int C, class L, class S>
__device__ __forceinline__ void load_tma(Frag<T, R, C, L> &f, TmaStage<S, R, C> &stage, unsigned &phase,
                                         const S *base, long long row_stride, long long col_stride, int rows,
                                         int cols) {
#ifdef TILECC_DEV_NO_TMA
  static_assert(detail::tma_unavailable<S>, "load_tma: TMA bulk copies need sm_90 or newer (config field load_tma: "
                                            "translate without it for this arch)");
#else
  using F = Frag<T, R, C, L>;
  const detail::TmaRows<const S, R, C> tile(base, row_stride, col_stride, rows, cols);
  constexpr int size = detail::TmaRows<const S, R, C>::size;
  f.rows = rows;
  f.cols = cols;
  // Issue: every thread has finished reading the stage's previous tile; thread t copies rows
  // t, t + NT, ... and arrives expecting their bytes, so the phase ends when all have landed.
  __syncthreads();
  unsigned expected = 0;
  for (int r = L::tid(); r < tile.rows; r += L::threads)
    expected += static_cast<unsigned>(tile.at(r).bulk);
  if (expected)
    detail::fence_proxy_async();
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
  constexpr int V = F::vec;
  constexpr int unit = Vec ? detail::vector_unit<S, V>() : 0;
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
    const int r = f.row(i);
    const bool row_ok = r < rows && r < R;
    const S *p = tile.row(row_ok ? r : 0);
    const detail::TmaRow row = tile.at(row_ok ? r : 0);
    const unsigned char *staged = stage.bytes + row.offset;
#pragma unroll
    for (int g = 0; g < F::ec / V; ++g) {
      const int c0 = f.col(g * V);
      if constexpr (unit != 0) {
        if (row_ok && c0 + V <= cols && detail::in_bulk(row, c0 * size, V * size) &&
            detail::aligned_to(staged + c0 * size, unit)) {
          using W = typename detail::vector_word<unit>::type;
          W words[V * size / unit];
#pragma unroll
          for (int k = 0; k < V * size / unit; ++k)
            words[k] = reinterpret_cast<const W *>(staged + c0 * size)[k];
          const S *s = reinterpret_cast<const S *>(words);
#pragma unroll
          for (int k = 0; k < V; ++k)
            f.v[i][g * V + k] = convert<T>(s[k]);
          continue;
        }
      }
#pragma unroll
      for (int k = 0; k < V; ++k) {
        const int c = f.col(g * V + k);
        T x = zero<T>();
        if (row_ok && c < cols && c < C)
          x = detail::in_bulk(row, c * size, size)
                  ? convert<T>(*reinterpret_cast<const S *>(staged + c * size))
                  : convert<T>(detail::load_word<H>(p + static_cast<long long>(c) * col_stride));
        f.v[i][g * V + k] = x;
      }
    }
  }
#endif
}

// Writes the owned elements of f (converted from T to D): the rows' aligned interiors through
// the stage and bulk copies, the edges straight from registers.
template <StoreHint H, bool Vec, class D, class T, int R, int C, class L>
__device__ __forceinline__ void store_tma(TmaStage<D, R, C> &stage, D *base, const Frag<T, R, C, L> &f,
                                          long long row_stride, long long col_stride) {
#ifdef TILECC_DEV_NO_TMA
  static_assert(detail::tma_unavailable<D>, "store_tma: TMA bulk copies need sm_90 or newer (config field "
                                            "store_tma: translate without it for this arch)");
#else
  using F = Frag<T, R, C, L>;
  const detail::TmaRows<D, R, C> tile(base, row_stride, col_stride, f.rows, f.cols);
  constexpr int size = detail::TmaRows<D, R, C>::size, V = F::vec;
  constexpr int unit = Vec ? detail::vector_unit<D, V>() : 0;
  const int cols = f.cols;
  const bool col_home = C != 1 || L::tx() == 0;
  // Stage: the stage's previous tile was waited for by its issuers before they returned.
  __syncthreads();
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
    const int r = f.row(i);
    const bool row_own = r < f.rows && r < R && (R != 1 || L::ty() == 0);
    D *p = tile.row(row_own ? r : 0);
    const detail::TmaRow row = tile.at(row_own ? r : 0);
    unsigned char *staged = stage.bytes + row.offset;
#pragma unroll
    for (int g = 0; g < F::ec / V; ++g) {
      const int c0 = f.col(g * V);
      D tmp[V];
#pragma unroll
      for (int k = 0; k < V; ++k)
        tmp[k] = convert<D>(f.v[i][g * V + k]);
      if constexpr (unit != 0) {
        if (row_own && c0 + V <= cols && detail::in_bulk(row, c0 * size, V * size) &&
            detail::aligned_to(staged + c0 * size, unit)) {
          using W = typename detail::vector_word<unit>::type;
#pragma unroll
          for (int k = 0; k < V * size / unit; ++k)
            reinterpret_cast<W *>(staged + c0 * size)[k] = reinterpret_cast<const W *>(tmp)[k];
          continue;
        }
      }
#pragma unroll
      for (int k = 0; k < V; ++k) {
        const int c = f.col(g * V + k);
        if (!row_own || !col_home || c >= cols || c >= C)
          continue;
        if (detail::in_bulk(row, c * size, size))
          *reinterpret_cast<D *>(staged + c * size) = tmp[k];
        else
          detail::store_word<H>(p + static_cast<long long>(c) * col_stride, tmp[k]);
      }
    }
  }
  // Copy: the stage's writes are visible to the bulk copies; thread t copies rows t, t + NT, ...
  detail::fence_proxy_async();
  __syncthreads();
  bool issued = false;
  for (int r = L::tid(); r < tile.rows; r += L::threads) {
    const detail::TmaRow row = tile.at(r);
    if (!row.bulk)
      continue;
    detail::bulk_store(reinterpret_cast<unsigned char *>(tile.row(r)) + row.head, stage.bytes + row.offset + row.head,
                       static_cast<unsigned>(row.bulk));
    issued = true;
  }
  if (issued)
    detail::bulk_store_wait();
#endif
}

} // namespace dev
} // namespace tilecc
