// Eager tests of examples/layer_norm_backward.tile.cpp against gradients taken in double
// precision by central differences of the forward layer norm (loss = sum(dy * out)), which
// shares no formula with the kernel; dweight and dbias are the exact sums over rows.
#include "examples/layer_norm_backward.tile.cpp"

#include <cmath>

#include "helpers.hpp"

namespace {

/// Normalized row: (x - mean) / sqrt(var + eps), biased variance.
std::vector<double> normalize(const std::vector<double>& x, double eps) {
  double mean = 0, var = 0;
  for (double v : x) mean += v;
  mean /= double(x.size());
  for (double v : x) var += (v - mean) * (v - mean);
  var /= double(x.size());
  std::vector<double> out;
  for (double v : x) out.push_back((v - mean) / std::sqrt(var + eps));
  return out;
}

/// sum_j dy[j] * (xhat[j] * w[j] + b[j]) for one row; the bias does not depend on x.
double ln_loss(const std::vector<double>& x, const std::vector<double>& w, const std::vector<double>& dy, double eps) {
  const auto xhat = normalize(x, eps);
  double loss = 0;
  for (std::size_t j = 0; j < x.size(); ++j) loss += dy[j] * xhat[j] * w[j];
  return loss;
}

}  // namespace

TEMPLATE_TEST_CASE("layer_norm_backward: dx, dweight and dbias match numerical gradients",
                   "[eager][layer_norm_backward]", float, tl::bf16) {
  using T = TestType;
  // n >= 2: a row of one element normalizes to 0 whatever x is (dx = 0), kept with {17, 1}.
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 2}, {1, 17}, {17, 1}, {9, 33}, {33, 100}};
  const float eps = 1e-5f;
  std::uint32_t seed = 400;
  for (const auto& [m, n] : shapes) {
    // Rows with an offset, so that the mean matters.
    const auto x = th::random_buffer<T>(th::count({m, n}), seed++, -1.0f, 3.0f);
    const auto w = th::random_buffer<T>(static_cast<std::size_t>(n), seed++, -2.0f, 2.0f);
    const auto dy = th::random_buffer<T>(th::count({m, n}), seed++);
    std::vector<double> want_dx(th::count({m, n})), want_dw(static_cast<std::size_t>(n), 0.0),
        want_db(static_cast<std::size_t>(n), 0.0);
    const std::vector<double> wv(w.values.begin(), w.values.end());
    for (th::Index i = 0; i < m; ++i) {
      std::vector<double> xr(x.values.begin() + i * n, x.values.begin() + (i + 1) * n);
      const std::vector<double> gr(dy.values.begin() + i * n, dy.values.begin() + (i + 1) * n);
      // Step relative to the row's spread (the variance of a 2-element row can be small).
      const double h = 1e-7;
      for (th::Index j = 0; j < n; ++j) {
        const auto at = static_cast<std::size_t>(j);
        const double saved = xr[at];
        xr[at] = saved + h;
        const double up = ln_loss(xr, wv, gr, eps);
        xr[at] = saved - h;
        const double down = ln_loss(xr, wv, gr, eps);
        xr[at] = saved;
        want_dx[static_cast<std::size_t>(i * n + j)] = (up - down) / (2 * h);
      }
      const auto xhat = normalize(xr, eps);
      for (std::size_t j = 0; j < xr.size(); ++j) {
        want_dw[j] += gr[j] * xhat[j];
        want_db[j] += gr[j];
      }
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto dx = th::poisoned<T>(th::count({m, n}));
      std::vector<float> dw(static_cast<std::size_t>(n), 0.0f), db(static_cast<std::size_t>(n), 0.0f);
      tl::eager::BlockSizeScope scope(blocks);
      layer_norm_backward<T>(th::in<2>(x.data, {m, n}), th::in<1>(w.data, {n}), th::in<2>(dy.data, {m, n}), eps,
                             th::out<2>(dx, {m, n}), th::out<1>(dw, {n}), th::out<1>(db, {n}));
      // dx: rstd can reach ~1/0.3 for short rows and the three terms cancel; float noise of
      // the row means stays near 1e-5 of the terms (magnitude <= 2 * rstd), the difference
      // quotient within 1e-7. dweight and dbias are float sums of at most 33 terms (|xhat|
      // below sqrt(n)), so 1e-5 relative and absolute is a few ulps.
      th::check_close(dx, want_dx, th::default_tol<T>(1e-4, 5e-5), {m, n});
      th::check_close(dw, want_dw, th::Tol{1e-5, 1e-5}, {n});
      th::check_close(db, want_db, th::Tol{1e-5, 1e-5}, {n});
    }
  }
}
