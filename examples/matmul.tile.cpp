#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Matrix product: out[m, n] = x[m, k] @ y[k, n].
// Each program owns an output tile and walks k in a device loop, accumulating
// tl::dot products in fp32; the k block size is registered so the tuner picks it.
template <class T>
TILECC_KERNEL void matmul(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk))
      acc = tl::dot(x[tm, tk], y[tk, tn], acc);
    out[tm, tn] = tl::cast<T>(acc);
  }
}

template void matmul<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void matmul<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                               tl::Tensor<tl::bf16, 2>);
