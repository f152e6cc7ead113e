// Eager tests of examples/jagged_softmax.tile.cpp: each batch's columns normalized over its
// rows, against plain double loops; empty batches, one-row batches, batches longer than a tile.
#include "examples/jagged_softmax.tile.cpp"

#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("jagged_softmax: softmax down each batch's rows", "[eager][jagged_softmax]", float, tl::bf16) {
  using T = TestType;
  const std::vector<std::vector<std::int64_t>> batch_lengths = {{1}, {0, 3, 0}, {5, 0, 70, 1, 0}, {0}};
  std::uint32_t seed = 5100;
  for (const auto& lengths : batch_lengths)
    for (const th::Index d : {1, 9, 33}) {
      std::vector<std::int64_t> offsets = {0};
      for (std::int64_t n : lengths) offsets.push_back(offsets.back() + n);
      const th::Index total = offsets.back(), batches = static_cast<th::Index>(lengths.size());
      // Values up to +-8: exponentials far from 1, so a missing max shift or rescale shows.
      const auto values = th::random_buffer<T>(static_cast<std::size_t>(total * d), seed++, -8.0f, 8.0f);
      std::vector<double> expected(static_cast<std::size_t>(total * d));
      for (th::Index b = 0; b < batches; ++b)
        for (th::Index c = 0; c < d; ++c) {
          double mx = -INFINITY, s = 0;
          for (th::Index r = offsets[b]; r < offsets[b + 1]; ++r) mx = std::max<double>(mx, values.values[r * d + c]);
          for (th::Index r = offsets[b]; r < offsets[b + 1]; ++r) s += std::exp(values.values[r * d + c] - mx);
          for (th::Index r = offsets[b]; r < offsets[b + 1]; ++r)
            expected[static_cast<std::size_t>(r * d + c)] = std::exp(values.values[r * d + c] - mx) / s;
        }
      for (const auto& blocks : th::block_configs()) {
        INFO(th::context<T>({total, d}, blocks) << ", batches " << batches);
        auto out = th::poisoned<T>(static_cast<std::size_t>(total * d));
        tl::eager::BlockSizeScope scope(blocks);
        jagged_softmax<T>(th::in<1>(offsets, {batches + 1}), th::in<2>(values.data, {total, d}),
                          th::out<2>(out, {total, d}));
        th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6), {total, d});
      }
    }
}
