// Dots of fragments in the MmaRows layout (frag_mma.cuh) with operands in shared memory.
//
// SharedTile<T, R, C, L, SITE[, OFFSET]>: an R x C tile of T in shared memory, row-major with
// rows padded by 16 bytes so that ldmatrix's eight row addresses fall in different banks. SITE
// tells the kernel's tiles apart: each gets its own buffer (static, or at OFFSET in dynamic
// shared memory); a SharedTile value is a view of it with the valid extents of what it holds.
// load_shared<Tile> fills the buffer from global memory with cp.async (16-byte chunks, zero
// outside rows x cols) and returns without waiting, so the copy runs while the block computes;
// shared_tiles_ready() waits. The generated code
// schedules them: in a loop over key tiles, the next operand's copy is issued right after the
// barrier before a dot (once every thread is done with that buffer), so each copy overlaps
// the math of the dot before its own.
//
// dot(acc, a, b) with acc a float Frag<MmaRows>, a an f16 / bf16 Frag<MmaRows> of the same
// rows and b a SharedTile (B = b) or trans(SharedTile) (B = its transpose): a is already the
// mma A operand (packed register to register), B comes by ldmatrix (.trans for b itself,
// plain for a transposed tile), and mma.sync m16n8k16 adds straight into acc's registers.
// k and n blocks beyond the operands' valid extents are skipped (uniform branches); elements of
// a outside its extents count as zero. a may also be packed once (MmaA) or a SharedTile of its
// own (read by ldmatrix at each k block: a large A operand reused across a loop, which would
// not fit in registers beside the accumulator). Tiles that together pass the 48 KB of static
// shared memory live at fixed offsets in dynamic shared memory (OFFSET).
#pragma once

#include "frag_mma.cuh"
#include "stage_copy.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

template <class T, int R, int C, class L, int SITE, int OFFSET = -1> struct SharedTile {
  static_assert(sizeof(T) == 2, "SharedTile: 16-bit elements (f16 / bf16 dot operands)");
  static_assert(C % 8 == 0, "SharedTile: whole 16-byte chunks per row (C % 8 == 0)");
  static_assert(OFFSET < 0 || OFFSET % 16 == 0, "SharedTile: 16-byte aligned offsets into dynamic shared memory");
  using layout = L;
  static constexpr int tile_rows = R, tile_cols = C;
  static constexpr int ld = C + 8;  // elements between rows: 16 bytes of padding
  static constexpr int bytes = R * ld * static_cast<int>(sizeof(T));
  int rows, cols;  // the valid extents of the tile the buffer holds now

  // OFFSET >= 0: the buffer lies OFFSET bytes into the block's dynamic shared memory (tiles
  // that together exceed the 48 KB of static shared memory; the launcher opts in).
  __device__ __forceinline__ static T *data() {
    if constexpr (OFFSET >= 0) {
      extern __shared__ uint4 tilecc_dynamic_shared[];
      return reinterpret_cast<T *>(tilecc_dynamic_shared + OFFSET / 16);
    } else {
      __shared__ uint4 buffer[bytes / 16];
      return reinterpret_cast<T *>(buffer);
    }
  }
};

// MmaA<E, R, K, NT>: an R x K f16 / bf16 tile of MmaRows<NT> packed once as mma A operands
// (four 32-bit registers per 16 x 16 block, zero outside the tile's extents): a dot operand
// reused by every iteration of a loop (attention's queries) costs half the registers of its
// fragment and no packing per use.
template <class E, int R, int K, int NT> struct MmaA {
  static constexpr int groups = Frag<E, R, K, MmaRows<NT>>::er / 2;
  unsigned w[groups][K / 16][4];
  int rows, cols;
};

