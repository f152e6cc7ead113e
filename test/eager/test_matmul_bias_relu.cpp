// Eager tests of examples/matmul_bias_relu.tile.cpp against relu(x @ y + bias) in double
// precision; about half the outputs are clamped to zero.
#include "examples/matmul_bias_relu.tile.cpp"

#include <algorithm>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("matmul_bias_relu: relu(x @ y + bias)", "[eager][matmul_bias_relu]", float, tl::bf16) {
  using T = TestType;
  // {m, k, n}
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1}, {1, 17, 1}, {17, 1, 17}, {9, 33, 7}, {33, 70, 65}};
  std::uint32_t seed = 700;
  for (const auto& [m, k, n] : shapes) {
    const auto x = th::random_buffer<T>(th::count({m, k}), seed++);
    const auto y = th::random_buffer<T>(th::count({k, n}), seed++);
    const auto bias = th::random_buffer<T>(static_cast<std::size_t>(n), seed++);
    std::vector<double> expected(th::count({m, n}));
    std::size_t clamped = 0;
    for (th::Index i = 0; i < m; ++i)
      for (th::Index j = 0; j < n; ++j) {
        double s = bias.values[static_cast<std::size_t>(j)];
        for (th::Index c = 0; c < k; ++c)
          s += double(x.values[static_cast<std::size_t>(i * k + c)]) * y.values[static_cast<std::size_t>(c * n + j)];
        clamped += s < 0;
        expected[static_cast<std::size_t>(i * n + j)] = std::max(s, 0.0);
      }
    if (m * n > 100) CHECK(clamped > 0);  // the relu is exercised
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, k, n}, blocks));
      auto out = th::poisoned<T>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      matmul_bias_relu<T>(th::in<2>(x.data, {m, k}), th::in<2>(y.data, {k, n}), th::in<1>(bias.data, {n}),
                          th::out<2>(out, {m, n}));
      // As matmul: a float sum of k + 1 terms of magnitude <= 1.
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(k + 1)), {m, n});
    }
  }
}
