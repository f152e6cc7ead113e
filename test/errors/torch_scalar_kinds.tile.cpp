// --emit=torch refuses instances whose parameter lists differ: one PyTorch op has one schema,
// and the scalar `by` is a schema float in shift<float> but a schema int in shift<tl::i32>.
#include <tilecc/tile.hpp>
namespace tl = tilecc;
template <class T>
TILECC_KERNEL void shift(tl::Tensor<const T, 1> x, T by, tl::Tensor<T, 1> out) {
  TILECC_CHECK(out.size(0) == x.size(0));
  for (auto t : tl::tile(x.size(0))) out[t] = x[t] + by;
}
template void shift<float>(tl::Tensor<const float, 1>, float, tl::Tensor<float, 1>);
template void shift<tl::i32>(tl::Tensor<const tl::i32, 1>, tl::i32, tl::Tensor<tl::i32, 1>);
