// Eager tests of examples/geglu.tile.cpp against the plain-loop reference.
#include "examples/geglu.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("geglu: gelu(a) * b matches the reference", "[eager][geglu]", float, tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {17, 33}, {65, 130}, {200, 301}};
  std::uint32_t seed = 1200;
  for (const auto& [m, n] : shapes) {
    const auto size = static_cast<std::size_t>(m * n);
    const auto a = th::random_buffer<T>(size, seed++, -5.0f, 5.0f);
    const auto b = th::random_buffer<T>(size, seed++, -2.0f, 2.0f);
    const auto expected = ref::geglu(a.values, b.values);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(size);
      tl::eager::BlockSizeScope scope(blocks);
      geglu<T>(th::in<2>(a.data, {m, n}), th::in<2>(b.data, {m, n}), th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6), {m, n});
    }
  }
}

TEST_CASE("geglu: mismatched shapes fail TILECC_CHECK", "[eager][geglu]") {
  std::vector<float> a(6, 1.0f), b(6, 1.0f), out(6);
  CHECK_THROWS_AS(geglu<float>(th::in<2>(a, {2, 3}), th::in<2>(b, {3, 2}), th::out<2>(out, {2, 3})),
                  tilecc::CheckError);
}
