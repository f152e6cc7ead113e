#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Softmax down the jagged dimension: batch b owns rows offsets[b] .. offsets[b + 1] - 1 of
// `values` (packed [total rows, d]), and each of its columns is normalized over those rows:
//   out[r, c] = exp(values[r, c] - max_b[c]) / sum_{r' in b} exp(values[r', c] - max_b[c]).
// Each program owns one batch and a tile of columns. A first walk over the batch's rows keeps
// a running column max and a sum of exponentials rescaled whenever the max grows (online
// softmax), so a batch of any length takes two reads; a second walk writes the rows.
template <class T>
TILECC_KERNEL void jagged_softmax(tl::Tensor<const tl::i64, 1> offsets, tl::Tensor<const T, 2> values,
                                  tl::Tensor<T, 2> out) {
  const auto batches = offsets.size(0) - 1, d = values.size(1);
  TILECC_CHECK(batches >= 0 && out.size(0) == values.size(0) && out.size(1) == d);
  for (auto b : tl::grid(batches)) {
    for (auto td : tl::tile(d)) {
      const std::int64_t begin = offsets[b], end = offsets[b + 1];
      auto col_max = tl::full<float>(-INFINITY, 1, td);
      auto col_sum = tl::zeros<float>(1, td);
      for (auto tr : tl::tile(tl::range(begin, end))) {
        auto v = tl::cast<float>(values[tr, td]);
        auto new_max = tl::maximum(col_max, tl::max(v, 0, true));
        col_sum = col_sum * tl::exp(col_max - new_max) + tl::sum(tl::exp(v - new_max), 0, true);
        col_max = new_max;
      }
      for (auto tr : tl::tile(tl::range(begin, end)))
        out[tr, td] = tl::cast<T>(tl::exp(tl::cast<float>(values[tr, td]) - col_max) / col_sum);
    }
  }
}

template void jagged_softmax<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void jagged_softmax<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>,
                                       tl::Tensor<tl::bf16, 2>);
