// Eager tests of examples/embedding.tile.cpp: a gather must copy rows exactly.
#include "examples/embedding.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("embedding: gathers the rows named by the indices", "[eager][embedding]", float, tl::bf16) {
  using T = TestType;
  // (indices n, vocabulary, embedding dim d)
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1},     {1, 17, 33},   {17, 5, 1},
                                                        {17, 5, 33},   {100, 50, 64}, {1000, 300, 70}};
  std::uint32_t seed = 1400;
  for (const auto& [n, vocab, d] : shapes) {
    auto indices = th::random_indices(static_cast<std::size_t>(n), vocab, seed++);  // repeats included
    indices.front() = vocab - 1;
    const auto weight = th::random_buffer<T>(static_cast<std::size_t>(vocab * d), seed++);
    const auto expected = ref::embedding(indices, weight.values, d);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({n, vocab, d}, blocks) + " (indices, vocabulary, dim)");
      auto out = th::poisoned<T>(static_cast<std::size_t>(n * d));
      tl::eager::BlockSizeScope scope(blocks);
      embedding<T>(th::in<1>(indices, {n}), th::in<2>(weight.data, {vocab, d}), th::out<2>(out, {n, d}));
      th::check_equal(out, expected, {n, d});
    }
  }
}

TEST_CASE("embedding: an index outside the table raises ShapeError", "[eager][embedding]") {
  std::vector<float> weight(12, 1.0f), out(9);
  std::vector<std::int64_t> bad_high = {0, 4, 1}, bad_low = {0, -1, 1};
  CHECK_THROWS_AS(embedding<float>(th::in<1>(bad_high, {3}), th::in<2>(weight, {4, 3}), th::out<2>(out, {3, 3})),
                  tilecc::ShapeError);
  CHECK_THROWS_AS(embedding<float>(th::in<1>(bad_low, {3}), th::in<2>(weight, {4, 3}), th::out<2>(out, {3, 3})),
                  tilecc::ShapeError);
}
