#include <tilecc/tile.hpp>
namespace tl = tilecc;

// SwiGLU gating: out = silu(a) * b, with silu(a) = a * sigmoid(a),
// computed in float and rounded to T once.
template <class T>
TILECC_KERNEL void swiglu(tl::Tensor<const T, 2> a, tl::Tensor<const T, 2> b, tl::Tensor<T, 2> out) {
  const auto m = a.size(0), n = a.size(1);
  TILECC_CHECK(b.size(0) == m && b.size(1) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto x = tl::cast<float>(a[tm, tn]);
    out[tm, tn] = tl::cast<T>(x * tl::sigmoid(x) * tl::cast<float>(b[tm, tn]));
  }
}

template void swiglu<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void swiglu<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                               tl::Tensor<tl::bf16, 2>);
