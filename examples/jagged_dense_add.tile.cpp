#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Dense plus jagged: batch b of the jagged tensor owns rows offsets[b] .. offsets[b + 1] - 1
// of `values` (packed [total rows, d]); padded to the dense shape [batches, max_len, d] with
// zeros (rows past max_len dropped) it is added to `dense`:
//   out[b, r, :] = dense[b, r, :] + values[offsets[b] + r, :]   for r < len_b,
//   out[b, r, :] = dense[b, r, :]                               for len_b <= r < max_len,
// with len_b = offsets[b + 1] - offsets[b]. The loop bounds come from the offsets tensor;
// the jagged rows are read through the row tile shifted by offsets[b].
template <class T>
TILECC_KERNEL void jagged_dense_add(tl::Tensor<const tl::i64, 1> offsets, tl::Tensor<const T, 2> values,
                                    tl::Tensor<const T, 3> dense, tl::Tensor<T, 3> out) {
  const auto batches = dense.size(0), max_len = dense.size(1), d = dense.size(2);
  TILECC_CHECK(offsets.size(0) == batches + 1 && values.size(1) == d);
  TILECC_CHECK(out.size(0) == batches && out.size(1) == max_len && out.size(2) == d);
  for (auto b : tl::grid(batches)) {
    for (auto td : tl::tile(d)) {
      const std::int64_t begin = offsets[b], end = offsets[b + 1];
      const std::int64_t len = end - begin < max_len ? end - begin : max_len;
      for (auto tr : tl::tile(tl::range(0, len)))
        out[b, tr, td] = tl::cast<T>(tl::cast<float>(dense[b, tr, td]) + tl::cast<float>(values[tr + begin, td]));
      for (auto tr : tl::tile(tl::range(len, max_len)))
        out[b, tr, td] = dense[b, tr, td];
    }
  }
}

template void jagged_dense_add<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>,
                                      tl::Tensor<const float, 3>, tl::Tensor<float, 3>);
template void jagged_dense_add<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>,
                                         tl::Tensor<const tl::bf16, 3>, tl::Tensor<tl::bf16, 3>);
