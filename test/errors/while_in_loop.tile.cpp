// A while loop inside a tile loop: named as such, with what a tile loop body may hold.
#include <tilecc/tile.hpp>
namespace tl = tilecc;
TILECC_KERNEL void bad(tl::Tensor<const float, 1> x, tl::Tensor<float, 1> out) {
  for (auto t : tl::tile(x.size(0))) {
    while (false) {
    }
    out[t] = x[t];
  }
}
