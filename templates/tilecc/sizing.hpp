// The shared-memory and staging formulas of the device library, in one place for the device
// headers and for host code (the code generator counts a kernel's shared memory with them).
//
// Plain C++17: includes nothing, needs no CUDA. Every function is constexpr and takes and
// returns long long; shapes are given rows, k, cols (an R x K by K x C product, or an R x C
// tile) and element sizes in bytes. Under a CUDA compiler (nvcc, NVRTC) the functions are also
// __device__, so that device code can evaluate them at compile time (NVRTC compiles no host
// functions at all).
//
//   staging of one dot / one dot_loop step (dot.cuh)
//     static_shared_limit                         48 KB: the most static shared memory per block
//     round_up(x, m)
//     dot_simt_bytes(size, r, k, c)               dot_simt's operand staging in size-byte floats
//     simt_k_step(size, r, bk, c)                 dot_loop's SIMT k step: bk halved until it fits
//     mma_out_rows(r, c, budget)                  rows of mma products handed back per round
//     dot_mma_bytes(r, k, c)                      dot's mma.sync staging (one product)
//     dot_loop_mma_stages(r, bk, c)               dot_loop_mma's operand stages (1 or 2)
//     dot_loop_mma_bytes(r, bk, c)                dot_loop_mma's shared buffer
//     mma_k_step(r, bk, c)                        dot_loop_store's mma.sync k step that fits
//   the cp.async + mma.sync pipeline (dot_pipeline.cuh)
//     pipeline_warps_m(r, c, warps)               warp rows of its warp grid (0: no grid fits)
//     pipeline_shape(r, bk, c, threads)           the block and k block suit the pipeline
//     pipeline_stage_bytes(r, bk, c)
//     pipeline_stages(r, bk, c, wanted, limit)    stages it runs (0: fewer than 2 fit)
//     pipeline_bytes(r, bk, c, wanted, limit)
//   the wgmma pipeline (dot_wgmma.cuh)
//     wgmma_bk                                    its k block (64)
//     wgmma_groups(threads), wgmma_m_tiles(r, threads), wgmma_grid_ok(r, c, threads)
//     wgmma_stage_bytes(r, c)
//     wgmma_stages(r, c, wanted, limit)           stages it runs (0: the wanted ones do not fit)
//     wgmma_bytes(r, c, wanted, limit)            its dynamic shared memory
//   TMA stages (tma.cuh), block reductions (reduce.cuh)
//     tma_pitch(cols, size), tma_stage_bytes(rows, cols, size)
//     reduce_scratch_bytes(threads)
//
// `wanted` is a configured stage count, 0 for "as many as fit (at most 4)"; `limit` is the shared
// memory the stages may take (static_shared_limit, or the dynamic shared memory of a launch).
#pragma once

#if defined(__CUDACC__)
#define TILECC_SIZING_FN __host__ __device__ constexpr
#else
#define TILECC_SIZING_FN constexpr
#endif

