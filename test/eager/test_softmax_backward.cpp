// Eager tests of examples/softmax_backward.tile.cpp against the softmax Jacobian applied in
// double precision: dx_j = sum_k dy_k * dy_k/dx_j = sum_k dy_k * y_k * (delta_jk - y_j), with y
// a true softmax of random logits, so the reference does not reuse the kernel's formula.
#include "examples/softmax_backward.tile.cpp"

#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("softmax_backward: the Jacobian-vector product of softmax", "[eager][softmax_backward]", float,
                   tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {9, 33}, {33, 100}};
  std::uint32_t seed = 200;
  for (const auto& [m, n] : shapes) {
    const auto logits = th::random_buffer<float>(th::count({m, n}), seed++, -3.0f, 3.0f);
    std::vector<T> y(th::count({m, n}));
    std::vector<double> yv(y.size());
    for (th::Index i = 0; i < m; ++i) {
      double sum = 0;
      for (th::Index j = 0; j < n; ++j) sum += std::exp(double(logits.values[static_cast<std::size_t>(i * n + j)]));
      for (th::Index j = 0; j < n; ++j) {
        const auto at = static_cast<std::size_t>(i * n + j);
        y[at] = tl::convert<T>(float(std::exp(double(logits.values[at])) / sum));
        yv[at] = tl::convert<float>(y[at]);  // the stored probabilities, exactly
      }
    }
    const auto dy = th::random_buffer<T>(th::count({m, n}), seed++, -2.0f, 2.0f);
    std::vector<double> expected(th::count({m, n}), 0.0);
    for (th::Index i = 0; i < m; ++i)
      for (th::Index j = 0; j < n; ++j) {
        double s = 0;
        for (th::Index k = 0; k < n; ++k) {
          const double jac = yv[static_cast<std::size_t>(i * n + k)] * ((j == k ? 1.0 : 0.0) - yv[static_cast<std::size_t>(i * n + j)]);
          s += dy.values[static_cast<std::size_t>(i * n + k)] * jac;
        }
        expected[static_cast<std::size_t>(i * n + j)] = s;
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto dx = th::poisoned<T>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      softmax_backward<T>(th::in<2>(y, {m, n}), th::in<2>(dy.data, {m, n}), th::out<2>(dx, {m, n}));
      // dy - sum(dy * y) cancels; its terms are at most 2 in magnitude, so the absolute error
      // is bounded by a few float ulps of 2 (f32), or by bf16's rounding of the result (2^-9
      // relative) plus float noise (bf16).
      th::check_close(dx, expected, th::default_tol<T>(1e-5, 2e-6), {m, n});
    }
  }
}
