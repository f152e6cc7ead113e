// Eager semantics of tiles of rank 3 and 4 (test/kernels/rank3.tile.cpp) against plain loops:
// elementwise math, reductions along each of the three dimensions, broadcasts into rank 4,
// tl::permute of loaded tiles, a scan along the last dimension.
#include "test/kernels/rank3.tile.cpp"

#include <cmath>

#include "helpers.hpp"

namespace {
const std::vector<std::array<th::Index, 3>> kShapes = {{1, 1, 1}, {3, 17, 33}, {5, 1, 70}, {9, 65, 7}};
}  // namespace

TEST_CASE("rank 3: elementwise math over three tile dimensions", "[eager][rank3]") {
  std::uint32_t seed = 3100;
  for (const auto& [b, m, n] : kShapes) {
    const auto x = th::random_buffer<float>(th::count({b, m, n}), seed++);
    const auto y = th::random_buffer<float>(th::count({b, m, n}), seed++);
    std::vector<double> want(x.values.size());
    for (std::size_t i = 0; i < want.size(); ++i) want[i] = double(x.values[i]) * 1.5 + y.values[i];
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({b, m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto out = th::poisoned<float>(th::count({b, m, n}));
      scale_add3<float>(th::in<3>(x.data, {b, m, n}), th::in<3>(y.data, {b, m, n}), 1.5f, th::out<3>(out, {b, m, n}));
      th::check_close(out, want, th::default_tol<float>(), {b, m, n});
    }
  }
}

TEST_CASE("rank 3: reductions along the last, middle and leading dimensions", "[eager][rank3]") {
  std::uint32_t seed = 3200;
  for (const auto& [b, m, n] : kShapes) {
    const auto x = th::random_buffer<float>(th::count({b, m, n}), seed++);
    auto at = [&](th::Index i, th::Index j, th::Index k) { return double(x.values[(i * m + j) * n + k]); };
    std::vector<double> rows(th::count({b, m}), 0.0), cols(th::count({b, n}), -INFINITY), mean(th::count({m, n}), 0.0);
    for (th::Index i = 0; i < b; ++i)
      for (th::Index j = 0; j < m; ++j)
        for (th::Index k = 0; k < n; ++k) {
          rows[i * m + j] += at(i, j, k);
          cols[i * n + k] = std::max(cols[i * n + k], at(i, j, k));
          mean[j * n + k] += at(i, j, k) / double(b);
        }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({b, m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto out_rows = th::poisoned<float>(th::count({b, m}));
      row_sum3<float>(th::in<3>(x.data, {b, m, n}), th::out<2>(out_rows, {b, m}));
      th::check_close(out_rows, rows, th::default_tol<float>(), {b, m});
      auto out_cols = th::poisoned<float>(th::count({b, n}));
      col_max3<float>(th::in<3>(x.data, {b, m, n}), th::out<2>(out_cols, {b, n}));
      th::check_equal(out_cols, cols, {b, n});
      auto out_mean = th::poisoned<float>(th::count({m, n}));
      batch_mean3<float>(th::in<3>(x.data, {b, m, n}), th::out<2>(out_mean, {m, n}));
      th::check_close(out_mean, mean, th::default_tol<float>(), {m, n});
    }
  }
}

TEST_CASE("rank 3: a softmax along the last dimension of a rank-3 tile", "[eager][rank3]") {
  std::uint32_t seed = 3300;
  for (const auto& [b, m, n] : kShapes) {
    const auto x = th::random_buffer<float>(th::count({b, m, n}), seed++, -4.0f, 4.0f);
    std::vector<double> want(x.values.size());
    for (th::Index r = 0; r < b * m; ++r) {
      double hi = -INFINITY, total = 0;
      for (th::Index k = 0; k < n; ++k) hi = std::max(hi, double(x.values[r * n + k]));
      for (th::Index k = 0; k < n; ++k) total += std::exp(double(x.values[r * n + k]) - hi);
      for (th::Index k = 0; k < n; ++k) want[r * n + k] = std::exp(double(x.values[r * n + k]) - hi) / total;
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({b, m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto out = th::poisoned<float>(th::count({b, m, n}));
      softmax3<float>(th::in<3>(x.data, {b, m, n}), th::out<3>(out, {b, m, n}));
      th::check_close(out, want, th::default_tol<float>(1e-5, 1e-6), {b, m, n});
    }
  }
}

TEST_CASE("rank 4: a rank-2 bias broadcast into a rank-4 tile", "[eager][rank3]") {
  const th::Index a = 2, b = 3, m = 17, n = 33;
  const auto x = th::random_buffer<float>(th::count({a, b, m, n}), 3400);
  const auto bias = th::random_buffer<float>(th::count({m, n}), 3401);
  std::vector<double> want(x.values.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    want[i] = std::max(0.0, double(x.values[i]) + bias.values[i % static_cast<std::size_t>(m * n)]);
  for (const auto& blocks : th::block_configs()) {
    INFO(th::context<float>({a, b, m, n}, blocks));
    tl::eager::BlockSizeScope scope(blocks);
    auto out = th::poisoned<float>(th::count({a, b, m, n}));
    bias_add4<float>(th::in<4>(x.data, {a, b, m, n}), th::in<2>(bias.data, {m, n}), th::out<4>(out, {a, b, m, n}));
    th::check_close(out, want, th::default_tol<float>(), {a, b, m, n});
  }
}

TEST_CASE("rank 3: tl::permute of loaded tiles feeding elementwise math and stores", "[eager][rank3]") {
  std::uint32_t seed = 3500;
  for (const auto& [b, m, n] : kShapes) {
    const auto x = th::random_buffer<float>(th::count({b, m, n}), seed++);
    const auto y = th::random_buffer<float>(th::count({b, n, m}), seed++);
    std::vector<double> want_t(x.values.size()), want_r(x.values.size());
    for (th::Index i = 0; i < b; ++i)
      for (th::Index j = 0; j < m; ++j)
        for (th::Index k = 0; k < n; ++k) {
          const double v = x.values[(i * m + j) * n + k];
          want_t[(i * n + k) * m + j] = v * 2 + y.values[(i * n + k) * m + j];
          want_r[(k * b + i) * m + j] = v;
        }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({b, m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto out_t = th::poisoned<float>(th::count({b, n, m}));
      transpose3<float>(th::in<3>(x.data, {b, m, n}), th::in<3>(y.data, {b, n, m}), th::out<3>(out_t, {b, n, m}));
      th::check_close(out_t, want_t, th::default_tol<float>(), {b, n, m});
      auto out_r = th::poisoned<float>(th::count({n, b, m}));
      rotate3<float>(th::in<3>(x.data, {b, m, n}), th::out<3>(out_r, {n, b, m}));
      th::check_equal(out_r, want_r, {n, b, m});
    }
  }
}

TEST_CASE("rank 3: a running sum along the last dimension", "[eager][rank3]") {
  std::uint32_t seed = 3600;
  for (const auto& [b, m, n] : kShapes) {
    const auto x = th::random_buffer<float>(th::count({b, m, n}), seed++);
    std::vector<double> want(x.values.size());
    for (th::Index r = 0; r < b * m; ++r) {
      double run = 0;
      for (th::Index k = 0; k < n; ++k) want[r * n + k] = run += x.values[r * n + k];
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({b, m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto out = th::poisoned<float>(th::count({b, m, n}));
      cumsum3<float>(th::in<3>(x.data, {b, m, n}), th::out<3>(out, {b, m, n}));
      th::check_close(out, want, th::default_tol<float>(1e-5, 1e-5), {b, m, n});
    }
  }
}

TEST_CASE("rank 4: a sum along the first dimension, added atomically across its tiles", "[eager][rank3]") {
  const std::vector<std::array<th::Index, 4>> shapes = {{1, 1, 1, 1}, {5, 2, 17, 33}, {70, 3, 9, 2}};
  std::uint32_t seed = 3700;
  for (const auto& [a, b, m, n] : shapes) {
    const auto x = th::random_buffer<float>(th::count({a, b, m, n}), seed++);
    std::vector<double> want(th::count({b, m, n}), 0.0);
    for (th::Index i = 0; i < a; ++i)
      for (std::size_t r = 0; r < want.size(); ++r) want[r] += x.values[static_cast<std::size_t>(i) * want.size() + r];
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({a, b, m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      std::vector<float> out(th::count({b, m, n}), 0.0f);
      sum_first4<float>(th::in<4>(x.data, {a, b, m, n}), th::out<3>(out, {b, m, n}));
      th::check_close(out, want, th::default_tol<float>(1e-5, 1e-5), {b, m, n});
    }
  }
}