// Narrowed<E, F>: a float fragment F read as an f16 / bf16 dot operand: each pair of
// elements is rounded into one packed register where the dot reads it (cvt.rn.bf16x2.f32),
// so no E fragment is materialized beside the float one (attention's probabilities: 32 rows
// a warp and a 128-wide accumulator leave no registers for a second copy of the tile).
template <class E, class F> struct Narrowed {
  const F &f;
};
template <class E, int R, int C, int NT>
__device__ __forceinline__ Narrowed<E, Frag<float, R, C, MmaRows<NT>>> narrowed(
    const Frag<float, R, C, MmaRows<NT>> &f) {
  return {f};
}

template <class T, int R, int C, class L, int SITE, int OFF>
__device__ __forceinline__ Transposed<SharedTile<T, R, C, L, SITE, OFF>> trans(
    const SharedTile<T, R, C, L, SITE, OFF> &t) {
  return {t};
}

// Tile's buffer = base[0:rows, 0:cols] (zeros elsewhere), copied asynchronously: rows that
// are contiguous 16-byte aligned runs (col_stride 1) by cp.async as one commit group, anything
// else element by element. The caller makes sure nobody reads the buffer meanwhile (a barrier
// after its last reader) and calls shared_tiles_ready() before reading it.
template <class Tile, class S>
__device__ __forceinline__ void load_shared(const S *base, long long row_stride, long long col_stride, int rows,
                                            int cols) {
#if TILECC_DEV_HAS_MMA_SYNC
  using T = remove_cv_t<S>;
  constexpr int R = Tile::tile_rows, C = Tile::tile_cols;
  constexpr int chunks_per_row = C / 8;
  // The block's thread count is the layout's (a compile-time constant): the chunk loop unrolls
  // completely, each thread's row and column offsets are constants plus its own, and no
  // remainder loop branches around the copies (attention issues two tiles a key step).
  constexpr int threads = Tile::layout::threads, chunks = R * chunks_per_row;
  constexpr int rows_per_pass = threads / chunks_per_row > 0 ? threads / chunks_per_row : 1;
  T *s = Tile::data();
  const int tid = static_cast<int>(threadIdx.x);
  const bool chunked = col_stride == 1 && row_stride % 8 == 0 && reinterpret_cast<unsigned long long>(base) % 16 == 0;
  if (chunked) {
    const int r0 = tid / chunks_per_row, c = (tid % chunks_per_row) * 8;
    const int n_col = cmin(cmax(cols - c, 0), 8);
    const S *src0 = base + r0 * row_stride + c;
    const unsigned dst0 = detail::pipe_smem_addr(s + r0 * Tile::ld + c);
#pragma unroll
    for (int pass = 0; pass < (chunks + threads - 1) / threads; ++pass) {
      // Thread tid copies chunks tid + pass * threads: row r0 + pass * rows_per_pass when
      // threads is a multiple of the chunks per row (every tile the compiler assigns).
      if (threads % chunks_per_row == 0) {
        const int r = r0 + pass * rows_per_pass;
        if (chunks % threads != 0 && r >= R) break;
        const int n = r < rows ? n_col : 0;
        detail::cp_async_16(dst0 + pass * rows_per_pass * Tile::ld * 2,
                            n > 0 ? src0 + pass * rows_per_pass * row_stride : base, n * 2);
      } else {
        const int t = tid + pass * threads;
        if (t >= chunks) break;
        const int r = t / chunks_per_row, cc = (t % chunks_per_row) * 8;
        const int n = r < rows ? cmin(cmax(cols - cc, 0), 8) : 0;
        detail::cp_async_16(detail::pipe_smem_addr(s + r * Tile::ld + cc), n > 0 ? base + r * row_stride + cc : base,
                            n * 2);
      }
    }
  } else {
    const int threads = static_cast<int>(blockDim.x);
    for (int t = tid; t < R * C; t += threads) {
      const int r = t / C, c = t % C;
      s[r * Tile::ld + c] = r < rows && c < cols ? base[r * row_stride + c * col_stride] : zero<T>();
    }
  }
  detail::cp_async_commit();
#else
  __trap();  // the compiler assigns shared operand tiles on sm_80 and later only
#endif
}

