#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Sums and means over the rows of a jagged tensor: batch b owns rows offsets[b] ..
// offsets[b + 1] - 1 of `values` (a packed [total rows, d] tensor, as torch's nested
// tensors and jagged embedding tables store them):
//   jagged_sum:  out[b, :] = sum of those rows;
//   jagged_mean: out[b, :] = their mean (0 for an empty batch).
// Each program owns one batch and a tile of columns; the row loop's bounds are read from
// the offsets tensor, single elements used as numbers.
template <class T>
TILECC_KERNEL void jagged_sum(tl::Tensor<const tl::i64, 1> offsets, tl::Tensor<const T, 2> values,
                              tl::Tensor<T, 2> out) {
  const auto batches = out.size(0), d = values.size(1);
  TILECC_CHECK(offsets.size(0) == batches + 1 && out.size(1) == d);
  for (auto b : tl::grid(batches)) {
    for (auto td : tl::tile(d)) {
      const std::int64_t begin = offsets[b], end = offsets[b + 1];
      auto acc = tl::zeros<float>(td);
      for (auto tr : tl::tile(tl::range(begin, end)))
        acc += tl::sum(tl::cast<float>(values[tr, td]), 0);
      out[b, td] = tl::cast<T>(acc);
    }
  }
}

template <class T>
TILECC_KERNEL void jagged_mean(tl::Tensor<const tl::i64, 1> offsets, tl::Tensor<const T, 2> values,
                               tl::Tensor<T, 2> out) {
  const auto batches = out.size(0), d = values.size(1);
  TILECC_CHECK(offsets.size(0) == batches + 1 && out.size(1) == d);
  for (auto b : tl::grid(batches)) {
    for (auto td : tl::tile(d)) {
      const std::int64_t begin = offsets[b], end = offsets[b + 1];
      auto acc = tl::zeros<float>(td);
      for (auto tr : tl::tile(tl::range(begin, end)))
        acc += tl::sum(tl::cast<float>(values[tr, td]), 0);
      const auto rows = end - begin;
      out[b, td] = tl::cast<T>(acc / (rows > 0 ? rows : 1));
    }
  }
}

template void jagged_sum<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void jagged_sum<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>,
                                   tl::Tensor<tl::bf16, 2>);
template void jagged_mean<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void jagged_mean<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>,
                                    tl::Tensor<tl::bf16, 2>);
