// An atomic update between the statements over a rank-3 tile's leading dimension would run
// once per position of it.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void atomic_between(tl::Tensor<const float, 3> x, tl::Tensor<float, 2> y, tl::Tensor<float, 3> out,
                                  tl::Tensor<float, 2> total) {
  for (auto [tb, tm, tn] : tl::tile(x.size(0), x.size(1), x.size(2))) {
    auto v = x[tb, tm, tn];
    tl::atomic_add(total[tm, tn], y[tm, tn]);
    out[tb, tm, tn] = v;
  }
}
