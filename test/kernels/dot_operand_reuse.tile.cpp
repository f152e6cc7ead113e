#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Attention whose query tile is read twice: as the first dot's A operand and again, as a
// residual, in the output (out = softmax(q kT) v + q). A tile read by something else than a
// dot stays a fragment of its own: it is neither packed as mma A registers nor moved to
// shared memory, which only a dot could read.
template <class T>
TILECC_KERNEL void attention_residual(tl::Tensor<const T, 3> q, tl::Tensor<const T, 3> k, tl::Tensor<const T, 3> v,
                                      tl::Tensor<T, 3> out) {
  const auto bh = q.size(0), m = q.size(1), d = q.size(2), n = k.size(1);
  TILECC_CHECK(k.size(0) == bh && k.size(2) == d);
  TILECC_CHECK(v.size(0) == bh && v.size(1) == n && v.size(2) == d);
  TILECC_CHECK(out.size(0) == bh && out.size(1) == m && out.size(2) == d);
  const auto bn = tl::register_block_size(16, 128);
  for (auto b : tl::grid(bh)) {
    for (auto tm : tl::tile(m)) {
      auto qt = q[b, tm, tl::all];
      auto row_max = tl::full<float>(-INFINITY, tm, 1);
      auto row_sum = tl::zeros<float>(tm, 1);
      auto acc = tl::zeros<float>(tm, d);
      for (auto tn : tl::tile(n, bn)) {
        auto s = tl::dot(qt, tl::trans(k[b, tn, tl::all]));
        auto new_max = tl::maximum(row_max, tl::max(s, 1, true));
        auto p = tl::exp(s - new_max);
        auto alpha = tl::exp(row_max - new_max);
        row_sum = row_sum * alpha + tl::sum(p, 1, true);
        acc = acc * alpha + tl::dot(tl::cast<T>(p), v[b, tn, tl::all]);
        row_max = new_max;
      }
      out[b, tm, tl::all] = tl::cast<T>(acc / row_sum + tl::cast<float>(qt));
    }
  }
}

template void attention_residual<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::bf16, 3>,
                                           tl::Tensor<const tl::bf16, 3>, tl::Tensor<tl::bf16, 3>);
