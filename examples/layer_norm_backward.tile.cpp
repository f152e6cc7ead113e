#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Layer normalization backward, for out[i, :] = xhat * weight + bias with
// xhat = (x[i, :] - mean_i) * rstd_i, rstd_i = 1 / sqrt(var_i + eps) (biased variance) and dy
// the gradient with respect to out:
//   dx[i, :]   = rstd_i * (dy * weight - mean(dy * weight) - xhat * mean(dy * weight * xhat)),
//   dweight[:] += sum_i dy[i, :] * xhat,   dbias[:] += sum_i dy[i, :].
// The row statistics are recomputed from x. Each program owns a tile of whole rows; its
// rows' shares of dweight and dbias are added atomically into float tensors the caller zeroes.
template <class T>
TILECC_KERNEL void layer_norm_backward(tl::Tensor<const T, 2> x, tl::Tensor<const T, 1> weight,
                                       tl::Tensor<const T, 2> dy, float eps, tl::Tensor<T, 2> dx,
                                       tl::Tensor<float, 1> dweight, tl::Tensor<float, 1> dbias) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(weight.size(0) == n && dy.size(0) == m && dy.size(1) == n);
  TILECC_CHECK(dx.size(0) == m && dx.size(1) == n && dweight.size(0) == n && dbias.size(0) == n);
  for (auto tm : tl::tile(m)) {
    auto v = tl::cast<float>(x[tm, tl::all]);
    auto g = tl::cast<float>(dy[tm, tl::all]);
    auto centered = v - tl::mean(v, 1, true);
    auto rstd = tl::rsqrt(tl::mean(centered * centered, 1, true) + eps);
    auto xhat = centered * rstd;
    auto gw = g * tl::cast<float>(weight[tl::all]);
    dx[tm, tl::all] = tl::cast<T>(rstd * (gw - tl::mean(gw, 1, true) - xhat * tl::mean(gw * xhat, 1, true)));
    tl::atomic_add(dweight[tl::all], tl::sum(g * xhat, 0));
    tl::atomic_add(dbias[tl::all], tl::sum(g, 0));
  }
}

template void layer_norm_backward<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 1>,
                                         tl::Tensor<const float, 2>, float, tl::Tensor<float, 2>,
                                         tl::Tensor<float, 1>, tl::Tensor<float, 1>);
template void layer_norm_backward<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 1>,
                                            tl::Tensor<const tl::bf16, 2>, float, tl::Tensor<tl::bf16, 2>,
                                            tl::Tensor<float, 1>, tl::Tensor<float, 1>);
