// Eager tests of examples/jagged_dense_add.tile.cpp against plain loops over the padded dense
// form: empty batches, batches shorter than, as long as and longer than max_len (rows dropped).
#include "examples/jagged_dense_add.tile.cpp"

#include "helpers.hpp"

namespace {

template <class T>
void check_jagged_dense_add(std::uint32_t seed) {
  const std::vector<std::vector<std::int64_t>> batch_lengths = {{1}, {0, 3, 0}, {5, 0, 70, 1, 0}, {0}, {9, 12, 8}};
  for (const auto& lengths : batch_lengths)
    for (const th::Index max_len : {1, 9, 40})
      for (const th::Index d : {1, 9, 33}) {
        std::vector<std::int64_t> offsets = {0};
        for (std::int64_t n : lengths) offsets.push_back(offsets.back() + n);
        const th::Index total = offsets.back(), batches = static_cast<th::Index>(lengths.size());
        const auto values = th::random_buffer<T>(static_cast<std::size_t>(std::max<th::Index>(total * d, 1)), seed++);
        const auto dense = th::random_buffer<T>(th::count({batches, max_len, d}), seed++);
        std::vector<double> expected(th::count({batches, max_len, d}));
        for (th::Index b = 0; b < batches; ++b)
          for (th::Index r = 0; r < max_len; ++r)
            for (th::Index c = 0; c < d; ++c) {
              const auto at = static_cast<std::size_t>((b * max_len + r) * d + c);
              const th::Index row = offsets[b] + r;
              const double jag = row < offsets[b + 1] ? double(values.values[static_cast<std::size_t>(row * d + c)]) : 0.0;
              expected[at] = dense.values[at] + jag;
            }
        std::vector<T> data = values.data;
        data.resize(static_cast<std::size_t>(total * d));
        for (const auto& blocks : th::block_configs()) {
          INFO(th::context<T>({batches, max_len, d}, blocks) << ", total rows " << total);
          auto out = th::poisoned<T>(th::count({batches, max_len, d}));
          tl::eager::BlockSizeScope scope(blocks);
          jagged_dense_add<T>(th::in<1>(offsets, {batches + 1}), th::in<2>(data, {total, d}),
                              th::in<3>(dense.data, {batches, max_len, d}), th::out<3>(out, {batches, max_len, d}));
          // One float addition rounded to T: exact in double for f32 inputs up to one rounding.
          th::check_close(out, expected, th::default_tol<T>(1e-7, 0.0), {batches, max_len, d});
        }
      }
}

}  // namespace

TEMPLATE_TEST_CASE("jagged_dense_add: dense plus the zero-padded jagged tensor", "[eager][jagged_dense_add]", float,
                   tl::bf16) {
  check_jagged_dense_add<TestType>(900);
}
