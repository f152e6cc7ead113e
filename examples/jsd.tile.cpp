#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Generalized Jensen-Shannon divergence for distillation, with the student's log q (input x)
// and the teacher's log p (target y) in log space and 0 < beta < 1:
//   m = beta p + (1 - beta) q,   JSD = beta KL(p || m) + (1 - beta) KL(q || m),
// per element beta p y + (1 - beta) q x - m log m. loss[i] is row i's sum divided by the number
// of rows (so the loss is sum(loss)), and dx = (1 - beta) q (x - log m) / rows is its gradient
// with respect to x. Rows are walked in column tiles; everything is computed in float.
template <class T>
TILECC_KERNEL void jsd(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, float beta, tl::Tensor<float, 1> loss,
                       tl::Tensor<T, 2> dx) {
  const auto rows = x.size(0), v = x.size(1);
  TILECC_CHECK(y.size(0) == rows && y.size(1) == v && loss.size(0) == rows);
  TILECC_CHECK(dx.size(0) == rows && dx.size(1) == v);
  TILECC_CHECK(beta > 0.0f && beta < 1.0f);
  const float scale = 1.0f / rows;
  for (auto tm : tl::tile(rows)) {
    auto acc = tl::zeros<float>(tm);
    for (auto tv : tl::tile(v)) {
      auto lq = tl::cast<float>(x[tm, tv]), lp = tl::cast<float>(y[tm, tv]);
      auto beta_p = beta * tl::exp(lp);
      auto rest_q = (1.0f - beta) * tl::exp(lq);
      auto m = beta_p + rest_q;
      auto log_m = tl::log(m);
      acc += tl::sum(beta_p * lp + rest_q * lq - m * log_m, 1);
      dx[tm, tv] = tl::cast<T>(rest_q * (lq - log_m) * scale);
    }
    loss[tm] = acc * scale;
  }
}

template void jsd<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, float, tl::Tensor<float, 1>,
                         tl::Tensor<float, 2>);
template void jsd<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>, float, tl::Tensor<float, 1>,
                            tl::Tensor<tl::bf16, 2>);
