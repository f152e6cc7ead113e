#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Squeeze-and-excitation block, forward: for x [m, n], a [n, k], b [k, n]
//   c   = relu(x @ a)                [m, k]   (se_squeeze)
//   d   = sigmoid(c @ b)             [m, n]   (se_excite; the product rounded to T first,
//   out = x * d                      [m, n]    as a matmul in T would return it)
// c and d are outputs too: the backward pass reads them. Two kernels, because every row of
// c must be complete before any tile of c @ b is formed.
template <class T>
TILECC_KERNEL void se_squeeze(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> a, tl::Tensor<T, 2> c) {
  const auto m = x.size(0), n = x.size(1), k = a.size(1);
  TILECC_CHECK(a.size(0) == n && c.size(0) == m && c.size(1) == k);
  const auto bn = tl::register_block_size(16, 128);
  // The relu runs on the products where the tensor cores leave them: 128 x 128 tiles fit.
  const auto bm = tl::register_block_size(16, 128), bk = tl::register_block_size(16, 128);
  for (auto [tm, tk] : tl::tile(m, k, tl::block(bm, bk))) {
    auto acc = tl::zeros<float>(tm, tk);
    for (auto tn : tl::tile(n, bn)) acc = tl::dot(x[tm, tn], a[tn, tk], acc);
    c[tm, tk] = tl::cast<T>(tl::maximum(acc, 0.0f));
  }
}

template <class T>
TILECC_KERNEL void se_excite(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> c, tl::Tensor<const T, 2> b,
                             tl::Tensor<T, 2> d, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1), k = c.size(1);
  TILECC_CHECK(c.size(0) == m && b.size(0) == k && b.size(1) == n);
  TILECC_CHECK(d.size(0) == m && d.size(1) == n && out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  const auto bm = tl::register_block_size(16, 64), bn = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n, tl::block(bm, bn))) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(c[tm, tk], b[tk, tn], acc);
    auto gate = tl::cast<T>(tl::sigmoid(tl::cast<float>(tl::cast<T>(acc))));
    d[tm, tn] = gate;
    out[tm, tn] = tl::cast<T>(tl::cast<float>(x[tm, tn]) * tl::cast<float>(gate));
  }
}

template void se_squeeze<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void se_squeeze<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                   tl::Tensor<tl::bf16, 2>);
template void se_excite<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                               tl::Tensor<float, 2>, tl::Tensor<float, 2>);
template void se_excite<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                  tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 2>, tl::Tensor<tl::bf16, 2>);
