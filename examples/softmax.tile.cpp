#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Row-wise softmax: out[i, j] = exp(x[i, j] - max_j x[i, :]) / sum_j exp(x[i, j] - max).
// `softmax` keeps whole rows in one tile; `softmax_two_pass` streams long rows:
// pass one keeps a running max and a running sum of exponentials (rescaled by
// exp(old_max - new_max) whenever the max grows), pass two writes the result.
template <class T>
TILECC_KERNEL void softmax(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto tm : tl::tile(m)) {
    auto v = tl::cast<float>(x[tm, tl::all]);
    auto e = tl::exp(v - tl::max(v, 1, true));
    out[tm, tl::all] = tl::cast<T>(e / tl::sum(e, 1, true));
  }
}

template <class T>
TILECC_KERNEL void softmax_two_pass(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  const auto bn = tl::register_block_size(16, 1024);  // shared by both column loops
  for (auto tm : tl::tile(m)) {
    auto row_max = tl::full<float>(-INFINITY, tm, 1);
    auto row_sum = tl::zeros<float>(tm, 1);
    for (auto tn : tl::tile(n, bn)) {
      auto v = tl::cast<float>(x[tm, tn]);
      auto new_max = tl::maximum(row_max, tl::max(v, 1, true));
      row_sum = row_sum * tl::exp(row_max - new_max) + tl::sum(tl::exp(v - new_max), 1, true);
      row_max = new_max;
    }
    for (auto tn : tl::tile(n, bn))
      out[tm, tn] = tl::cast<T>(tl::exp(tl::cast<float>(x[tm, tn]) - row_max) / row_sum);
  }
}

template void softmax<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void softmax<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 2>);
template void softmax_two_pass<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void softmax_two_pass<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 2>);
