#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Elementwise exponential of a vector: out[i] = exp(x[i]).
// A rank-1 tile loop; exp runs in float and rounds once for bf16/f16.
template <class T>
TILECC_KERNEL void exp(tl::Tensor<const T, 1> x, tl::Tensor<T, 1> out) {
  const auto n = x.size(0);
  TILECC_CHECK(out.size(0) == n);
  for (auto t : tl::tile(n))
    out[t] = tl::exp(x[t]);
}

template void exp<float>(tl::Tensor<const float, 1>, tl::Tensor<float, 1>);
template void exp<tl::bf16>(tl::Tensor<const tl::bf16, 1>, tl::Tensor<tl::bf16, 1>);
