// Eager tests of examples/exp.tile.cpp against the plain-loop reference.
#include "examples/exp.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("exp: exp(x) matches the reference", "[eager][exp]", float, tl::bf16) {
  using T = TestType;
  const std::vector<th::Index> sizes = {1, 17, 63, 100, 1000, 10007};
  std::uint32_t seed = 200;
  for (const th::Index n : sizes) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, -6.0f, 6.0f);
    const auto expected = ref::exp(x.values);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({n}, blocks));
      auto out = th::poisoned<T>(static_cast<std::size_t>(n));
      tl::eager::BlockSizeScope scope(blocks);
      exp<T>(th::in<1>(x.data, {n}), th::out<1>(out, {n}));
      th::check_close(out, expected, th::default_tol<T>(1e-6, 0.0), {n});
    }
  }
}

TEST_CASE("exp: mismatched sizes fail TILECC_CHECK", "[eager][exp]") {
  std::vector<float> x(5, 1.0f), out(4);
  CHECK_THROWS_AS(exp<float>(th::in<1>(x, {5}), th::out<1>(out, {4})), tilecc::CheckError);
}