// Every copy load_shared issued so far is complete and visible to the block; every thread has
// also finished what it did before (so buffers read before may be refilled after this).
__device__ __forceinline__ void shared_tiles_ready() {
#if TILECC_DEV_HAS_MMA_SYNC
  detail::cp_async_wait<0>();
#endif
  __syncthreads();
}

#if TILECC_DEV_HAS_MMA_SYNC
namespace detail {

// ldmatrix_x2: dot.cuh.
template <class E> __device__ __forceinline__ unsigned pack_pair(E lo, E hi) {
  const unsigned short l = *reinterpret_cast<const unsigned short *>(&lo);
  const unsigned short h = *reinterpret_cast<const unsigned short *>(&hi);
  return static_cast<unsigned>(l) | static_cast<unsigned>(h) << 16;
}

// The mma A operand of rows group g (16 rows) and k block kk (16 columns) of a; masked: zero
// outside a's extents.
template <bool Masked, class E, int R, int K, int NT>
__device__ __forceinline__ void a_operand(unsigned (&af)[4], const Frag<E, R, K, MmaRows<NT>> &a, int g, int kk) {
  const int i0 = 2 * g, i1 = 2 * g + 1, j = 4 * kk;
  auto at = [&](int i, int jj) { return !Masked || a.valid(i, jj) ? a.v[i][jj] : zero<E>(); };
  af[0] = pack_pair(at(i0, j), at(i0, j + 1));
  af[1] = pack_pair(at(i1, j), at(i1, j + 1));
  af[2] = pack_pair(at(i0, j + 2), at(i0, j + 3));
  af[3] = pack_pair(at(i1, j + 2), at(i1, j + 3));
}

template <bool Masked, class E, int R, int K, int NT>
__device__ __forceinline__ void a_operand(unsigned (&af)[4], const MmaA<E, R, K, NT> &a, int g, int kk) {
  af[0] = a.w[g][kk][0];
  af[1] = a.w[g][kk][1];
  af[2] = a.w[g][kk][2];
  af[3] = a.w[g][kk][3];
}

template <class E> __device__ __forceinline__ unsigned pack_rounded(float lo, float hi) {
  if constexpr (is_same_v<E, __nv_bfloat16>) {
    const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<const unsigned *>(&h);
  } else {
    const __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<const unsigned *>(&h);
  }
}

// The same from a float fragment, each pair rounded to E as it is packed.
template <bool Masked, class E, int R, int K, int NT>
__device__ __forceinline__ void a_operand(unsigned (&af)[4], const Narrowed<E, Frag<float, R, K, MmaRows<NT>>> &n,
                                          int g, int kk) {
  const auto &a = n.f;
  const int i0 = 2 * g, i1 = 2 * g + 1, j = 4 * kk;
  auto at = [&](int i, int jj) { return !Masked || a.valid(i, jj) ? a.v[i][jj] : 0.0f; };
  af[0] = pack_rounded<E>(at(i0, j), at(i0, j + 1));
  af[1] = pack_rounded<E>(at(i1, j), at(i1, j + 1));
  af[2] = pack_rounded<E>(at(i0, j + 2), at(i0, j + 3));
  af[3] = pack_rounded<E>(at(i1, j + 2), at(i1, j + 3));
}

// The same from a shared tile (zero outside its extents already): one ldmatrix_x4 of the warp's
// 16 rows of group g, k block kk. The A operand of a dot whose packed registers would not fit
// beside the accumulator (attention's queries at head dim 128, 32 rows a warp).
template <bool Masked, class E, int R, int K, int NT, int SITE, int OFF>
__device__ __forceinline__ void a_operand(unsigned (&af)[4], const SharedTile<E, R, K, MmaRows<NT>, SITE, OFF> &, int g,
                                          int kk) {
  using Tile = SharedTile<E, R, K, MmaRows<NT>, SITE, OFF>;
  constexpr int warp_rows = R / MmaRows<NT>::warps;
  const int l = MmaRows<NT>::lane();
  const int row = MmaRows<NT>::warp() * warp_rows + g * 16 + l % 8 + ((l / 8) % 2) * 8;
  ldmatrix_x4(af, Tile::data() + row * Tile::ld + kk * 16 + (l / 16) * 8);
}

// acc (rows group g, n block nb) += af @ bf.
template <class E, int R, int C, int NT>
__device__ __forceinline__ void mma_into(Frag<float, R, C, MmaRows<NT>> &acc, int g, int nb, const unsigned (&af)[4],
                                         const unsigned (&bf)[2]) {
  float d[4] = {acc.v[2 * g][2 * nb], acc.v[2 * g][2 * nb + 1], acc.v[2 * g + 1][2 * nb], acc.v[2 * g + 1][2 * nb + 1]};
  mma_m16n8k16<E>(d, af, bf);
  acc.v[2 * g][2 * nb] = d[0];
  acc.v[2 * g][2 * nb + 1] = d[1];
  acc.v[2 * g + 1][2 * nb] = d[2];
  acc.v[2 * g + 1][2 * nb + 1] = d[3];
}

// acc += a @ B where B(k, n) = Trans ? b(n, k) : b(k, n); unless Full, k_valid / n_valid bound
// the blocks worth multiplying. Full (every block valid) has no branch between the ldmatrix and
// mma instructions, so the compiler issues the loads of later blocks ahead of earlier mmas; a
// branch per block serialized each ldmatrix with its mma (attention at d128 ran at 17% of
// PyTorch's flash attention on an H100).
template <bool Trans, bool Masked, bool Full, int K, class E, int R, int C, int NT, class OA, int BR, int BC, int SITE,
          int OFF>
__device__ __forceinline__ void dot_mma_blocks(Frag<float, R, C, MmaRows<NT>> &acc, const OA &a,
                                               const SharedTile<E, BR, BC, MmaRows<NT>, SITE, OFF> &b, int k_valid,
                                               int n_valid) {
  using F = Frag<float, R, C, MmaRows<NT>>;
  using Tile = SharedTile<E, BR, BC, MmaRows<NT>, SITE, OFF>;
  const E *s = Tile::data();
  constexpr int groups = F::er / 2;
  const int l = MmaRows<NT>::lane();
#pragma unroll
  for (int kk = 0; kk < K / 16; ++kk) {
    if (!Full && kk * 16 >= k_valid) break;
    unsigned af[groups][4];
#pragma unroll
    for (int g = 0; g < groups; ++g) a_operand<Masked>(af[g], a, g, kk);
#pragma unroll
    for (int nb = 0; nb < C / 8; nb += 2) {
      if (!Full && nb * 8 >= n_valid) break;
      unsigned bf[2][2];
      if constexpr (C / 8 == 1) {
        // One n8 block: two 8 x 8 matrices.
        if constexpr (Trans)
          ldmatrix_x2(bf[0], s + (l % 8) * Tile::ld + kk * 16 + ((l / 8) % 2) * 8);
        else
          ldmatrix_x2_trans(bf[0], s + (kk * 16 + (l % 16)) * Tile::ld);
      } else {
        unsigned r[4];
        if constexpr (Trans)
          ldmatrix_x4(r, s + (nb * 8 + (l / 16) * 8 + l % 8) * Tile::ld + kk * 16 + ((l / 8) % 2) * 8);
        else
          ldmatrix_x4_trans(r, s + (kk * 16 + (l % 16)) * Tile::ld + nb * 8 + (l / 16) * 8);
        bf[0][0] = r[0];
        bf[0][1] = r[1];
        bf[1][0] = r[2];
        bf[1][1] = r[3];
      }
#pragma unroll
      for (int g = 0; g < groups; ++g) {
        mma_into<E>(acc, g, nb, af[g], bf[0]);
        if constexpr (C / 8 > 1) mma_into<E>(acc, g, nb + 1, af[g], bf[1]);
      }
    }
  }
}

// The Full blocks when the operands cover the whole tile (all but the last key tile), else
// the bounded ones.
template <bool Trans, bool Masked, int K, class E, int R, int C, int NT, class OA, int BR, int BC, int SITE, int OFF>
__device__ __forceinline__ void dot_mma_rows(Frag<float, R, C, MmaRows<NT>> &acc, const OA &a,
                                             const SharedTile<E, BR, BC, MmaRows<NT>, SITE, OFF> &b, int k_valid,
                                             int n_valid) {
  if (k_valid >= K && n_valid >= C)
    dot_mma_blocks<Trans, Masked, true, K>(acc, a, b, k_valid, n_valid);
  else
    dot_mma_blocks<Trans, Masked, false, K>(acc, a, b, k_valid, n_valid);
}

}  // namespace detail
#endif

