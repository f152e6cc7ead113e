#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Dropout that stores no mask: element i is kept when rand(seed, i) > p, and kept elements are
// scaled by 1 / (1 - p) (inverted dropout). rand is a pure function of the seed and the offset,
// so the backward pass regenerates the same mask from the seed, and the mask never depends on
// the config.
template <class T>
TILECC_KERNEL void low_mem_dropout(float p, tl::i64 seed, tl::Tensor<const T, 1> x, tl::Tensor<T, 1> out) {
  const auto n = x.size(0);
  TILECC_CHECK(out.size(0) == n);
  for (auto tn : tl::tile(n)) {
    auto v = tl::cast<float>(x[tn]);
    auto keep = tl::rand(seed, tn.index()) > p;
    out[tn] = tl::cast<T>(tl::where(keep, v / (1.0f - p), 0.0f));
  }
}

template void low_mem_dropout<float>(float, tl::i64, tl::Tensor<const float, 1>, tl::Tensor<float, 1>);
template void low_mem_dropout<tl::bf16>(float, tl::i64, tl::Tensor<const tl::bf16, 1>, tl::Tensor<tl::bf16, 1>);
