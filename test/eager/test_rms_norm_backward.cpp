// Eager tests of examples/rms_norm_backward.tile.cpp against gradients taken in double
// precision by central differences of the forward RMS norm (loss = sum(dy * out)), which
// shares no formula with the kernel; dweight is the exact sum over rows.
#include "examples/rms_norm_backward.tile.cpp"

#include <cmath>

#include "helpers.hpp"

namespace {

/// sum_j dy[j] * x[j] / sqrt(mean(x^2) + eps) * w[j] for one row.
double rms_loss(const std::vector<double>& x, const std::vector<double>& w, const std::vector<double>& dy, double eps) {
  double ss = 0;
  for (double v : x) ss += v * v;
  const double r = 1.0 / std::sqrt(ss / double(x.size()) + eps);
  double loss = 0;
  for (std::size_t j = 0; j < x.size(); ++j) loss += dy[j] * x[j] * r * w[j];
  return loss;
}

}  // namespace

TEMPLATE_TEST_CASE("rms_norm_backward: dx and dweight match numerical gradients", "[eager][rms_norm_backward]",
                   float, tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {1, 17}, {17, 1}, {9, 33}, {33, 100}};
  const float eps = 1e-5f;
  std::uint32_t seed = 300;
  for (const auto& [m, n] : shapes) {
    const auto x = th::random_buffer<T>(th::count({m, n}), seed++, -2.0f, 2.0f);
    const auto w = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, -2.0f, 2.0f);
    const auto dy = th::random_buffer<T>(th::count({m, n}), seed++);
    std::vector<double> want_dx(th::count({m, n})), want_dw(static_cast<std::size_t>(n), 0.0);
    const std::vector<double> wv(w.values.begin(), w.values.end());
    for (th::Index i = 0; i < m; ++i) {
      const auto row = [&](const std::vector<float>& v) {
        return std::vector<double>(v.begin() + i * n, v.begin() + (i + 1) * n);
      };
      std::vector<double> xr = row(x.values);
      const std::vector<double> gr = row(dy.values);
      const double h = 1e-6;
      for (th::Index j = 0; j < n; ++j) {
        const double saved = xr[static_cast<std::size_t>(j)];
        xr[static_cast<std::size_t>(j)] = saved + h;
        const double up = rms_loss(xr, wv, gr, eps);
        xr[static_cast<std::size_t>(j)] = saved - h;
        const double down = rms_loss(xr, wv, gr, eps);
        xr[static_cast<std::size_t>(j)] = saved;
        want_dx[static_cast<std::size_t>(i * n + j)] = (up - down) / (2 * h);
      }
      double ss = 0;
      for (double v : xr) ss += v * v;
      const double r = 1.0 / std::sqrt(ss / double(n) + eps);
      for (th::Index j = 0; j < n; ++j) want_dw[static_cast<std::size_t>(j)] += gr[static_cast<std::size_t>(j)] * xr[static_cast<std::size_t>(j)] * r;
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto dx = th::poisoned<T>(th::count({m, n}));
      std::vector<float> dw(static_cast<std::size_t>(n), 0.0f);
      tl::eager::BlockSizeScope scope(blocks);
      rms_norm_backward<T>(th::in<2>(x.data, {m, n}), th::in<1>(w.data, {n}), th::in<2>(dy.data, {m, n}), eps,
                           th::out<2>(dx, {m, n}), th::out<1>(dw, {n}));
      // dx: the difference quotient is exact to ~1e-9; float noise of a row mean of up to 100
      // products, cancelling against dy * w (magnitude 2 times r, up to ~1/0.6), stays below
      // 1e-5; bf16 adds its rounding of the result. dweight is float for both types: a float
      // sum of at most 33 terms of magnitude below 4, so 1e-5 absolute is a few ulps.
      th::check_close(dx, want_dx, th::default_tol<T>(1e-4, 1e-5), {m, n});
      th::check_close(dw, want_dw, th::Tol{1e-5, 1e-5}, {n});
    }
  }
}
