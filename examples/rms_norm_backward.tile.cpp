#include <tilecc/tile.hpp>
namespace tl = tilecc;

// RMS normalization backward, for out[i, :] = x[i, :] * r_i * weight with
// r_i = 1 / sqrt(mean(x[i, :]^2) + eps) and dy the gradient with respect to out:
//   dx[i, :]   = r_i * (dy * weight - x * r_i^2 * mean(dy * weight * x)),
//   dweight[:] += sum_i dy[i, :] * x[i, :] * r_i.
// r_i is recomputed from x. Each program owns a tile of whole rows; its rows' share of
// dweight is added atomically into a float tensor the caller zeroes.
template <class T>
TILECC_KERNEL void rms_norm_backward(tl::Tensor<const T, 2> x, tl::Tensor<const T, 1> weight,
                                     tl::Tensor<const T, 2> dy, float eps, tl::Tensor<T, 2> dx,
                                     tl::Tensor<float, 1> dweight) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(weight.size(0) == n && dy.size(0) == m && dy.size(1) == n);
  TILECC_CHECK(dx.size(0) == m && dx.size(1) == n && dweight.size(0) == n);
  for (auto tm : tl::tile(m)) {
    auto v = tl::cast<float>(x[tm, tl::all]);
    auto g = tl::cast<float>(dy[tm, tl::all]);
    auto r = tl::rsqrt(tl::mean(v * v, 1, true) + eps);
    auto gw = g * tl::cast<float>(weight[tl::all]);
    dx[tm, tl::all] = tl::cast<T>(r * (gw - v * (r * r) * tl::mean(gw * v, 1, true)));
    tl::atomic_add(dweight[tl::all], tl::sum(g * v * r, 0));
  }
}

template void rms_norm_backward<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 1>,
                                       tl::Tensor<const float, 2>, float, tl::Tensor<float, 2>,
                                       tl::Tensor<float, 1>);
template void rms_norm_backward<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 1>,
                                          tl::Tensor<const tl::bf16, 2>, float, tl::Tensor<tl::bf16, 2>,
                                          tl::Tensor<float, 1>);
