#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Embedding lookup: out[i, :] = weight[indices[i], :].
// A tile of indices gathers rows of the table: weight[ids, td] reads the
// rows named by ids (in their order, repeats allowed), columns td.
template <class T>
TILECC_KERNEL void embedding(tl::Tensor<const tl::i64, 1> indices, tl::Tensor<const T, 2> weight,
                             tl::Tensor<T, 2> out) {
  const auto n = indices.size(0), d = weight.size(1);
  TILECC_CHECK(out.size(0) == n && out.size(1) == d);
  for (auto [tn, td] : tl::tile(n, d)) {
    auto ids = indices[tn];
    out[tn, td] = weight[ids, td];
  }
}

template void embedding<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>,
                               tl::Tensor<float, 2>);
template void embedding<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>,
                                  tl::Tensor<tl::bf16, 2>);
