// Eager tests of examples/broadcast_matmul.tile.cpp against a double-precision triple loop,
// every batch against the same right operand.
#include "examples/broadcast_matmul.tile.cpp"

#include "helpers.hpp"

TEMPLATE_TEST_CASE("broadcast_matmul: x[b] @ y for every batch", "[eager][broadcast_matmul]", float, tl::bf16) {
  using T = TestType;
  // {batch, m, k, n}
  const std::vector<std::array<th::Index, 4>> shapes = {{1, 1, 1, 1}, {3, 1, 17, 1}, {2, 17, 1, 9},
                                                        {3, 9, 33, 7}, {2, 33, 70, 17}};
  std::uint32_t seed = 600;
  for (const auto& [batch, m, k, n] : shapes) {
    const auto x = th::random_buffer<T>(th::count({batch, m, k}), seed++);
    const auto y = th::random_buffer<T>(th::count({k, n}), seed++);
    std::vector<double> expected(th::count({batch, m, n}), 0.0);
    for (th::Index b = 0; b < batch; ++b)
      for (th::Index i = 0; i < m; ++i)
        for (th::Index j = 0; j < n; ++j) {
          double s = 0;
          for (th::Index c = 0; c < k; ++c)
            s += double(x.values[static_cast<std::size_t>((b * m + i) * k + c)]) * y.values[static_cast<std::size_t>(c * n + j)];
          expected[static_cast<std::size_t>((b * m + i) * n + j)] = s;
        }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({batch, m, k, n}, blocks));
      auto out = th::poisoned<T>(th::count({batch, m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      broadcast_matmul<T>(th::in<3>(x.data, {batch, m, k}), th::in<2>(y.data, {k, n}), th::out<3>(out, {batch, m, n}));
      // A float sum of k products of magnitude <= 1: about k ulps of 1 in the worst case.
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(k)), {batch, m, n});
    }
  }
}
