// An update of an earlier variable between the statements over a rank-3 tile's leading
// dimension, not involving it, would run once per position of it.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void update_between(tl::Tensor<const float, 3> x, tl::Tensor<float, 3> out, tl::Tensor<float, 2> y) {
  for (auto [tb, tm, tn] : tl::tile(x.size(0), x.size(1), x.size(2))) {
    auto acc = tl::zeros<float>(tm, tn);
    auto v = x[tb, tm, tn];
    acc = acc + 1.0f;
    out[tb, tm, tn] = v;
    y[tm, tn] = acc;
  }
}
