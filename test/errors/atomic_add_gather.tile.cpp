// atomic_add through two gathered indices (rows and columns at once) is refused, not translated
// without one of them: a scatter takes one gathered index.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void scatter_add(tl::Tensor<const tl::i64, 1> indices, tl::Tensor<const float, 2> x,
                               tl::Tensor<float, 2> out) {
  for (auto [te, tf] : tl::tile(x.size(0), x.size(1)))
    tl::atomic_add(out[indices[te], indices[tf]], x[te, tf]);
}
