// Eager tests of examples/cross_entropy.tile.cpp against the plain-loop reference.
#include "examples/cross_entropy.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("cross_entropy: per-row loss matches the reference", "[eager][cross_entropy]", float,
                   tl::bf16) {
  using T = TestType;
  // (rows n, vocabulary v)
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {17, 5}, {33, 100}, {128, 1000}};
  std::uint32_t seed = 1100;
  for (const auto& [n, v] : shapes) {
    const auto logits = th::random_buffer<T>(static_cast<std::size_t>(n * v), seed++, -8.0f, 8.0f);
    auto labels = th::random_indices(static_cast<std::size_t>(n), v, seed++);
    labels.front() = v - 1;  // both ends of the vocabulary
    labels.back() = 0;
    const auto expected = ref::cross_entropy(logits.values, labels, n, v);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({n, v}, blocks) + " (rows, vocabulary)");
      auto loss = th::poisoned<float>(static_cast<std::size_t>(n));
      tl::eager::BlockSizeScope scope(blocks);
      cross_entropy<T>(th::in<2>(logits.data, {n, v}), th::in<1>(labels, {n}), th::out<1>(loss, {n}));
      // The loss is fp32 for every T: inputs are exact, so f32 tolerances hold for bf16 too.
      th::check_close(loss, expected, th::Tol{1e-5, 1e-5}, {n});
    }
  }
}

TEST_CASE("cross_entropy: labels of the wrong length fail TILECC_CHECK", "[eager][cross_entropy]") {
  std::vector<float> logits(6, 1.0f), loss(2);
  std::vector<std::int64_t> labels(3, 0);
  CHECK_THROWS_AS(cross_entropy<float>(th::in<2>(logits, {2, 3}), th::in<1>(labels, {3}), th::out<1>(loss, {2})),
                  tilecc::CheckError);
}
