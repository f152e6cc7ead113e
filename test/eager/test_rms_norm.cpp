// Eager tests of examples/rms_norm.tile.cpp against the plain-loop reference.
#include "examples/rms_norm.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("rms_norm: matches the reference", "[eager][rms_norm]", float, tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {9, 33}, {33, 100}, {128, 1000}};
  const float eps = 1e-6f;
  std::uint32_t seed = 800;
  for (const auto& [m, n] : shapes) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(m * n), seed++, -2.0f, 2.0f);
    const auto w = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, -2.0f, 2.0f);
    const auto expected = ref::rms_norm(x.values, w.values, m, n, eps);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(static_cast<std::size_t>(m * n));
      tl::eager::BlockSizeScope scope(blocks);
      rms_norm<T>(th::in<2>(x.data, {m, n}), th::in<1>(w.data, {n}), eps, th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-5), {m, n});
    }
  }
}

TEST_CASE("rms_norm: eps keeps an all-zero row finite", "[eager][rms_norm]") {
  std::vector<float> x(8, 0.0f), w(4, 1.0f);
  auto out = th::poisoned<float>(8);
  rms_norm<float>(th::in<2>(x, {2, 4}), th::in<1>(w, {4}), 1e-6f, th::out<2>(out, {2, 4}));
  th::check_equal(out, std::vector<double>(8, 0.0), {2, 4});
}
