#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Elementwise sum of two matrices: out = x + y.
// The smallest useful tile kernel: a 2-D tile loop that loads a tile of each
// input and stores their sum (computed in float, rounded once for bf16/f16).
template <class T>
TILECC_KERNEL void add(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(y.size(0) == m && y.size(1) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n))
    out[tm, tn] = x[tm, tn] + y[tm, tn];
}

template void add<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void add<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                            tl::Tensor<tl::bf16, 2>);
