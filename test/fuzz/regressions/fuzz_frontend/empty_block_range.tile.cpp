// A registered block size whose range holds no power of two: the tuner would have nothing
// to pick (min > max used to hang the translation).
#include <tilecc/tile.hpp>
namespace tl = tilecc;
TILECC_KERNEL void bad(tl::Tensor<const float, 1> x, tl::Tensor<float, 1> out) {
  const auto b = tl::register_block_size(64, 16);
  for (auto t : tl::tile(x.size(0), b)) out[t] = x[t];
}
