// atomic_add at gathered rows (a scatter-add) is refused, not translated without its index.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void scatter_add(tl::Tensor<const tl::i64, 1> indices, tl::Tensor<const float, 2> x,
                               tl::Tensor<float, 2> out) {
  for (auto [te, tf] : tl::tile(x.size(0), x.size(1))) tl::atomic_add(out[indices[te], tf], x[te, tf]);
}
