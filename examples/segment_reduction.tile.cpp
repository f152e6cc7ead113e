#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Segmented sum (torch's scatter_add along rows): out[indices[e], :] += x[e, :] for every
// element row e, with indices in [0, out.size(0)) (sorted in graph workloads, though the
// kernel does not need it). Each program owns one element row (its output row read from
// `indices` as a number) and a tile of features, and adds them atomically; the caller zeroes
// `out` (float, so that rows of many elements are summed in float).
template <class T>
TILECC_KERNEL void segment_reduction(tl::Tensor<const tl::i64, 1> indices, tl::Tensor<const T, 2> x,
                                     tl::Tensor<float, 2> out) {
  const auto elements = x.size(0), features = x.size(1);
  TILECC_CHECK(indices.size(0) == elements && out.size(1) == features);
  for (auto e : tl::grid(elements)) {
    for (auto tf : tl::tile(features)) {
      const std::int64_t row = indices[e];
      tl::atomic_add(out[row, tf], tl::cast<float>(x[e, tf]));
    }
  }
}

template void segment_reduction<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void segment_reduction<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>,
                                          tl::Tensor<float, 2>);
