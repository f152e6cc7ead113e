// dot_loop_store's warp-specialized sm_90a path (config dot_operand_load = "tma_ws"):
// warpgroup 0 only issues the tensor-map copies of dot_wgmma_tma.cuh, the consumer warpgroups
// only multiply (wgmma) and store. Blocks are powers of two: 8 warps (one consumer warpgroup)
// or 16 (two consumers, the last two warpgroups; warpgroup 1 gives its registers away and
// waits).
//
// With 16 warps the roles trade registers (setmaxnreg): the producer keeps 40 a thread, the
// waiting warpgroup 24, the consumers take 224, all within the 128 a thread the block was
// compiled with (__launch_bounds__(512)). ptxas still compiles the consumers' code within
// those 128: an m64 x n256 accumulator does not fit (a 128 x 128 tile, m64 x n128 each, does).
// With 8 warps the one consumer already has the whole budget (up to 255).
//
// Ring of STAGES stages as in dot_wgmma_tma.cuh: full barriers (the producer's expect_tx and
// the copies' bytes), empty barriers (one arrival per consumer warpgroup once its wgmmas of
// the stage finished). The producer runs up to STAGES steps ahead of the slowest consumer.
#pragma once

#include "dot_wgmma_tma.cuh"

namespace tilecc {
namespace dev {
namespace detail {

// Consumer threads of an NT-thread block: the last warpgroup of 8 warps, the last two of 16.
template <int NT> inline constexpr int ws_consumer_threads = NT == 256 ? 128 : NT == 512 ? 256 : 0;
inline constexpr int ws_base_regs = 128, ws_producer_regs = 40, ws_idle_regs = 24, ws_consumer_regs = 224;
static_assert((ws_producer_regs + ws_idle_regs) * 128 + ws_consumer_regs * 256 <= ws_base_regs * 512,
              "warp specialization: the roles' registers fit the block's");

template <int BK, int R, int C, int NT, class A, class B, int STAGES_WANTED, int LIMIT>
inline constexpr bool dot_wgmma_ws_eligible =
    ws_consumer_threads<NT> > 0 &&
    dot_wgmma_eligible<BK, R, C, (ws_consumer_threads<NT> > 0 ? ws_consumer_threads<NT> : 128), A, B, STAGES_WANTED,
                       LIMIT>;

#if TILECC_DEV_HAS_WGMMA

template <int N> __device__ __forceinline__ void setmaxnreg_inc() {
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(N));
}
template <int N> __device__ __forceinline__ void setmaxnreg_dec() {
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(N));
}

// out[0:rows, 0:cols] = a @ b as dot_store_wgmma_tma, with a producer warpgroup.
template <int NT, int R, int C, int STAGES_WANTED, int LIMIT, class E, class TO, class Epi = store_products>
__device__ __forceinline__ void dot_store_wgmma_ws(TO *out, long long out_row_stride, long long out_col_stride,
                                                   const TensorMap &a_map, long long a_row0, const TensorMap &b_map,
                                                   long long b_col0, long long k_begin, long long k_end, int rows,
                                                   int cols, uint4 *shared, const Epi &epi = Epi{}) {
  constexpr int CONSUMERS = ws_consumer_threads<NT>, FIRST_CONSUMER = NT - CONSUMERS;
  static_assert(CONSUMERS > 0, "dot_store_wgmma_ws: blocks of 8 or 16 warps");
  constexpr bool TRADE = NT == 512;  // registers move between roles (with 8 warps there is no one to give them to)
  using G = wgmma_grid<R, C, CONSUMERS>;
  using S = wgmma_smem<R, C, STAGES_WANTED, LIMIT>;
  constexpr int BK = wgmma_bk, STAGES = S::stages, STAGE_BYTES = S::stage_bytes;
  constexpr int A_BYTES = R * BK * 2, B_BLOCK_BYTES = BK * 128;
  constexpr int BASE_REGS = ws_base_regs, CONSUMER_REGS = ws_consumer_regs;
  static_assert(R <= 256, "dot_store_wgmma_ws: a tensor-map box holds at most 256 rows");
  static_assert(2 * STAGES * 8 <= sizing::tensor_map_barrier_bytes, "dot_store_wgmma_ws: at most 8 stages");
  __shared__ alignas(8) unsigned long long barriers[2 * STAGES];  // full[STAGES], then empty[STAGES]

  const unsigned base = (pipe_smem_addr(shared) + 1023u) & ~1023u;
  const unsigned full0 = shared_addr(barriers), empty0 = full0 + STAGES * 8;
  const long long steps = (k_end - k_begin + BK - 1) / BK;
  const int tid = static_cast<int>(threadIdx.x);

  if (tid == 0) {
    tma_prefetch_map(a_map);
    tma_prefetch_map(b_map);
#pragma unroll
    for (int s = 0; s < STAGES; ++s) {
      mbar_init(full0 + s * 8, 1);
      mbar_init(empty0 + s * 8, G::groups);
    }
    mbar_init_fence();
  }
  __syncthreads();

  if (tid < 128) {
    // Producer: one thread issues every step once the consumers released its stage.
    if constexpr (TRADE) setmaxnreg_dec<ws_producer_regs>();
    if (tid == 0) {
      const int row0 = static_cast<int>(a_row0), col0 = static_cast<int>(b_col0);
      int s = 0;
      unsigned round = 0;
      for (long long step = 0; step < steps; ++step) {
        if (step >= STAGES) mbar_wait(empty0 + s * 8, (round - 1) & 1u);
        const unsigned stage = base + s * STAGE_BYTES, full = full0 + s * 8;
        const int k = static_cast<int>(k_begin + step * BK);
        mbar_arrive_expect_tx(full, STAGE_BYTES);
        tma_load_2d(stage, a_map, k, row0, full);
#pragma unroll
        for (int cb = 0; cb < C / 64; ++cb)
          tma_load_2d(stage + A_BYTES + cb * B_BLOCK_BYTES, b_map, col0 + cb * 64, k, full);
        if (++s == STAGES) {
          s = 0;
          ++round;
        }
      }
    }
    if constexpr (TRADE) setmaxnreg_inc<BASE_REGS>();
  } else if (tid < FIRST_CONSUMER) {
    // The fourth warpgroup of a power-of-two block: its registers go to the consumers.
    setmaxnreg_dec<ws_idle_regs>();
    setmaxnreg_inc<BASE_REGS>();
  } else {
    if constexpr (TRADE) setmaxnreg_inc<CONSUMER_REGS>();
    const int ctid = tid - FIRST_CONSUMER, group = ctid / 128, group_row0 = group * G::rows;
    float d[G::msub][C / 2];
#pragma unroll
    for (int i = 0; i < G::msub; ++i)
#pragma unroll
      for (int j = 0; j < C / 2; ++j) d[i][j] = 0.0f;

    int stage = 0;
    unsigned phase = 0;
    for (long long kt = 0; kt < steps; ++kt) {
      mbar_wait(full0 + stage * 8, phase);
      const unsigned sa = base + stage * STAGE_BYTES + group_row0 * 128;
      const unsigned sb = base + stage * STAGE_BYTES + A_BYTES;
      wgmma_fence();
#pragma unroll
      for (int ks = 0; ks < BK / 16; ++ks) {
        const unsigned long long b_desc = wgmma_desc_sw128(sb + ks * 2048, B_BLOCK_BYTES, 1024);
#pragma unroll
        for (int i = 0; i < G::msub; ++i)
          wgmma_m64k16<E, C>(d[i], wgmma_desc_sw128(sa + i * 64 * 128 + ks * 32, 16, 1024), b_desc);
      }
      wgmma_commit();
      wgmma_wait<1>();  // this warpgroup's wgmmas of step kt - 1 have finished: release its stage
      if (kt > 0 && ctid % 128 == 0) mbar_arrive(empty0 + (stage == 0 ? STAGES - 1 : stage - 1) * 8);
      if (++stage == STAGES) {
        stage = 0;
        phase ^= 1u;
      }
    }
    wgmma_wait<0>();
#pragma unroll
    for (int i = 0; i < G::msub; ++i)
#pragma unroll
      for (int j = 0; j < C / 2; ++j) wgmma_pin(d[i][j]);
    const int warp_row0 = group_row0 + ((ctid % 128) / 32) * 16;
#pragma unroll
    for (int i = 0; i < G::msub; ++i)
      store_wgmma_products(out, out_row_stride, out_col_stride, rows, cols, d[i], warp_row0 + i * 64, epi);
    if constexpr (TRADE) setmaxnreg_dec<BASE_REGS>();
  }
  // Every role is back at the kernel's registers; no thread waits on the barriers any more.
  __syncthreads();
  if (tid == 0) {
#pragma unroll
    for (int s = 0; s < STAGES; ++s) {
      mbar_inval(full0 + s * 8);
      mbar_inval(empty0 + s * 8);
    }
  }
}

#endif

} // namespace detail