// a packed as mma A operands (elements outside its extents as zero).
template <class E, int R, int K, int NT>
__device__ __forceinline__ MmaA<E, R, K, NT> mma_a(const Frag<E, R, K, MmaRows<NT>> &a) {
  static_assert(is_low_precision_v<E> && K % 16 == 0 && R > 1, "mma_a: f16 / bf16 tile, K % 16 == 0");
  MmaA<E, R, K, NT> out;
  out.rows = a.rows;
  out.cols = a.cols;
#if TILECC_DEV_HAS_MMA_SYNC
#pragma unroll
  for (int g = 0; g < out.groups; ++g)
#pragma unroll
    for (int kk = 0; kk < K / 16; ++kk) detail::a_operand<true>(out.w[g][kk], a, g, kk);
#else
  __trap();
#endif
  return out;
}

// acc += a @ b and acc += a @ trans(b) with a packed once (mma_a).
template <class E, int R, int K, int C, int NT, int SITE, int OFF>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc, const MmaA<E, R, K, NT> &a,
                                    const SharedTile<E, K, C, MmaRows<NT>, SITE, OFF> &b) {
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_mma_rows<false, false, K>(acc, a, b, cmin(a.cols, b.rows), b.cols);
#else
  __trap();
#endif
}
template <class E, int R, int K, int C, int NT, int SITE, int OFF>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc, const MmaA<E, R, K, NT> &a,
                                    const Transposed<SharedTile<E, C, K, MmaRows<NT>, SITE, OFF>> &b) {
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_mma_rows<true, false, K>(acc, a, b.f, cmin(a.cols, b.f.cols), b.f.rows);
#else
  __trap();
#endif
}

