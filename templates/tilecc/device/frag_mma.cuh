// MmaRows<NT>: the tensor-core accumulator layout, for kernels whose tiles flow from a dot's
// accumulator through elementwise ops and row reductions into another dot (attention).
//
// Each warp owns R / warps consecutive rows of an R x C tile (a multiple of 16). Within a warp
// the tile is a grid of m16n8 mma.sync accumulator tiles: lane l holds rows l / 4 and l / 4 + 8
// of each 16-row group and the column pair 2 * (l % 4), 2 * (l % 4) + 1 of each 8-column group.
// So the products of mma.sync land in a fragment without moving, a row's elements lie in the
// four lanes of a quad (row reductions shuffle within the quad, no shared memory), and a
// bf16 / f16 fragment is already an mma A operand (the C layout of two n8 tiles is the A
// layout of one k16 tile).
//
// Fragments keep Frag's interface (v[er][ec], row(i), col(j), valid, home), so the generic
// elementwise ops, loads and stores work unchanged: element (i, j) is
//   row(i) = warp * (R / warps) + (i / 2) * 16 + (i % 2) * 8 + lane / 4,
//   col(j) = (j / 2) * 8 + (lane % 4) * 2 + j % 2,
// a column vector (C == 1) is replicated over the quad, a row vector (R == 1) over all rows.
#pragma once

#include "frag.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

template <int NT> struct MmaRows {
  static_assert(NT >= 32 && NT % 32 == 0 && NT <= 1024, "MmaRows: a whole number of warps, at most 1024 threads");
  static constexpr int threads = NT, warps = NT / 32;
  // As Layout's: tc threads across a row (the quad), tr row groups, vw adjacent columns.
  static constexpr int tc = 4, tr = NT / 4, vw = 2;

  __device__ __forceinline__ static int tid() { return static_cast<int>(threadIdx.x); }
  __device__ __forceinline__ static int warp() { return static_cast<int>(threadIdx.x) / 32; }
  __device__ __forceinline__ static int lane() { return static_cast<int>(threadIdx.x) % 32; }
  // tx == 0: the quad's first lane (owns a replicated column); ty == 0: warp 0's first row
  // group (owns a replicated row).
  __device__ __forceinline__ static int tx() { return lane() % 4; }
  __device__ __forceinline__ static int ty() { return warp() * 8 + lane() / 4; }
};

template <class L> inline constexpr bool is_mma_rows_v = false;
template <int NT> inline constexpr bool is_mma_rows_v<MmaRows<NT>> = true;

template <class T, int R, int C, int NT> struct Frag<T, R, C, MmaRows<NT>> {
  using L = MmaRows<NT>;
  static_assert(is_pow2(R) && is_pow2(C), "Frag: tile extents must be powers of two");
  static_assert(R == 1 || R % (16 * L::warps) == 0,
                "Frag<MmaRows>: each warp owns a multiple of 16 rows (R == 1 or R % (16 * warps) == 0)");

  using value_type = T;
  using layout = L;
  static constexpr int tile_rows = R, tile_cols = C;
  static constexpr int warp_rows = R == 1 ? 1 : R / L::warps;
  static constexpr int er = R == 1 ? 1 : warp_rows / 8;
  // Narrow tiles (C < 8) keep one n8 group; its columns beyond C are outside the tile.
  static constexpr int ec = C == 1 ? 1 : (C < 8 ? 8 : C) / 4;
  static constexpr int vec = C == 1 ? 1 : 2;

  T v[er][ec];
  int rows, cols;

  __device__ __forceinline__ static int row(int i) {
    if constexpr (R == 1)
      return 0;
    else
      return L::warp() * warp_rows + (i / 2) * 16 + (i % 2) * 8 + L::lane() / 4;
  }
  __device__ __forceinline__ static int col(int j) {
    if constexpr (C == 1)
      return 0;
    else
      return (j / 2) * 8 + L::tx() * 2 + j % 2;
  }
  __device__ __forceinline__ bool in_tile(int i, int j) const { return row(i) < R && col(j) < C; }
  __device__ __forceinline__ bool valid(int i, int j) const {
    const int r = row(i), c = col(j);
    return r < rows && c < cols && r < R && c < C;
  }
  __device__ __forceinline__ bool all_valid() const { return (C == 1 || C >= 8) && rows >= R && cols >= C; }
  __device__ __forceinline__ bool home(int i, int j) const {
    return in_tile(i, j) && (C != 1 || L::tx() == 0) && (R != 1 || L::ty() == 0);
  }
  __device__ __forceinline__ bool owner(int i, int j) const {
    return valid(i, j) && (C != 1 || L::tx() == 0) && (R != 1 || L::ty() == 0);
  }
};

}  // namespace dev
}  // namespace tilecc
