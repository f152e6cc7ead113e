#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Layer normalization over the last dimension (as examples/layer_norm.tile.cpp) whose row
// statistics stream over column tiles with Welford's method: each tile's count, mean and sum
// of squared deviations (M2) are merged into running ones,
//   delta = mean_tile - mean,  count' = count + c,  mean' = mean + delta * c / count',
//   M2' = M2 + M2_tile + delta^2 * count * c / count',
// so rows need not fit one tile and no sum of squares cancels. A second pass writes
//   out[i, :] = (x[i, :] - mean) / sqrt(M2 / n + eps) * weight + bias.
template <class T>
TILECC_KERNEL void welford(tl::Tensor<const T, 2> x, tl::Tensor<const T, 1> weight, tl::Tensor<const T, 1> bias,
                           float eps, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(weight.size(0) == n && bias.size(0) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  const auto bn = tl::register_block_size(16, 1024);  // shared by both column loops
  for (auto tm : tl::tile(m)) {
    auto mean = tl::zeros<float>(tm, 1);
    auto m2 = tl::zeros<float>(tm, 1);
    for (auto tn : tl::tile(n, bn)) {
      // Tiles run in order from column 0: the columns merged so far are those before tn.
      const float count = static_cast<float>(tn.begin());
      const float c = static_cast<float>((tn.end() < n ? tn.end() : n) - tn.begin());
      auto v = tl::cast<float>(x[tm, tn]);
      auto tile_mean = tl::sum(v, 1, true) / c;
      auto d = v - tile_mean;
      auto tile_m2 = tl::sum(d * d, 1, true);
      auto delta = tile_mean - mean;
      const float new_count = count + c;
      mean = mean + delta * (c / new_count);
      m2 = m2 + tile_m2 + delta * delta * (count * c / new_count);
    }
    auto rstd = tl::rsqrt(m2 / static_cast<float>(n) + eps);
    for (auto tn : tl::tile(n, bn)) {
      auto normalized = (tl::cast<float>(x[tm, tn]) - mean) * rstd;
      out[tm, tn] = tl::cast<T>(normalized * tl::cast<float>(weight[tn]) + tl::cast<float>(bias[tn]));
    }
  }
}

template void welford<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 1>, tl::Tensor<const float, 1>,
                             float, tl::Tensor<float, 2>);
template void welford<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 1>,
                                tl::Tensor<const tl::bf16, 1>, float, tl::Tensor<tl::bf16, 2>);
