#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Attention forward (flash-attention style, one pass over the keys):
//   out[b, i, :] = softmax_j(q[b, i, :] . k[b, j, :] * scale) @ v[b, j, :]
// for every batch-head b. Each program owns a tile of query rows and walks the keys in tiles,
// keeping a running row max and row sum of exponentials (rescaled by exp(old_max - new_max)
// when the max grows) and an unnormalized float accumulator, divided by the row sum once at
// the end. Scores use exp2 with log2(e) folded into the scale. With `causal`, query i sees
// keys j <= i: later key tiles are skipped and the diagonal tile is masked.
template <class T>
TILECC_KERNEL void attention(tl::Tensor<const T, 3> q, tl::Tensor<const T, 3> k, tl::Tensor<const T, 3> v,
                             float scale, bool causal, tl::Tensor<T, 3> out) {
  const auto bh = q.size(0), m = q.size(1), d = q.size(2), n = k.size(1);
  TILECC_CHECK(k.size(0) == bh && k.size(2) == d);
  TILECC_CHECK(v.size(0) == bh && v.size(1) == n && v.size(2) == d);
  TILECC_CHECK(out.size(0) == bh && out.size(1) == m && out.size(2) == d);
  const float qk_scale = scale * 1.4426950408889634f;  // log2(e): exp(x) = exp2(x * log2(e))
  const auto bn = tl::register_block_size(16, 128);
  for (auto b : tl::grid(bh)) {
    for (auto tm : tl::tile(m)) {
      auto qt = q[b, tm, tl::all];
      auto row_max = tl::full<float>(-INFINITY, tm, 1);
      auto row_sum = tl::zeros<float>(tm, 1);
      auto acc = tl::zeros<float>(tm, d);
      // Causal: keys up to the tile's last query; a key j is visible to query i when
      // i + shift >= j (shift n: every key).
      const auto key_end = causal ? (tm.end() < n ? tm.end() : n) : n;
      const auto shift = causal ? 0 : n;
      for (auto tn : tl::tile(tl::range(0, key_end), bn)) {
        auto kt = k[b, tn, tl::all];
        auto s = tl::dot(qt, tl::trans(kt)) * qk_scale;
        s = tl::where(tl::unsqueeze(tm.index(), 1) + shift >= tl::unsqueeze(tn.index(), 0), s, -INFINITY);
        auto new_max = tl::maximum(row_max, tl::max(s, 1, true));
        auto p = tl::exp2(s - new_max);
        auto alpha = tl::exp2(row_max - new_max);
        row_sum = row_sum * alpha + tl::sum(p, 1, true);
        acc = acc * alpha + tl::dot(tl::cast<T>(p), v[b, tn, tl::all]);
        row_max = new_max;
      }
      out[b, tm, tl::all] = tl::cast<T>(acc / row_sum);
    }
  }
}

template void attention<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::bf16, 3>,
                                  tl::Tensor<const tl::bf16, 3>, float, bool, tl::Tensor<tl::bf16, 3>);
template void attention<tl::f16>(tl::Tensor<const tl::f16, 3>, tl::Tensor<const tl::f16, 3>,
                                 tl::Tensor<const tl::f16, 3>, float, bool, tl::Tensor<tl::f16, 3>);
