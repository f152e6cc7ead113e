#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Split-k matrix product: out[m, n] += x[m, k] @ y[k, n], with k cut into `splits` chunks
// of ceil(k / splits) columns, one chunk per program along the grid dimension, so that
// small m x n products with long k still fill the GPU. Each program adds its fp32 partial
// product into `out` atomically; the caller zeroes `out` (float, so partial sums are not
// rounded to a narrow type before they are added).
template <class T>
TILECC_KERNEL void split_k(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, std::int64_t splits,
                           tl::Tensor<float, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && splits >= 1);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  const auto chunk = (k + splits - 1) / splits;
  TILECC_CHECK(chunk * splits >= k);  // the chunks cover k (and the launcher reads chunk)
  const auto bk = tl::register_block_size(16, 128);
  // The atomic add of the products runs where the tensor cores leave them (no register tile of
  // the accumulator), so 128 x 128 tiles fit.
  const auto bm = tl::register_block_size(16, 128), bn = tl::register_block_size(16, 128);
  for (auto s : tl::grid(splits)) {
    for (auto [tm, tn] : tl::tile(m, n, tl::block(bm, bn))) {
      const auto k_begin = s * chunk;
      const auto k_end = k_begin + chunk < k ? k_begin + chunk : k;
      auto acc = tl::zeros<float>(tm, tn);
      for (auto tk : tl::tile(tl::range(k_begin, k_end), bk))
        acc = tl::dot(x[tm, tk], y[tk, tn], acc);
      tl::atomic_add(out[tm, tn], acc);
    }
  }
}

template void split_k<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, std::int64_t,
                             tl::Tensor<float, 2>);
template void split_k<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>, std::int64_t,
                                tl::Tensor<float, 2>);
