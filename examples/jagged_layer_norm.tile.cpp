#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Layer normalization of each batch of a jagged tensor as one block: batch b owns rows
// offsets[b] .. offsets[b + 1] - 1 of `values` (packed [total rows, d]), and all its
// len_b x d elements share one mean and variance:
//   out[r, c] = (values[r, c] - mean_b) / sqrt(var_b + eps),
// mean_b and var_b (biased) taken over every element of the batch's rows. Each program owns
// one batch and walks its rows three times in tiles of rows and columns: the sum, the sum of
// squared deviations from the mean (two passes, so no sum of squares cancels), the output.
template <class T>
TILECC_KERNEL void jagged_layer_norm(tl::Tensor<const tl::i64, 1> offsets, tl::Tensor<const T, 2> values, float eps,
                                     tl::Tensor<T, 2> out) {
  const auto batches = offsets.size(0) - 1, d = values.size(1);
  TILECC_CHECK(batches >= 0 && out.size(0) == values.size(0) && out.size(1) == d);
  const auto br = tl::register_block_size(1, 64), bd = tl::register_block_size(16, 1024);
  for (auto b : tl::grid(batches)) {
    const std::int64_t begin = offsets[b], end = offsets[b + 1];
    const float count = static_cast<float>((end - begin) * d);
    auto total = tl::zeros<float>(1, 1);
    for (auto td : tl::tile(d, bd)) {
      auto col = tl::zeros<float>(1, td);
      for (auto tr : tl::tile(tl::range(begin, end), br)) col = col + tl::sum(tl::cast<float>(values[tr, td]), 0, true);
      total = total + tl::sum(col, 1, true);
    }
    auto mean = total / count;
    auto squares = tl::zeros<float>(1, 1);
    for (auto td : tl::tile(d, bd)) {
      auto col = tl::zeros<float>(1, td);
      for (auto tr : tl::tile(tl::range(begin, end), br)) {
        auto centered = tl::cast<float>(values[tr, td]) - mean;
        col = col + tl::sum(centered * centered, 0, true);
      }
      squares = squares + tl::sum(col, 1, true);
    }
    auto rstd = tl::rsqrt(squares / count + eps);
    for (auto td : tl::tile(d, bd))
      for (auto tr : tl::tile(tl::range(begin, end), br))
        out[tr, td] = tl::cast<T>((tl::cast<float>(values[tr, td]) - mean) * rstd);
  }
}

template void jagged_layer_norm<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, float,
                                       tl::Tensor<float, 2>);
template void jagged_layer_norm<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>, float,
                                          tl::Tensor<tl::bf16, 2>);
