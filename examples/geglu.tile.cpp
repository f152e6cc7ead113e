#include <tilecc/tile.hpp>
namespace tl = tilecc;

// GEGLU gating: out = gelu(a) * b, with the exact (erf) GELU
//   gelu(a) = 0.5 * a * (1 + erf(a / sqrt(2))),
// computed in float and rounded to T once.
template <class T>
TILECC_KERNEL void geglu(tl::Tensor<const T, 2> a, tl::Tensor<const T, 2> b, tl::Tensor<T, 2> out) {
  const auto m = a.size(0), n = a.size(1);
  TILECC_CHECK(b.size(0) == m && b.size(1) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto x = tl::cast<float>(a[tm, tn]);
    auto gelu = 0.5f * x * (1.0f + tl::erf(x * 0.70710678118654752f));  // 1/sqrt(2)
    out[tm, tn] = tl::cast<T>(gelu * tl::cast<float>(b[tm, tn]));
  }
}

template void geglu<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void geglu<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                              tl::Tensor<tl::bf16, 2>);
