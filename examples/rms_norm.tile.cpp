#include <tilecc/tile.hpp>
namespace tl = tilecc;

// RMS normalization over the last dimension:
//   out[i, :] = x[i, :] / sqrt(mean(x[i, :]^2) + eps) * weight,
// computed in float and rounded to T once.
template <class T>
TILECC_KERNEL void rms_norm(tl::Tensor<const T, 2> x, tl::Tensor<const T, 1> weight, float eps,
                            tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(weight.size(0) == n);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto tm : tl::tile(m)) {
    auto v = tl::cast<float>(x[tm, tl::all]);
    auto inv_rms = tl::rsqrt(tl::mean(v * v, 1, true) + eps);
    out[tm, tl::all] = tl::cast<T>(v * inv_rms * tl::cast<float>(weight[tl::all]));
  }
}

template void rms_norm<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 1>, float,
                              tl::Tensor<float, 2>);
template void rms_norm<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 1>, float,
                                 tl::Tensor<tl::bf16, 2>);
