#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Softmax over the last dimension of a rank-3 tensor:
//   out[b, i, j] = exp(x[b, i, j] - max_j x[b, i, :]) / sum_j exp(x[b, i, j] - max).
// A grid loop over the batch (one index per program), then tiles of whole rows, computed in
// float and rounded to T once.
template <class T>
TILECC_KERNEL void batch_softmax(tl::Tensor<const T, 3> x, tl::Tensor<T, 3> out) {
  const auto batch = x.size(0), m = x.size(1), n = x.size(2);
  TILECC_CHECK(out.size(0) == batch && out.size(1) == m && out.size(2) == n);
  for (auto b : tl::grid(batch)) {
    for (auto tm : tl::tile(m)) {
      auto v = tl::cast<float>(x[b, tm, tl::all]);
      auto e = tl::exp(v - tl::max(v, 1, true));
      out[b, tm, tl::all] = tl::cast<T>(e / tl::sum(e, 1, true));
    }
  }
}

template void batch_softmax<float>(tl::Tensor<const float, 3>, tl::Tensor<float, 3>);
template void batch_softmax<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<tl::bf16, 3>);
