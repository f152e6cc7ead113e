// Control flow inside a tile loop is not expressible: the error says what to write.
#include <tilecc/tile.hpp>
namespace tl = tilecc;
TILECC_KERNEL void bad(tl::Tensor<const float, 1> x, tl::Tensor<float, 1> out) {
  for (auto t : tl::tile(x.size(0))) {
    if (t.begin() > 0) out[t] = x[t];
  }
}
