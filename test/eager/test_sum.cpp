// Eager tests of examples/sum.tile.cpp (whole-row sums) against the reference.
#include "examples/sum.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("sum: row sums match the reference", "[eager][sum]", float, tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {13, 33}, {70, 257}, {300, 1000}};
  std::uint32_t seed = 300;
  for (const auto& [m, n] : shapes) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(m * n), seed++);
    const auto expected = ref::row_sum(x.values, m, n);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(static_cast<std::size_t>(m));
      tl::eager::BlockSizeScope scope(blocks);
      sum<T>(th::in<2>(x.data, {m, n}), th::out<1>(out, {m}));
      // float accumulation of n terms of magnitude <= 1
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(n)), {m});
    }
  }
}

TEST_CASE("sum: a wrong output size fails TILECC_CHECK", "[eager][sum]") {
  std::vector<float> x(6, 1.0f), out(3);
  CHECK_THROWS_AS(sum<float>(th::in<2>(x, {2, 3}), th::out<1>(out, {3})), tilecc::CheckError);
}
