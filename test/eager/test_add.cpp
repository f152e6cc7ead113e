// Eager tests of examples/add.tile.cpp against the plain-loop reference.
#include "examples/add.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("add: x + y matches the reference", "[eager][add]", float, tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {17, 33}, {65, 130}, {200, 301}};
  std::uint32_t seed = 100;
  for (const auto& [m, n] : shapes) {
    const auto size = static_cast<std::size_t>(m * n);
    const auto x = th::random_buffer<T>(size, seed++);
    const auto y = th::random_buffer<T>(size, seed++);
    const auto expected = ref::add(x.values, y.values);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(size);
      tl::eager::BlockSizeScope scope(blocks);
      add<T>(th::in<2>(x.data, {m, n}), th::in<2>(y.data, {m, n}), th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-6, 1e-7), {m, n});
    }
  }
}

TEST_CASE("add: mismatched shapes fail TILECC_CHECK", "[eager][add]") {
  std::vector<float> x(6, 1.0f), y(6, 2.0f), out(6);
  CHECK_THROWS_AS(add<float>(th::in<2>(x, {2, 3}), th::in<2>(y, {3, 2}), th::out<2>(out, {2, 3})),
                  tilecc::CheckError);
  CHECK_THROWS_AS(add<float>(th::in<2>(x, {2, 3}), th::in<2>(y, {2, 3}), th::out<2>(out, {6, 1})),
                  tilecc::CheckError);
}
