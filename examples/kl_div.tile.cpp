#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Kullback-Leibler divergence per row, KL(P || Q) = sum_v p (log p - log q), with the input
// log q in log space (a log-softmax) and the target p as probabilities (torch's KLDivLoss with
// log_target=False): loss[i] = sum_v p[i, v] * (log(max(p[i, v], eps)) - log_q[i, v]). Rows
// are walked in column tiles into a float accumulator. The "batchmean" loss is sum(loss) / rows.
template <class T>
TILECC_KERNEL void kl_div(tl::Tensor<const T, 2> log_q, tl::Tensor<const T, 2> p, float eps, tl::Tensor<float, 1> loss) {
  const auto rows = log_q.size(0), v = log_q.size(1);
  TILECC_CHECK(p.size(0) == rows && p.size(1) == v && loss.size(0) == rows);
  for (auto tm : tl::tile(rows)) {
    auto acc = tl::zeros<float>(tm);
    for (auto tv : tl::tile(v)) {
      auto target = tl::cast<float>(p[tm, tv]);
      acc += tl::sum(target * (tl::log(tl::maximum(target, eps)) - tl::cast<float>(log_q[tm, tv])), 1);
    }
    loss[tm] = acc;
  }
}

// The same with the target in log space too (log_target=True): sum_v exp(log_p) (log_p - log_q).
template <class T>
TILECC_KERNEL void kl_div_log_target(tl::Tensor<const T, 2> log_q, tl::Tensor<const T, 2> log_p,
                                     tl::Tensor<float, 1> loss) {
  const auto rows = log_q.size(0), v = log_q.size(1);
  TILECC_CHECK(log_p.size(0) == rows && log_p.size(1) == v && loss.size(0) == rows);
  for (auto tm : tl::tile(rows)) {
    auto acc = tl::zeros<float>(tm);
    for (auto tv : tl::tile(v)) {
      auto target = tl::cast<float>(log_p[tm, tv]);
      acc += tl::sum(tl::exp(target) * (target - tl::cast<float>(log_q[tm, tv])), 1);
    }
    loss[tm] = acc;
  }
}

template void kl_div<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, float, tl::Tensor<float, 1>);
template void kl_div<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>, float,
                               tl::Tensor<float, 1>);
template void kl_div_log_target<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<float, 1>);
template void kl_div_log_target<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                          tl::Tensor<float, 1>);
