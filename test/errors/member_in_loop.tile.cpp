// A struct built and read inside a tile loop: the error says what is unsupported in the
// user's words, not by the name of a Clang AST node.
#include <tilecc/tile.hpp>
namespace tl = tilecc;
struct Pair {
  float a, b;
};
TILECC_KERNEL void bad(tl::Tensor<const float, 1> x, tl::Tensor<float, 1> out) {
  for (auto t : tl::tile(x.size(0))) {
    out[t] = x[t] * Pair{float(x.size(0)), 2.0f}.a;
  }
}