#if TILECC_DEV_HAS_MMA_SYNC
namespace detail {
// acc += A @ B for an A operand held in registers (a fragment, or a float one rounded as it is
// read) whose extents and validity are those of `f`: the unmasked blocks when f holds its
// whole tile.
template <bool Trans, int K, class E, int R, int C, int NT, class OA, class FE, int AK, int BR, int BC, int SITE,
          int OFF>
__device__ __forceinline__ void dot_registers_a(Frag<float, R, C, MmaRows<NT>> &acc, const OA &a,
                                                const Frag<FE, R, AK, MmaRows<NT>> &f,
                                                const SharedTile<E, BR, BC, MmaRows<NT>, SITE, OFF> &b) {
  const int k_valid = cmin(f.cols, Trans ? b.cols : b.rows), n_valid = Trans ? b.rows : b.cols;
  if (f.all_valid())
    dot_mma_rows<Trans, false, K>(acc, a, b, k_valid, n_valid);
  else
    dot_mma_rows<Trans, true, K>(acc, a, b, k_valid, n_valid);
}
}  // namespace detail
#endif

// acc += a @ b: b (K x C) in shared memory.
template <class E, int R, int K, int C, int NT, int SITE, int OFF>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc, const Frag<E, R, K, MmaRows<NT>> &a,
                                    const SharedTile<E, K, C, MmaRows<NT>, SITE, OFF> &b) {
  static_assert(is_low_precision_v<E> && K % 16 == 0 && R > 1, "dot (MmaRows): f16 / bf16 operands, K % 16 == 0");
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_registers_a<false, K>(acc, a, a, b);
#else
  __trap();
#endif
}

