// Eager tests of examples/matmul.tile.cpp against the plain-loop reference.
#include "examples/matmul.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("matmul: x @ y matches the reference", "[eager][matmul]", float, tl::bf16) {
  using T = TestType;
  // (m, k, n)
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1},   {1, 17, 1},  {17, 1, 17},
                                                        {5, 33, 7},  {33, 17, 65}, {70, 70, 70}};
  std::uint32_t seed = 900;
  for (const auto& [m, k, n] : shapes) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(m * k), seed++);
    const auto y = th::random_buffer<T>(static_cast<std::size_t>(k * n), seed++);
    const auto expected = ref::matmul(x.values, y.values, m, k, n);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, k, n}, blocks) + " (m, k, n)");
      auto out = th::poisoned<T>(static_cast<std::size_t>(m * n));
      tl::eager::BlockSizeScope scope(blocks);
      matmul<T>(th::in<2>(x.data, {m, k}), th::in<2>(y.data, {k, n}), th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(k)), {m, n});
    }
  }
}

TEST_CASE("matmul: mismatched inner dimensions fail TILECC_CHECK", "[eager][matmul]") {
  std::vector<float> x(6, 1.0f), y(8, 1.0f), out(8);
  CHECK_THROWS_AS(matmul<float>(th::in<2>(x, {2, 3}), th::in<2>(y, {2, 4}), th::out<2>(out, {2, 4})),
                  tilecc::CheckError);
}
