#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Batched matrix product with a shared right operand: out[b] = x[b] @ y for x [batch, m, k]
// and y [k, n] (torch.matmul broadcasting y over the batch). A grid loop over the batch, then
// output tiles; every batch reads the same tiles of y.
template <class T>
TILECC_KERNEL void broadcast_matmul(tl::Tensor<const T, 3> x, tl::Tensor<const T, 2> y, tl::Tensor<T, 3> out) {
  const auto batch = x.size(0), m = x.size(1), k = x.size(2), n = y.size(1);
  TILECC_CHECK(y.size(0) == k);
  TILECC_CHECK(out.size(0) == batch && out.size(1) == m && out.size(2) == n);
  for (auto b : tl::grid(batch)) {
    for (auto [tm, tn] : tl::tile(m, n)) {
      auto acc = tl::zeros<float>(tm, tn);
      for (auto tk : tl::tile(k))
        acc = tl::dot(x[b, tm, tk], y[tk, tn], acc);
      out[b, tm, tn] = tl::cast<T>(acc);
    }
  }
}

template void broadcast_matmul<float>(tl::Tensor<const float, 3>, tl::Tensor<const float, 2>,
                                      tl::Tensor<float, 3>);
template void broadcast_matmul<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::bf16, 2>,
                                         tl::Tensor<tl::bf16, 3>);
