// Eager tests of examples/long_sum.tile.cpp (row sums over column tiles).
#include "examples/long_sum.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("long_sum: row sums over column tiles match the reference", "[eager][long_sum]", float,
                   tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {3, 1000}, {31, 129}, {257, 1025}};
  std::uint32_t seed = 400;
  for (const auto& [m, n] : shapes) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(m * n), seed++);
    const auto expected = ref::row_sum(x.values, m, n);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(static_cast<std::size_t>(m));
      tl::eager::BlockSizeScope scope(blocks);
      long_sum<T>(th::in<2>(x.data, {m, n}), th::out<1>(out, {m}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(n)), {m});
    }
  }
}

TEST_CASE("long_sum: rows of length 0 sum to 0", "[eager][long_sum]") {
  std::vector<float> x;
  std::vector<float> out(3, std::numeric_limits<float>::quiet_NaN());
  long_sum<float>(th::in<2>(x, {3, 0}), th::out<1>(out, {3}));
  th::check_equal(out, {0.0, 0.0, 0.0}, {3});
}
