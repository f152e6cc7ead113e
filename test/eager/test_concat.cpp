// Eager tests of examples/concat.tile.cpp: [x | y] along columns, element for element.
#include "examples/concat.tile.cpp"

#include "helpers.hpp"

TEMPLATE_TEST_CASE("concat: y's columns follow x's", "[eager][concat]", float, tl::bf16) {
  std::uint32_t seed = 900;
  for (const auto& [m, n1, n2] : std::vector<std::array<th::Index, 3>>{{1, 1, 1}, {3, 17, 5}, {9, 1, 40}, {33, 64, 65}}) {
    const auto x = th::random_buffer<TestType>(static_cast<std::size_t>(m * n1), seed++);
    const auto y = th::random_buffer<TestType>(static_cast<std::size_t>(m * n2), seed++);
    std::vector<double> expected;
    for (th::Index i = 0; i < m; ++i) {
      for (th::Index j = 0; j < n1; ++j) expected.push_back(x.values[static_cast<std::size_t>(i * n1 + j)]);
      for (th::Index j = 0; j < n2; ++j) expected.push_back(y.values[static_cast<std::size_t>(i * n2 + j)]);
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<TestType>({m, n1, n2}, blocks));
      auto out = th::poisoned<TestType>(static_cast<std::size_t>(m * (n1 + n2)));
      tl::eager::BlockSizeScope scope(blocks);
      concat<TestType>(th::in<2>(x.data, {m, n1}), th::in<2>(y.data, {m, n2}), th::out<2>(out, {m, n1 + n2}));
      th::check_close(out, expected, th::Tol{0.0, 0.0}, {m, n1 + n2});
    }
  }
}
