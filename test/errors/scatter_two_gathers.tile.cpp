// A store through gathered rows and gathered columns at once is refused.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void scatter_both(tl::Tensor<const tl::i64, 1> rows, tl::Tensor<const tl::i64, 1> cols,
                                tl::Tensor<const float, 2> x, tl::Tensor<float, 2> out) {
  for (auto [tm, tn] : tl::tile(x.size(0), x.size(1))) out[rows[tm], cols[tn]] = x[tm, tn];
}
