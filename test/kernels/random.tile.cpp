// tl::rand and tl::randn over a 2-D tensor, offset by each element's flat index: the eager tier
// checks that the values do not depend on block sizes, the nvrtc tier compiles the CUDA.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void draw_random(tl::i64 seed, tl::Tensor<float, 2> uniform, tl::Tensor<float, 2> normal) {
  const auto m = uniform.size(0), n = uniform.size(1);
  TILECC_CHECK(normal.size(0) == m && normal.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto offsets = tl::unsqueeze(tm.index(), 1) * n + tl::unsqueeze(tn.index(), 0);
    uniform[tm, tn] = tl::rand(seed, offsets);
    normal[tm, tn] = tl::randn(seed, offsets);
  }
}
