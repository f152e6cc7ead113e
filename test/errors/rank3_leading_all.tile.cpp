// A rank-3 tile whose leading dimension is a whole tensor dimension, not a tile loop's.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void leading_all(tl::Tensor<const float, 3> x, tl::Tensor<float, 2> out) {
  for (auto [tm, tn] : tl::tile(x.size(1), x.size(2))) out[tm, tn] = tl::sum(x[tl::all, tm, tn], 0);
}
