#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Softmax backward over the last dimension: given the softmax output y and the gradient dy
// of the loss with respect to y,
//   dx[i, j] = y[i, j] * (dy[i, j] - sum_k dy[i, k] * y[i, k]),
// computed in float over whole rows and rounded to T once.
template <class T>
TILECC_KERNEL void softmax_backward(tl::Tensor<const T, 2> y, tl::Tensor<const T, 2> dy, tl::Tensor<T, 2> dx) {
  const auto m = y.size(0), n = y.size(1);
  TILECC_CHECK(dy.size(0) == m && dy.size(1) == n);
  TILECC_CHECK(dx.size(0) == m && dx.size(1) == n);
  for (auto tm : tl::tile(m)) {
    auto yv = tl::cast<float>(y[tm, tl::all]);
    auto g = tl::cast<float>(dy[tm, tl::all]);
    dx[tm, tl::all] = tl::cast<T>(yv * (g - tl::sum(g * yv, 1, true)));
  }
}

template void softmax_backward<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                                      tl::Tensor<float, 2>);
template void softmax_backward<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                         tl::Tensor<tl::bf16, 2>);
