#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Mixture-of-experts matrix product: token t is routed to one expert e(t), and
//   out[t, :] = a[t, :] @ w[e(t), :, :].
// The tokens are grouped by expert on the host: order lists the token ids sorted by expert,
// and expert e owns order[offsets[e] .. offsets[e + 1]). Each program takes one expert and a
// tile of output columns; it walks that expert's tokens in tiles, gathers their rows of `a`
// into the dot (a[ids, tk]) and scatters the products back to the tokens' rows of `out`
// (out[ids, tn] = ...). Every token appears once in `order`, so no two programs write one row.
template <class T>
TILECC_KERNEL void moe_matmul(tl::Tensor<const T, 2> a, tl::Tensor<const T, 3> w, tl::Tensor<const tl::i64, 1> offsets,
                              tl::Tensor<const tl::i64, 1> order, tl::Tensor<T, 2> out) {
  const auto tokens = a.size(0), k = a.size(1), experts = w.size(0), n = w.size(2);
  TILECC_CHECK(w.size(1) == k && offsets.size(0) == experts + 1 && order.size(0) == tokens);
  TILECC_CHECK(out.size(0) == tokens && out.size(1) == n);
  const auto bt = tl::register_block_size(16, 128), bn = tl::register_block_size(16, 128);
  const auto bk = tl::register_block_size(16, 64);
  for (auto e : tl::grid(experts)) {
    for (auto tn : tl::tile(n, bn)) {
      const std::int64_t begin = offsets[e], end = offsets[e + 1];
      for (auto tt : tl::tile(tl::range(begin, end), bt)) {
        auto ids = order[tt];
        auto acc = tl::zeros<float>(tt, tn);
        for (auto tk : tl::tile(k, bk)) acc = tl::dot(a[ids, tk], w[e, tk, tn], acc);
        out[ids, tn] = tl::cast<T>(acc);
      }
    }
  }
}

template void moe_matmul<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 3>, tl::Tensor<const tl::i64, 1>,
                                tl::Tensor<const tl::i64, 1>, tl::Tensor<float, 2>);
template void moe_matmul<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 3>,
                                   tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::i64, 1>, tl::Tensor<tl::bf16, 2>);
