// PackedBf16: a bf16 tile kept as it was loaded, two elements per 32-bit word, and widened to
// f32 where it is used. Generated code loads a bf16 tile this way when its only use is a cast to
// float (a norm's weight and bias): a Frag<bf16> holds one element per register once unpacked,
// twice the registers, and the widening from the packed word is one instruction per element
// (a bf16 is the high half of an f32) where unpacking and then widening take two.
//
// Word k of thread row i holds the thread's elements 2k (low half) and 2k + 1 (high half) in
// Frag<bf16, R, C, L>'s order; the elements outside the extents hold zero. It is loaded like a
// Frag, by access.cuh's load<Access<...>>(packed, base, ...).
#pragma once

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
