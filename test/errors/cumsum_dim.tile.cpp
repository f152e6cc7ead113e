// A scan along a dimension the tile does not have.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void scan_dim(tl::Tensor<const float, 2> x, tl::Tensor<float, 2> out) {
  for (auto [tm, tn] : tl::tile(x.size(0), x.size(1))) out[tm, tn] = tl::cumsum(x[tm, tn], 2);
}
