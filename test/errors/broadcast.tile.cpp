// A shape error the translator must report at the offending expression.
#include <tilecc/tile.hpp>
namespace tl = tilecc;
TILECC_KERNEL void bad(tl::Tensor<const float, 2> x, tl::Tensor<float, 1> out) {
  for (auto [tm, tn] : tl::tile(x.size(0), x.size(1))) {
    auto v = x[tm, tn];
    out[tm] = v + tm.index();
  }
}