// acc += a @ trans(b): b (C x K) in shared memory.
template <class E, int R, int K, int C, int NT, int SITE, int OFF>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc, const Frag<E, R, K, MmaRows<NT>> &a,
                                    const Transposed<SharedTile<E, C, K, MmaRows<NT>, SITE, OFF>> &b) {
  static_assert(is_low_precision_v<E> && K % 16 == 0 && R > 1, "dot (MmaRows): f16 / bf16 operands, K % 16 == 0");
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_registers_a<true, K>(acc, a, a, b.f);
#else
  __trap();
#endif
}

// acc += E(a) @ b and acc += E(a) @ trans(b): a float fragment rounded to E pair by pair as
// the dot reads it.
template <class E, int R, int K, int C, int NT, int SITE, int OFF>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc,
                                    const Narrowed<E, Frag<float, R, K, MmaRows<NT>>> &a,
                                    const SharedTile<E, K, C, MmaRows<NT>, SITE, OFF> &b) {
  static_assert(is_low_precision_v<E> && K % 16 == 0 && R > 1, "dot (MmaRows): f16 / bf16 operands, K % 16 == 0");
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_registers_a<false, K>(acc, a, a.f, b);
#else
  __trap();
#endif
}
template <class E, int R, int K, int C, int NT, int SITE, int OFF>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc,
                                    const Narrowed<E, Frag<float, R, K, MmaRows<NT>>> &a,
                                    const Transposed<SharedTile<E, C, K, MmaRows<NT>, SITE, OFF>> &b) {
  static_assert(is_low_precision_v<E> && K % 16 == 0 && R > 1, "dot (MmaRows): f16 / bf16 operands, K % 16 == 0");
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_registers_a<true, K>(acc, a, a.f, b.f);
#else
  __trap();
#endif
}

// Any other B operand: the E tile materialized, then the dot that B takes.
template <class E, class F, class B, int R, int C, int NT>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc, const Narrowed<E, F> &a, const B &b) {
  dot(acc, cast<E>(a.f), b);
}

// acc += a @ b and acc += a @ trans(b) with a in shared memory too (read by ldmatrix at each
// k block; zero outside its extents).
template <class E, int R, int K, int C, int NT, int SA, int OA, int SB, int OB>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc,
                                    const SharedTile<E, R, K, MmaRows<NT>, SA, OA> &a,
                                    const SharedTile<E, K, C, MmaRows<NT>, SB, OB> &b) {
  static_assert(K % 16 == 0 && R % (16 * MmaRows<NT>::warps) == 0, "dot (shared A): K % 16 == 0, 16 rows a warp");
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_mma_rows<false, false, K>(acc, a, b, cmin(a.cols, b.rows), b.cols);
#else
  __trap();
#endif
}
template <class E, int R, int K, int C, int NT, int SA, int OA, int SB, int OB>
__device__ __forceinline__ void dot(Frag<float, R, C, MmaRows<NT>> &acc,
                                    const SharedTile<E, R, K, MmaRows<NT>, SA, OA> &a,
                                    const Transposed<SharedTile<E, C, K, MmaRows<NT>, SB, OB>> &b) {
  static_assert(K % 16 == 0 && R % (16 * MmaRows<NT>::warps) == 0, "dot (shared A): K % 16 == 0, 16 rows a warp");
#if TILECC_DEV_HAS_MMA_SYNC
  detail::dot_mma_rows<true, false, K>(acc, a, b.f, cmin(a.cols, b.f.cols), b.f.rows);
#else
  __trap();
#endif
}

}  // namespace dev
}  // namespace tilecc
