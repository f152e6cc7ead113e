#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Batched matrix product: out[b] = x[b] @ y[b] for x [batch, m, k], y [batch, k, n].
// A grid loop over the batch (one index per program), then output tiles; the
// batch index selects a matrix (x[b, tm, tk] is a rank-2 tile).
template <class T>
TILECC_KERNEL void bmm(tl::Tensor<const T, 3> x, tl::Tensor<const T, 3> y, tl::Tensor<T, 3> out) {
  const auto batch = x.size(0), m = x.size(1), k = x.size(2), n = y.size(2);
  TILECC_CHECK(y.size(0) == batch && y.size(1) == k);
  TILECC_CHECK(out.size(0) == batch && out.size(1) == m && out.size(2) == n);
  for (auto b : tl::grid(batch)) {
    for (auto [tm, tn] : tl::tile(m, n)) {
      auto acc = tl::zeros<float>(tm, tn);
      for (auto tk : tl::tile(k))
        acc = tl::dot(x[b, tm, tk], y[b, tk, tn], acc);
      out[b, tm, tn] = tl::cast<T>(acc);
    }
  }
}

template void bmm<float>(tl::Tensor<const float, 3>, tl::Tensor<const float, 3>, tl::Tensor<float, 3>);
template void bmm<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::bf16, 3>,
                            tl::Tensor<tl::bf16, 3>);
