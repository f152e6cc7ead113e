#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Matrix product with a layer norm over each output row in the epilogue:
//   p = x @ y                                              [m, n], float
//   out[i, :] = (p[i, :] - mean_i) / sqrt(var_i + eps) * weight + bias
// with mean_i and the biased variance var_i over the n columns of row i. Each program owns
// a tile of rows and accumulates their whole rows of p (n held whole, up to full_extent), so
// the row statistics need no second pass over memory.
template <class T>
TILECC_KERNEL void matmul_layernorm(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<const T, 1> weight,
                                    tl::Tensor<const T, 1> bias, float eps, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && weight.size(0) == n && bias.size(0) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  // Whole rows of the product stay in registers: up to 64 rows per program, so that the k-loop
  // (acc + dot accumulates into acc: one library k-loop) takes the tensor cores' cp.async
  // pipeline, whose stages need 64-row tiles.
  const auto bm = tl::register_block_size(8, 64), bk = tl::register_block_size(32, 64);
  for (auto tm : tl::tile(m, bm)) {
    auto acc = tl::zeros<float>(tm, n);
    for (auto tk : tl::tile(k, bk)) acc = acc + tl::dot(x[tm, tk], y[tk, tl::all]);
    auto centered = acc - tl::mean(acc, 1, true);
    auto var = tl::mean(centered * centered, 1, true);
    auto normed = centered * tl::rsqrt(var + eps);
    out[tm, tl::all] = tl::cast<T>(normed * tl::cast<float>(weight[tl::all]) + tl::cast<float>(bias[tl::all]));
  }
}

template void matmul_layernorm<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                                      tl::Tensor<const float, 1>, tl::Tensor<const float, 1>, float,
                                      tl::Tensor<float, 2>);
template void matmul_layernorm<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                         tl::Tensor<const tl::bf16, 1>, tl::Tensor<const tl::bf16, 1>, float,
                                         tl::Tensor<tl::bf16, 2>);
