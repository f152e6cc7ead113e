#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Layer normalization over the last dimension:
//   out[i, :] = (x[i, :] - mean) / sqrt(var + eps) * weight + bias,
// with the mean and the (biased) variance of each row computed in float.
// One row per program (an explicit block size of 1 on the row loop).
template <class T>
TILECC_KERNEL void layer_norm(tl::Tensor<const T, 2> x, tl::Tensor<const T, 1> weight,
                              tl::Tensor<const T, 1> bias, float eps, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(weight.size(0) == n && bias.size(0) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto tm : tl::tile(m)) {
    auto v = tl::cast<float>(x[tm, tl::all]);
    auto centered = v - tl::mean(v, 1, true);
    auto var = tl::mean(centered * centered, 1, true);
    auto normalized = centered * tl::rsqrt(var + eps);
    out[tm, tl::all] =
        tl::cast<T>(normalized * tl::cast<float>(weight[tl::all]) + tl::cast<float>(bias[tl::all]));
  }
}

template void layer_norm<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 1>,
                                tl::Tensor<const float, 1>, float, tl::Tensor<float, 2>);
template void layer_norm<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 1>,
                                   tl::Tensor<const tl::bf16, 1>, float, tl::Tensor<tl::bf16, 2>);
