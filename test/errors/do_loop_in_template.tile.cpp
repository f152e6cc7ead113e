#include <tilecc/tile.hpp>
namespace tl = tilecc;
// An unsupported statement in a kernel template with two instances: reported once.
template <class T>
TILECC_KERNEL void k(tl::Tensor<const T, 1> x, tl::Tensor<T, 1> out) {
  for (auto t : tl::tile(x.size(0))) {
    auto v = x[t];
    do { out[t] = v; } while (false);
  }
}
template void k<float>(tl::Tensor<const float, 1>, tl::Tensor<float, 1>);
template void k<tl::bf16>(tl::Tensor<const tl::bf16, 1>, tl::Tensor<tl::bf16, 1>);
