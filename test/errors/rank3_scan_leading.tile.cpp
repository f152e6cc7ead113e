// A scan along the leading dimension of a rank-3 tile, which the CUDA backend runs as a loop.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void scan_leading(tl::Tensor<const float, 3> x, tl::Tensor<float, 3> out) {
  for (auto [tb, tm, tn] : tl::tile(x.size(0), x.size(1), x.size(2)))
    out[tb, tm, tn] = tl::cumsum(x[tb, tm, tn], 0);
}
