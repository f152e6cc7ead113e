// Eager tests of examples/low_mem_dropout.tile.cpp against a double-precision reference whose
// mask comes from Philox4x32-10 (checked against the Random123 known answers in test_random.cpp).
#include "examples/low_mem_dropout.tile.cpp"

#include "helpers.hpp"

namespace {
/// x / (1 - p) where rand(seed, i) > p, else 0, in double.
std::vector<double> dropout_reference(const std::vector<float>& x, double p, std::int64_t seed) {
  std::vector<double> out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double u = static_cast<double>(tl::rng::draw(static_cast<std::uint64_t>(seed), i).w[0] >> 8) / 16777216.0;
    out[i] = u > p ? x[i] / (1.0 - p) : 0.0;
  }
  return out;
}
}  // namespace

TEMPLATE_TEST_CASE("low_mem_dropout matches the reference at any block size", "[eager][low_mem_dropout]", float,
                   tl::bf16) {
  using T = TestType;
  std::uint32_t seed = 7100;
  for (const th::Index n : {1, 17, 1000, 4099}) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, -3.0f, 3.0f);
    for (const float p : {0.0f, 0.25f, 0.9f}) {
      const auto expected = dropout_reference(x.values, p, 42 + n);
      for (const auto& blocks : th::block_configs()) {
        INFO(th::context<T>({n}, blocks) << ", p " << p);
        auto out = th::poisoned<T>(static_cast<std::size_t>(n));
        tl::eager::BlockSizeScope scope(blocks);
        low_mem_dropout<T>(p, 42 + n, th::in<1>(x.data, {n}), th::out<1>(out, {n}));
        th::check_close(out, expected, th::default_tol<T>(1e-6, 0.0), {n});
      }
    }
  }
}

TEST_CASE("low_mem_dropout keeps about 1 - p of the elements, and another seed gives another mask",
          "[eager][low_mem_dropout]") {
  const th::Index n = 20000;
  const std::vector<float> x(static_cast<std::size_t>(n), 1.0f);
  std::vector<float> a(x.size()), b(x.size());
  low_mem_dropout<float>(0.25f, 1, th::in<1>(x, {n}), th::out<1>(a, {n}));
  low_mem_dropout<float>(0.25f, 2, th::in<1>(x, {n}), th::out<1>(b, {n}));
  const auto kept = static_cast<double>(std::count_if(a.begin(), a.end(), [](float v) { return v != 0.0f; }));
  CHECK(kept / static_cast<double>(n) == Approx(0.75).margin(0.015));  // sd 0.003
  CHECK(a != b);
  for (float v : a) REQUIRE((v == 0.0f || v == Approx(1.0f / 0.75f)));
}
