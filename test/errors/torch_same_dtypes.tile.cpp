// --emit=torch refuses instances that take tensors of the same dtypes: the op chooses an
// instance by its tensors' dtypes, and scale<float> and scale<double> differ only in a scalar.
#include <tilecc/tile.hpp>
namespace tl = tilecc;
template <class S>
TILECC_KERNEL void scale(tl::Tensor<const float, 1> x, S by, tl::Tensor<float, 1> out) {
  TILECC_CHECK(out.size(0) == x.size(0));
  for (auto t : tl::tile(x.size(0))) out[t] = x[t] * by;
}
template void scale<float>(tl::Tensor<const float, 1>, float, tl::Tensor<float, 1>);
template void scale<double>(tl::Tensor<const float, 1>, double, tl::Tensor<float, 1>);
