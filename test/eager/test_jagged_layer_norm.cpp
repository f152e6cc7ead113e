// Eager tests of examples/jagged_layer_norm.tile.cpp: each batch's rows normalized as one block
// (mean and biased variance over all its elements), against plain double loops; empty batches,
// one-row batches, batches longer than a tile, an offset mean the two-pass variance must keep.
#include "examples/jagged_layer_norm.tile.cpp"

#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("jagged_layer_norm: each batch normalized over all its elements", "[eager][jagged_layer_norm]",
                   float, tl::bf16) {
  using T = TestType;
  const std::vector<std::vector<std::int64_t>> batch_lengths = {{1}, {0, 3, 0}, {5, 0, 70, 1, 0}, {0}};
  const float eps = 1e-5f;
  std::uint32_t seed = 5200;
  for (const auto& lengths : batch_lengths)
    for (const th::Index d : {1, 9, 33}) {
      std::vector<std::int64_t> offsets = {0};
      for (std::int64_t n : lengths) offsets.push_back(offsets.back() + n);
      const th::Index total = offsets.back(), batches = static_cast<th::Index>(lengths.size());
      // Values in [2, 6]: a mean far from 0, so a variance taken as E[x^2] - E[x]^2 loses digits.
      const auto values = th::random_buffer<T>(static_cast<std::size_t>(total * d), seed++, 2.0f, 6.0f);
      std::vector<double> expected(static_cast<std::size_t>(total * d));
      for (th::Index b = 0; b < batches; ++b) {
        const th::Index lo = offsets[b] * d, hi = offsets[b + 1] * d;
        if (lo == hi) continue;
        double mean = 0, var = 0;
        for (th::Index i = lo; i < hi; ++i) mean += values.values[i];
        mean /= double(hi - lo);
        for (th::Index i = lo; i < hi; ++i) var += (values.values[i] - mean) * (values.values[i] - mean);
        var /= double(hi - lo);
        for (th::Index i = lo; i < hi; ++i)
          expected[static_cast<std::size_t>(i)] = (values.values[i] - mean) / std::sqrt(var + eps);
      }
      for (const auto& blocks : th::block_configs()) {
        INFO(th::context<T>({total, d}, blocks) << ", batches " << batches);
        auto out = th::poisoned<T>(static_cast<std::size_t>(total * d));
        tl::eager::BlockSizeScope scope(blocks);
        jagged_layer_norm<T>(th::in<1>(offsets, {batches + 1}), th::in<2>(values.data, {total, d}), eps,
                             th::out<2>(out, {total, d}));
        th::check_close(out, expected, th::default_tol<T>(1e-4, 1e-4), {total, d});
      }
    }
}
