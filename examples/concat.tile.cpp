#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Concatenation along columns: out = [x | y] (torch.cat([x, y], dim=1)).
// Each program owns a tile of rows and copies x's columns, then y's shifted past them:
// `out[tm, tn + n1]` indexes the tile tn moved n1 columns to the right.
template <class T>
TILECC_KERNEL void concat(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n1 = x.size(1), n2 = y.size(1);
  TILECC_CHECK(y.size(0) == m && out.size(0) == m && out.size(1) == n1 + n2);
  const auto bn = tl::register_block_size(16, 1024);  // shared by both column loops
  for (auto tm : tl::tile(m)) {
    for (auto tn : tl::tile(n1, bn)) out[tm, tn] = x[tm, tn];
    for (auto tn : tl::tile(n2, bn)) out[tm, tn + n1] = y[tm, tn];
  }
}

template void concat<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void concat<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                               tl::Tensor<tl::bf16, 2>);
