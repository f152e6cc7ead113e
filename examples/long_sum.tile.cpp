#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Row sums of a matrix whose rows are too long for one tile: out[i] = sum_j x[i, j].
// A device loop walks the row in column tiles and adds each tile's partial sums
// into a float accumulator, which is rounded to T once at the end.
template <class T>
TILECC_KERNEL void long_sum(tl::Tensor<const T, 2> x, tl::Tensor<T, 1> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(out.size(0) == m);
  for (auto tm : tl::tile(m)) {
    auto acc = tl::zeros<float>(tm);
    for (auto tn : tl::tile(n))
      acc += tl::sum(tl::cast<float>(x[tm, tn]), 1);
    out[tm] = tl::cast<T>(acc);
  }
}

template void long_sum<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 1>);
template void long_sum<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 1>);
