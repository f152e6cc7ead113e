// tl::permute of a computed tile that swaps the dimensions a fragment holds.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void permute_computed(tl::Tensor<const float, 3> x, tl::Tensor<float, 3> out) {
  for (auto [tb, tm, tn] : tl::tile(x.size(0), x.size(1), x.size(2)))
    out[tb, tn, tm] = tl::permute(x[tb, tm, tn] * 2, {0, 2, 1});
}
