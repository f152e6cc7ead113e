#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Rotary position embedding (the rotate-half form): for each position s and head h,
// with x1 = x[s, h, :d/2] and x2 = x[s, h, d/2:],
//   out[s, h, :d/2] = x1 * cos[s] - x2 * sin[s],   out[s, h, d/2:] = x2 * cos[s] + x1 * sin[s],
// where cos and sin hold d/2 frequencies per position. The second half is read and written
// through the same column tile shifted by d/2.
template <class T>
TILECC_KERNEL void rope(tl::Tensor<const T, 3> x, tl::Tensor<const float, 2> cos, tl::Tensor<const float, 2> sin,
                        tl::Tensor<T, 3> out) {
  const auto s = x.size(0), h = x.size(1), d = x.size(2), half = d / 2;
  TILECC_CHECK(d % 2 == 0 && cos.size(0) == s && cos.size(1) == half && sin.size(0) == s && sin.size(1) == half);
  TILECC_CHECK(out.size(0) == s && out.size(1) == h && out.size(2) == d);
  for (auto p : tl::grid(s)) {
    for (auto [th, td] : tl::tile(h, half)) {
      auto x1 = tl::cast<float>(x[p, th, td]);
      auto x2 = tl::cast<float>(x[p, th, td + half]);
      auto c = cos[p, td], sn = sin[p, td];
      out[p, th, td] = tl::cast<T>(x1 * c - x2 * sn);
      out[p, th, td + half] = tl::cast<T>(x2 * c + x1 * sn);
    }
  }
}

template void rope<float>(tl::Tensor<const float, 3>, tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                          tl::Tensor<float, 3>);
template void rope<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                             tl::Tensor<tl::bf16, 3>);