namespace tilecc {
namespace sizing {

inline constexpr long long static_shared_limit = 48 * 1024;

TILECC_SIZING_FN long long round_up(long long x, long long m) { return (x + m - 1) / m * m; }
TILECC_SIZING_FN long long max_of(long long a, long long b) { return a < b ? b : a; }
TILECC_SIZING_FN long long min_of(long long a, long long b) { return a < b ? a : b; }

// ---- dot.cuh: SIMT ------------------------------------------------------------------------

// dot_simt stages a (r rows of k + 1: odd, so rows fall in different banks, padded to 16 bytes)
// and b (k rows of c rounded up to 4, plus 4: 16-byte rows for vector reads).
TILECC_SIZING_FN long long dot_simt_bytes(long long size, long long r, long long k, long long c) {
  return (round_up(r * (k + 1), 16 / size) + k * (round_up(c, 4) + 4)) * size;
}

// The largest k step (a power-of-two fraction of bk) whose SIMT staging fits in 48 KB (at least
// 1): dot_loop's general path walks k in these steps.
TILECC_SIZING_FN long long simt_k_step(long long size, long long r, long long bk, long long c) {
  long long k = bk;
  while (k > 1 && dot_simt_bytes(size, r, k, c) > static_shared_limit) k /= 2;
  return k;
}

// ---- dot.cuh: mma.sync m16n8k16 -----------------------------------------------------------

// Rows of f32 products handed back per round through `budget` bytes (rows of c + 4 floats): r,
// halved while it does not fit, down to 16.
TILECC_SIZING_FN long long mma_out_rows(long long r, long long c, long long budget) {
  long long rows = r;
  while (rows > 16 && rows * (c + 4) * 4 > budget) rows /= 2;
  return rows;
}

// Elements of one operand stage of mma.sync staging: a (r x k) and b (k x c) in 16-bit elements,
// rows padded by 8 elements (16 bytes) so that the 8 rows an ldmatrix reads hit different banks.
TILECC_SIZING_FN long long mma_stage_elems(long long r, long long k, long long c) { return r * (k + 8) + k * (c + 8); }

// Shared bytes of `stages` mma.sync operand stages, or of the products' rounds through the same
// buffer, whichever is larger.
TILECC_SIZING_FN long long mma_bytes(long long r, long long k, long long c, long long stages) {
  const long long stage_bytes = stages * mma_stage_elems(r, k, c) * 2;
  const long long rows = mma_out_rows(r, c, max_of(stage_bytes, 16 * (c + 4) * 4));
  return max_of(stage_bytes, rows * (c + 4) * 4);
}

// dot's one product on the tensor cores: one stage.
TILECC_SIZING_FN long long dot_mma_bytes(long long r, long long k, long long c) { return mma_bytes(r, k, c, 1); }

// dot_loop_mma double-buffers its operands when two stages fit in 48 KB.
TILECC_SIZING_FN long long dot_loop_mma_stages(long long r, long long bk, long long c) {
  return 2 * mma_stage_elems(r, bk, c) * 2 <= static_shared_limit ? 2 : 1;
}
TILECC_SIZING_FN long long dot_loop_mma_bytes(long long r, long long bk, long long c) {
  return mma_bytes(r, bk, c, dot_loop_mma_stages(r, bk, c));
}
// The products' rounds of dot_loop_mma (rows per round).
TILECC_SIZING_FN long long dot_loop_mma_out_rows(long long r, long long bk, long long c) {
  return mma_out_rows(r, c, max_of(dot_loop_mma_stages(r, bk, c) * mma_stage_elems(r, bk, c) * 2, 16 * (c + 4) * 4));
}

// The k step dot_loop_store's dot_loop_mma fallback walks in: bk, halved while its staging does
// not fit in 48 KB (steps stay multiples of 16).
TILECC_SIZING_FN long long mma_k_step(long long r, long long bk, long long c) {
  long long k = bk;
  while (k > 16 && k % 32 == 0 && dot_loop_mma_bytes(r, k, c) > static_shared_limit) k /= 2;
  return k;
}

// ---- dot_pipeline.cuh: cp.async + mma.sync ------------------------------------------------

// The warp grid over an r x c block: warps_m x (warps / warps_m) warps, each a tile of multiples
// of 16 with at most 128 accumulators per thread, chosen to load the fewest ldmatrix.x4 per k16
// step (tile rows / 16 + tile cols / 16); 0 when none fits.
TILECC_SIZING_FN long long pipeline_warps_m(long long r, long long c, long long warps) {
  long long best = 0, best_cost = 1ll << 30;
  for (long long wm = 1; wm <= warps; wm *= 2) {
    const long long wn = warps / wm;
    if (wm * wn != warps || r % wm != 0 || c % wn != 0) continue;
    const long long tm = r / wm, tn = c / wn;
    if (tm % 16 != 0 || tn % 16 != 0 || tm * tn / 32 > 128) continue;
    const long long cost = tm / 16 + tn / 16;
    if (cost < best_cost) {
      best_cost = cost;
      best = wm;
    }
  }
  return best;
}

// The block and k block suit the pipeline (shared memory aside; the element types, f16/bf16
// operands into f32, are the caller's to check): r and c multiples of 64, bk of 32, whole warps
// forming a warp grid.
TILECC_SIZING_FN bool pipeline_shape(long long r, long long bk, long long c, long long threads) {
  return r % 64 == 0 && c % 64 == 0 && bk % 32 == 0 && threads % 32 == 0 && pipeline_warps_m(r, c, threads / 32) > 0;
}

// One stage: a (r x bk) and b (bk x c) in 16-bit elements, unpadded (the tiles are swizzled).
TILECC_SIZING_FN long long pipeline_stage_bytes(long long r, long long bk, long long c) {
  return (r * bk + bk * c) * 2;
}

// Stages the pipeline runs: `wanted` (2..4) when that many fit in `limit`, else 0; wanted 0: as
// many as fit, at most 4 (0 when fewer than 2 fit: the pipeline is not used).
TILECC_SIZING_FN long long pipeline_stages(long long r, long long bk, long long c, long long wanted, long long limit) {
  const long long most = min_of(limit / pipeline_stage_bytes(r, bk, c), 4);
  const long long stages = wanted == 0 ? most : wanted <= most ? wanted : 0;
  return stages >= 2 ? stages : 0;
}
TILECC_SIZING_FN long long pipeline_bytes(long long r, long long bk, long long c, long long wanted, long long limit) {
  return pipeline_stages(r, bk, c, wanted, limit) * pipeline_stage_bytes(r, bk, c);
}

// ---- dot_wgmma.cuh: warpgroup MMA ---------------------------------------------------------

inline constexpr long long wgmma_bk = 64; // one 128-byte swizzle row of a per k step

// Warpgroups of 128 threads stacked along r, each owning r / groups rows as 1 or 2 m64 tiles
// and all c columns (one wgmma of n = c: 64, 128 or 256, at most 128 accumulators a thread).
TILECC_SIZING_FN long long wgmma_groups(long long threads) { return threads % 128 == 0 ? threads / 128 : 0; }
TILECC_SIZING_FN long long wgmma_m_tiles(long long r, long long threads) {
  return wgmma_groups(threads) > 0 ? r / wgmma_groups(threads) / 64 : 0;
}
TILECC_SIZING_FN bool wgmma_grid_ok(long long r, long long c, long long threads) {
  const long long groups = wgmma_groups(threads), msub = wgmma_m_tiles(r, threads);
  return groups > 0 && r % (64 * groups) == 0 && (msub == 1 || msub == 2) && (c == 64 || c == 128 || c == 256) &&
         msub * c / 2 <= 128;
}

// One stage: (r + c) rows of 64 16-bit elements; the buffer has 1024 bytes of slack to align
// the swizzle patterns.
TILECC_SIZING_FN long long wgmma_stage_bytes(long long r, long long c) { return (r + c) * wgmma_bk * 2; }

// Stages: `wanted` (2..8) when they fit in `limit`, else 0; wanted 0: as many as fit, at most 4.
TILECC_SIZING_FN long long wgmma_stages(long long r, long long c, long long wanted, long long limit) {
  const long long fit = (limit - 1024) / wgmma_stage_bytes(r, c);
  return wanted == 0 ? min_of(fit, 4) : wanted <= fit ? wanted : 0;
}
TILECC_SIZING_FN long long wgmma_bytes(long long r, long long c, long long wanted, long long limit) {
  return wgmma_stages(r, c, wanted, limit) * wgmma_stage_bytes(r, c) + 1024;
}

// dot_wgmma_tma.cuh: a full and an empty mbarrier per stage (at most 8) in static shared memory.
inline constexpr long long tensor_map_barrier_bytes = 2 * 8 * 8;

// ---- tma.cuh, reduce.cuh ------------------------------------------------------------------

// A TMA stage keeps each tile row at its global address mod 16: 16 bytes of slack per row, then
// the load's 8-byte mbarrier, the whole rounded to 16 bytes.
TILECC_SIZING_FN long long tma_pitch(long long cols, long long size) { return cols * size + 16; }
TILECC_SIZING_FN long long tma_stage_bytes(long long rows, long long cols, long long size) {
  return rows * tma_pitch(cols, size) + 16;
}

// The block reductions' scratch buffer: 16 bytes per thread.
TILECC_SIZING_FN long long reduce_scratch_bytes(long long threads) { return threads * 16; }

} // namespace sizing
} // namespace tilecc
