#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Cross-entropy loss per row: loss[i] = logsumexp(logits[i, :]) - logits[i, labels[i]].
// Whole rows in float; the label's logit is picked with a one-hot mask
// (arange(v) == label) summed over the row. The loss is always fp32.
template <class T>
TILECC_KERNEL void cross_entropy(tl::Tensor<const T, 2> logits, tl::Tensor<const tl::i64, 1> labels,
                                 tl::Tensor<float, 1> loss) {
  const auto n = logits.size(0), v = logits.size(1);
  TILECC_CHECK(labels.size(0) == n && loss.size(0) == n);
  for (auto tn : tl::tile(n)) {
    auto x = tl::cast<float>(logits[tn, tl::all]);
    auto row_max = tl::max(x, 1);
    auto lse = row_max + tl::log(tl::sum(tl::exp(x - tl::unsqueeze(row_max, 1)), 1));
    auto is_label = tl::arange(v) == tl::unsqueeze(labels[tn], 1);
    loss[tn] = lse - tl::sum(tl::where(is_label, x, 0.0f), 1);
  }
}

template void cross_entropy<float>(tl::Tensor<const float, 2>, tl::Tensor<const tl::i64, 1>,
                                   tl::Tensor<float, 1>);
template void cross_entropy<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::i64, 1>,
                                      tl::Tensor<float, 1>);
