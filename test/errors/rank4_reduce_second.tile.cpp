// A reduction along the second dimension of a rank-4 tile: its loop runs outside the loop over
// the first, so no statement lies directly inside it.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void reduce_second(tl::Tensor<const float, 4> x, tl::Tensor<float, 3> out) {
  for (auto [ta, tb, tm, tn] : tl::tile(x.size(0), x.size(1), x.size(2), x.size(3))) {
    auto s = tl::sum(x[ta, tb, tm, tn], 1);
    out[ta, tm, tn] = s;
  }
}
