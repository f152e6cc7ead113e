#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Row sums of a matrix: out[i] = sum_j x[i, j].
// Each program holds whole rows (x[tm, tl::all]) and reduces over dim 1;
// tl::sum accumulates in float, so bf16 inputs lose nothing but the final rounding.
template <class T>
TILECC_KERNEL void sum(tl::Tensor<const T, 2> x, tl::Tensor<T, 1> out) {
  const auto m = x.size(0);
  TILECC_CHECK(out.size(0) == m);
  for (auto tm : tl::tile(m))
    out[tm] = tl::sum(x[tm, tl::all], 1);
}

template void sum<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 1>);
template void sum<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 1>);
