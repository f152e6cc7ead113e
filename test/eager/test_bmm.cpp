// Eager tests of examples/bmm.tile.cpp against the plain-loop reference.
#include "examples/bmm.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("bmm: batched x @ y matches the reference", "[eager][bmm]", float, tl::bf16) {
  using T = TestType;
  // (batch, m, k, n)
  const std::vector<std::array<th::Index, 4>> shapes = {{1, 1, 1, 1}, {1, 1, 17, 1}, {3, 5, 7, 9},
                                                        {2, 17, 33, 16}, {4, 31, 40, 29}};
  std::uint32_t seed = 1000;
  for (const auto& [batch, m, k, n] : shapes) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(batch * m * k), seed++);
    const auto y = th::random_buffer<T>(static_cast<std::size_t>(batch * k * n), seed++);
    const auto expected = ref::bmm(x.values, y.values, batch, m, k, n);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({batch, m, k, n}, blocks) + " (batch, m, k, n)");
      auto out = th::poisoned<T>(static_cast<std::size_t>(batch * m * n));
      tl::eager::BlockSizeScope scope(blocks);
      bmm<T>(th::in<3>(x.data, {batch, m, k}), th::in<3>(y.data, {batch, k, n}),
             th::out<3>(out, {batch, m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(k)), {batch, m, n});
    }
  }
}

TEST_CASE("bmm: mismatched batch sizes fail TILECC_CHECK", "[eager][bmm]") {
  std::vector<float> x(12, 1.0f), y(6, 1.0f), out(8);
  CHECK_THROWS_AS(bmm<float>(th::in<3>(x, {2, 2, 3}), th::in<3>(y, {1, 3, 2}), th::out<3>(out, {2, 2, 2})),
                  tilecc::CheckError);
}
