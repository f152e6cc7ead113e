// Eager tests of examples/jagged.tile.cpp: sums and means over the rows of each batch of a
// jagged tensor, against plain double loops, with empty batches and batches longer than a tile.
#include "examples/jagged.tile.cpp"

#include "helpers.hpp"

namespace {

template <class T>
void check_jagged(bool mean, std::uint32_t seed) {
  // Batch lengths: empty batches first, last and between; one longer than any eager block.
  const std::vector<std::vector<std::int64_t>> batch_lengths = {{1}, {0, 3, 0}, {5, 0, 70, 1, 0}, {0}};
  for (const auto& lengths : batch_lengths)
    for (const th::Index d : {1, 9, 33}) {
      std::vector<std::int64_t> offsets = {0};
      for (std::int64_t n : lengths) offsets.push_back(offsets.back() + n);
      const th::Index total = offsets.back(), batches = static_cast<th::Index>(lengths.size());
      const auto values = th::random_buffer<T>(static_cast<std::size_t>(std::max<th::Index>(total * d, 1)), seed++);
      std::vector<double> expected(static_cast<std::size_t>(batches * d), 0.0);
      for (th::Index b = 0; b < batches; ++b)
        for (th::Index c = 0; c < d; ++c) {
          double s = 0;
          for (th::Index r = offsets[b]; r < offsets[b + 1]; ++r) s += values.values[static_cast<std::size_t>(r * d + c)];
          const th::Index rows = offsets[b + 1] - offsets[b];
          expected[static_cast<std::size_t>(b * d + c)] = mean ? s / double(std::max<th::Index>(rows, 1)) : s;
        }
      std::vector<T> data = values.data;
      data.resize(static_cast<std::size_t>(total * d));
      for (const auto& blocks : th::block_configs()) {
        INFO(th::context<T>({batches, d}, blocks) << ", total rows " << total);
        auto out = th::poisoned<T>(static_cast<std::size_t>(batches * d));
        tl::eager::BlockSizeScope scope(blocks);
        const auto off = th::in<1>(offsets, {batches + 1});
        const auto vals = th::in<2>(data, {total, d});
        if (mean) jagged_mean<T>(off, vals, th::out<2>(out, {batches, d}));
        else jagged_sum<T>(off, vals, th::out<2>(out, {batches, d}));
        th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-5), {batches, d});
      }
    }
}

}  // namespace

TEMPLATE_TEST_CASE("jagged_sum: each batch's rows summed", "[eager][jagged]", float, tl::bf16) {
  check_jagged<TestType>(false, 700);
}

TEMPLATE_TEST_CASE("jagged_mean: each batch's rows averaged, empty batches 0", "[eager][jagged]", float, tl::bf16) {
  check_jagged<TestType>(true, 800);
}
