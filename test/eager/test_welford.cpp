// Eager tests of examples/welford.tile.cpp against a two-pass layer norm in double precision,
// with rows longer than any eager block (several merges) and a large offset, where a sum of
// squares in float would lose the variance.
#include "examples/welford.tile.cpp"

#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("welford: layer norm with streamed statistics matches the reference", "[eager][welford]", float,
                   tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {9, 33}, {5, 200}, {3, 1000}};
  const float eps = 1e-5f;
  std::uint32_t seed = 500;
  for (const auto& [m, n] : shapes) {
    // Values in [60, 68]: mean ~64, spread ~2.3; E[x^2] - mean^2 in float would lose ~3 digits.
    const auto x = th::random_buffer<T>(th::count({m, n}), seed++, 60.0f, 68.0f);
    const auto w = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, -2.0f, 2.0f);
    const auto b = th::random_buffer<T>(static_cast<std::size_t>(n), seed++);
    std::vector<double> expected(th::count({m, n}));
    for (th::Index i = 0; i < m; ++i) {
      double mean = 0, var = 0;
      for (th::Index j = 0; j < n; ++j) mean += x.values[static_cast<std::size_t>(i * n + j)];
      mean /= double(n);
      for (th::Index j = 0; j < n; ++j) {
        const double c = x.values[static_cast<std::size_t>(i * n + j)] - mean;
        var += c * c;
      }
      var /= double(n);
      for (th::Index j = 0; j < n; ++j) {
        const auto at = static_cast<std::size_t>(i * n + j);
        expected[at] = (x.values[at] - mean) / std::sqrt(var + eps) * w.values[static_cast<std::size_t>(j)] +
                       b.values[static_cast<std::size_t>(j)];
      }
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      welford<T>(th::in<2>(x.data, {m, n}), th::in<1>(w.data, {n}), th::in<1>(b.data, {n}), eps,
                 th::out<2>(out, {m, n}));
      // x - mean in float loses bits of x's magnitude 64 (ulp 8e-6) against a spread of ~2.3:
      // ~4e-6 relative on the normalized value, times |w| <= 2, plus float noise of the
      // running mean over up to 1000 columns; 2e-4 absolute leaves margin. bf16: one rounding.
      th::check_close(out, expected, th::default_tol<T>(1e-4, 2e-4), {m, n});
    }
  }
}
