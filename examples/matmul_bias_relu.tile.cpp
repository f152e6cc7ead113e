#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Matrix product with a fused epilogue: out[m, n] = relu(x[m, k] @ y[k, n] + bias[n]).
// The bias is added to the fp32 accumulator and the relu applied before the single
// rounding to T, so the epilogue costs no extra pass over memory.
template <class T>
TILECC_KERNEL void matmul_bias_relu(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<const T, 1> bias,
                                    tl::Tensor<T, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && bias.size(0) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  // The epilogue is elementwise, so it runs on the products where the tensor cores leave them:
  // no register tile of the accumulator, and tiles as large as a plain matmul's fit.
  const auto bm = tl::register_block_size(16, 128), bn = tl::register_block_size(16, 256);
  for (auto [tm, tn] : tl::tile(m, n, tl::block(bm, bn))) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk))
      acc = tl::dot(x[tm, tk], y[tk, tn], acc);
    out[tm, tn] = tl::cast<T>(tl::maximum(acc + tl::cast<float>(bias[tn]), 0.0f));
  }
}

template void matmul_bias_relu<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                                      tl::Tensor<const float, 1>, tl::Tensor<float, 2>);
template void matmul_bias_relu<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                         tl::Tensor<const tl::bf16, 1>, tl::Tensor<tl::bf16, 2>);
