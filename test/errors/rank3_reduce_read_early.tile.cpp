// A reduction along the leading dimension, which runs as a loop, read by a statement inside
// that loop (before the reduction has seen every position).
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void read_early(tl::Tensor<const float, 3> x, tl::Tensor<float, 3> out) {
  for (auto [tb, tm, tn] : tl::tile(x.size(0), x.size(1), x.size(2))) {
    auto s = tl::sum(x[tb, tm, tn], 0);
    out[tb, tm, tn] = x[tb, tm, tn] - s;
  }
}