// dot_loop_store_tma with a producer warpgroup (the block's first) and consumer warpgroups
// (the last one or two) where that split can run; else dot_loop_store_tma over all the block's threads
// (its R x C tile must then suit them).
template <int BK, int STAGES, int R, int C, class L, int DYNAMIC_SMEM, int FLAGS = 0, class TO, class PA, class PB,
          class Epi = store_products>
__device__ __forceinline__ void dot_loop_store_ws(TO *out, long long out_row_stride, long long out_col_stride,
                                                  const PA *a, long long a_row_stride, long long a_col_stride,
                                                  const TensorMap &a_map, long long a_row0, const PB *b,
                                                  long long b_row_stride, long long b_col_stride,
                                                  const TensorMap &b_map, long long b_col0, long long k_begin,
                                                  long long k_end, long long rows, long long cols,
                                                  const Epi &epi = Epi{}) {
  // FLAGS dot_in_loop, as dot_loop_store's INSTR: nothing derived from a device loop's invariants
  // leaves it. Done here once; the fallback below gets its operands already hidden.
  if constexpr ((FLAGS & dot_in_loop) != 0)
    detail::make_opaque_each(out, out_row_stride, out_col_stride, a, a_row_stride, a_col_stride, b, b_row_stride,
                             b_col_stride, b_col0, k_end, cols);
#if TILECC_DEV_HAS_WGMMA
  using A = remove_cv_t<PA>;
  using B = remove_cv_t<PB>;
  if constexpr (DYNAMIC_SMEM > 0 && detail::dot_wgmma_ws_eligible<BK, R, C, L::threads, A, B, STAGES, DYNAMIC_SMEM>) {
    if (k_begin < k_end && detail::tensor_maps_usable(a_map, b_map, k_end) &&
        detail::dot_pipeline_usable(a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, k_begin)) {
      extern __shared__ uint4 tilecc_dynamic_shared[];
      detail::dot_store_wgmma_ws<L::threads, R, C, STAGES, DYNAMIC_SMEM, A>(
          out, out_row_stride, out_col_stride, a_map, a_row0, b_map, b_col0, k_begin, k_end, static_cast<int>(rows),
          static_cast<int>(cols), tilecc_dynamic_shared, epi);
      return;
    }
  }
#endif
  dot_loop_store_tma<BK, STAGES, R, C, L, DYNAMIC_SMEM, (FLAGS & ~dot_in_loop)>(
      out, out_row_stride, out_col_stride, a, a_row_stride, a_col_stride, a_map, a_row0, b, b_row_stride, b_col_stride,
      b_map, b_col0, k_begin, k_end, rows, cols, epi);
}

} // namespace dev
} // namespace tilecc
