// Eager tests of examples/layer_norm.tile.cpp against the plain-loop reference.
#include "examples/layer_norm.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

TEMPLATE_TEST_CASE("layer_norm: matches the reference", "[eager][layer_norm]", float, tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {9, 33}, {33, 100}, {128, 1000}};
  const float eps = 1e-5f;
  std::uint32_t seed = 700;
  for (const auto& [m, n] : shapes) {
    // Rows with an offset, so that the mean matters.
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(m * n), seed++, -1.0f, 3.0f);
    const auto w = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, -2.0f, 2.0f);
    const auto b = th::random_buffer<T>(static_cast<std::size_t>(n), seed++);
    const auto expected = ref::layer_norm(x.values, w.values, b.values, m, n, eps);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(static_cast<std::size_t>(m * n));
      tl::eager::BlockSizeScope scope(blocks);
      layer_norm<T>(th::in<2>(x.data, {m, n}), th::in<1>(w.data, {n}), th::in<1>(b.data, {n}), eps,
                    th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 2e-5), {m, n});
    }
  }
}

TEST_CASE("layer_norm: a weight of the wrong length fails TILECC_CHECK", "[eager][layer_norm]") {
  std::vector<float> x(6, 1.0f), w(2, 1.0f), b(3, 0.0f), out(6);
  CHECK_THROWS_AS(layer_norm<float>(th::in<2>(x, {2, 3}), th::in<1>(w, {2}), th::in<1>(b, {3}), 1e-5f,
                                    th::out<2>(out, {2, 3})),
                  tilecc::CheckError);
}
