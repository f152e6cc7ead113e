// Eager tests of examples/squeeze_and_excitation.tile.cpp: c = relu(x @ a), d = sigmoid(c @ b),
// out = x * d, each stage against double precision from the previous stage's stored values.
#include "examples/squeeze_and_excitation.tile.cpp"

#include <algorithm>
#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("squeeze_and_excitation: relu, sigmoid gate, product", "[eager][squeeze_and_excitation]", float,
                   tl::bf16) {
  using T = TestType;
  // {m, n, k}
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1}, {17, 9, 7}, {33, 65, 20}};
  std::uint32_t seed = 2600;
  for (const auto& [m, n, k] : shapes) {
    const auto x = th::random_buffer<T>(th::count({m, n}), seed++);
    const auto a = th::random_buffer<T>(th::count({n, k}), seed++);
    const auto b = th::random_buffer<T>(th::count({k, n}), seed++);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n, k}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto c = th::poisoned<T>(th::count({m, k}));
      se_squeeze<T>(th::in<2>(x.data, {m, n}), th::in<2>(a.data, {n, k}), th::out<2>(c, {m, k}));
      std::vector<double> want_c(th::count({m, k}));
      for (th::Index i = 0; i < m; ++i)
        for (th::Index j = 0; j < k; ++j) {
          double s = 0;
          for (th::Index p = 0; p < n; ++p) s += double(x.values[i * n + p]) * a.values[p * k + j];
          want_c[static_cast<std::size_t>(i * k + j)] = std::max(s, 0.0);
        }
      th::check_close(c, want_c, th::default_tol<T>(1e-5, 1e-6 * double(n)), {m, k});

      auto d = th::poisoned<T>(th::count({m, n})), out = th::poisoned<T>(th::count({m, n}));
      se_excite<T>(th::in<2>(x.data, {m, n}), th::in<2>(c, {m, k}), th::in<2>(b.data, {k, n}), th::out<2>(d, {m, n}),
                   th::out<2>(out, {m, n}));
      std::vector<double> want_d(th::count({m, n})), want_out(th::count({m, n}));
      for (th::Index i = 0; i < m; ++i)
        for (th::Index j = 0; j < n; ++j) {
          double s = 0;
          for (th::Index p = 0; p < k; ++p) s += double(tl::convert<float>(c[i * k + p])) * b.values[p * n + j];
          // The product is rounded to T before the sigmoid, as the kernel (and a matmul in T) does.
          const double g = 1 / (1 + std::exp(-double(tl::convert<float>(tl::convert<T>(float(s))))));
          want_d[static_cast<std::size_t>(i * n + j)] = g;
          want_out[static_cast<std::size_t>(i * n + j)] = double(x.values[i * n + j]) * g;
        }
      th::check_close(d, want_d, th::default_tol<T>(1e-5, 1e-6 * double(k)), {m, n});
      th::check_close(out, want_out, th::default_tol<T>(1e-5, 1e-6 * double(k)), {m, n});
    }
  }
}
