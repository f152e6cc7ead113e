// Eager tests of examples/matmul_layernorm.tile.cpp against layer_norm(x @ y) * weight + bias
// in double precision.
#include "examples/matmul_layernorm.tile.cpp"

#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("matmul_layernorm: rows of x @ y layer-normed", "[eager][matmul_layernorm]", float, tl::bf16) {
  using T = TestType;
  // {m, k, n}
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 2}, {17, 9, 7}, {33, 70, 65}, {3, 5, 300}};
  const float eps = 1e-5f;
  std::uint32_t seed = 2700;
  for (const auto& [m, k, n] : shapes) {
    const auto x = th::random_buffer<T>(th::count({m, k}), seed++);
    const auto y = th::random_buffer<T>(th::count({k, n}), seed++);
    const auto w = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, 0.5f, 1.5f);
    const auto bias = th::random_buffer<T>(static_cast<std::size_t>(n), seed++);
    std::vector<double> expected(th::count({m, n}));
    for (th::Index i = 0; i < m; ++i) {
      std::vector<double> p(static_cast<std::size_t>(n));
      double mean = 0, var = 0;
      for (th::Index j = 0; j < n; ++j) {
        for (th::Index q = 0; q < k; ++q) p[j] += double(x.values[i * k + q]) * y.values[q * n + j];
        mean += p[j] / double(n);
      }
      for (th::Index j = 0; j < n; ++j) var += (p[j] - mean) * (p[j] - mean) / double(n);
      for (th::Index j = 0; j < n; ++j)
        expected[static_cast<std::size_t>(i * n + j)] =
            (p[j] - mean) / std::sqrt(var + eps) * w.values[j] + bias.values[j];
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, k, n}, blocks));
      auto out = th::poisoned<T>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      matmul_layernorm<T>(th::in<2>(x.data, {m, k}), th::in<2>(y.data, {k, n}), th::in<1>(w.data, {n}),
                          th::in<1>(bias.data, {n}), eps, th::out<2>(out, {m, n}));
      // Normalized values are O(1); float sums of k products, then a division by the row's spread.
      th::check_close(out, expected, th::default_tol<T>(1e-4, 1e-4), {m, n});
    }
  }
}
