// PackedBf16: a bf16 tile kept as it was loaded, two elements per 32-bit word, and widened to
// f32 where it is used. Generated code loads a bf16 tile this way when its only use is a cast to
// float (a norm's weight and bias): a Frag<bf16> holds one element per register once unpacked,
// twice the registers, and the widening from the packed word is one instruction per element
// (a bf16 is the high half of an f32) where unpacking and then widening take two.
//
// Word k of thread row i holds the thread's elements 2k (low half) and 2k + 1 (high half) in
// Frag<bf16, R, C, L>'s order; the elements outside the extents hold zero.
#pragma once

#include "access.cuh"
#include "frag.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

template <int R, int C, class L> struct PackedBf16 {
  using Shape = Frag<__nv_bfloat16, R, C, L>;  // the element order (row(i), col(j))
  static constexpr int er = Shape::er, ec = Shape::ec, vec = Shape::vec;
  static_assert(ec % 2 == 0, "PackedBf16: a thread must hold an even number of elements per row");
  unsigned w[er][ec / 2];
  int rows, cols;
};

// load_hinted(f, base, …) into packed words: every aligned in-range vector is one access (all in
// flight before any is used), element by element elsewhere; Vec = false: element by element.
template <LoadHint H, bool Vec, int R, int C, class L>
__device__ __forceinline__ void load_packed_hinted(PackedBf16<R, C, L> &f, const __nv_bfloat16 *base,
                                                   long long row_stride, long long col_stride, int rows,
                                                   int cols) {
  using P = PackedBf16<R, C, L>;
  using S = __nv_bfloat16;
  typename P::Shape shape;  // row() / col() only
  constexpr int V = P::vec, G = P::ec / V;
  constexpr int unit = Vec && V % 2 == 0 ? detail::vector_unit<S, V>() : 0;
  constexpr int words = unit != 0 ? V * 2 / unit : 1;
  using W = typename detail::vector_word<unit != 0 ? unit : 4>::type;
  f.rows = rows;
  f.cols = cols;
  W raw[P::er][G][words];
  bool vec_ok[P::er][G];
#pragma unroll
  for (int i = 0; i < P::er; ++i) {
    const int r = shape.row(i);
    const S *p = base + static_cast<long long>(r) * row_stride;
    const bool ok_row = unit != 0 && r < rows && r < R && col_stride == 1 && detail::aligned_to(p, unit ? unit : 1);
#pragma unroll
    for (int g = 0; g < G; ++g) {
      const int c0 = shape.col(g * V);
      vec_ok[i][g] = ok_row && c0 + V <= cols;
#pragma unroll
      for (int k = 0; k < words; ++k)
        raw[i][g][k] = vec_ok[i][g] ? detail::load_word<H>(reinterpret_cast<const W *>(p + c0) + k) : W{};
    }
  }
#pragma unroll
  for (int i = 0; i < P::er; ++i) {
    const int r = shape.row(i);
    const bool ok = r < rows && r < R;
    const S *p = base + static_cast<long long>(r) * row_stride;
#pragma unroll
    for (int g = 0; g < G; ++g) {
      if (unit != 0 && vec_ok[i][g]) {
        const unsigned *u = reinterpret_cast<const unsigned *>(raw[i][g]);
#pragma unroll
        for (int k = 0; k < V / 2; ++k)
          f.w[i][g * V / 2 + k] = u[k];
      } else {
        // Element by element into the pairs this group covers (pairs may span groups when V is odd).
#pragma unroll
        for (int k = 0; k < V; ++k) {
          const int j = g * V + k, c = shape.col(j);
          const unsigned bits = ok && c < cols && c < C
                                    ? __bfloat16_as_ushort(detail::load_word<H>(p + static_cast<long long>(c) * col_stride))
                                    : 0u;
          unsigned &word = f.w[i][j / 2];
          word = j % 2 == 0 ? bits : (word | bits << 16);
        }
      }
    }
  }
}

template <int R, int C, class L>
__device__ __forceinline__ void load_packed(PackedBf16<R, C, L> &f, const __nv_bfloat16 *base,
                                            long long row_stride, long long col_stride, int rows, int cols) {
  load_packed_hinted<LoadHint::none, true>(f, base, row_stride, col_stride, rows, cols);
}

// The tile widened to f32 (exact).
template <class To, int R, int C, class L>
__device__ __forceinline__ Frag<To, R, C, L> cast(const PackedBf16<R, C, L> &f) {
  static_assert(is_same_v<To, float>, "PackedBf16: cast to float only");
  Frag<float, R, C, L> out;
  out.rows = f.rows;
  out.cols = f.cols;
#pragma unroll
  for (int i = 0; i < out.er; ++i)
#pragma unroll
    for (int k = 0; k < out.ec / 2; ++k) {
      out.v[i][2 * k] = __uint_as_float(f.w[i][k] << 16);
      out.v[i][2 * k + 1] = __uint_as_float(f.w[i][k] & 0xffff0000u);
    }
  return out;
}

} // namespace dev
} // namespace tilecc
