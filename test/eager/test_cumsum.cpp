// Eager tests of examples/cumsum.tile.cpp against running sums and maxima in double precision.
#include "examples/cumsum.tile.cpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "helpers.hpp"

namespace {
const std::vector<std::array<th::Index, 2>> kShapes = {{1, 1}, {1, 33}, {17, 1}, {9, 70}, {33, 257}};
}

TEMPLATE_TEST_CASE("cumsum: running sums along rows", "[eager][cumsum]", float, tl::bf16) {
  using T = TestType;
  std::uint32_t seed = 2100;
  for (const auto& [m, n] : kShapes) {
    const auto x = th::random_buffer<T>(th::count({m, n}), seed++);
    std::vector<double> expected(th::count({m, n}));
    for (th::Index i = 0; i < m; ++i) {
      double s = 0;
      for (th::Index j = 0; j < n; ++j) expected[static_cast<std::size_t>(i * n + j)] = s += x.values[i * n + j];
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      cumsum<T>(th::in<2>(x.data, {m, n}), th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(n)), {m, n});
    }
  }
}

TEST_CASE("cumsum: cumsum_cols carries each tile's sum into the next", "[eager][cumsum]") {
  std::uint32_t seed = 2200;
  for (const auto& [m, n] : kShapes) {
    const auto x = th::random_buffer<float>(th::count({m, n}), seed++);
    std::vector<double> expected(th::count({m, n}));
    for (th::Index j = 0; j < n; ++j) {
      double s = 0;
      for (th::Index i = 0; i < m; ++i) expected[static_cast<std::size_t>(i * n + j)] = s += x.values[i * n + j];
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({m, n}, blocks));
      auto out = th::poisoned<float>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      cumsum_cols<float>(th::in<2>(x.data, {m, n}), th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<float>(1e-5, 1e-6 * double(m)), {m, n});
    }
  }
}

TEST_CASE("cumsum: cummax keeps the running maximum, a NaN staying from where it appears", "[eager][cumsum]") {
  std::uint32_t seed = 2300;
  for (const auto& [m, n] : kShapes) {
    auto x = th::random_buffer<float>(th::count({m, n}), seed++);
    if (n > 5) x.data[3] = x.values[3] = std::numeric_limits<float>::quiet_NaN();  // row 0 from column 3
    std::vector<double> expected(th::count({m, n}));
    for (th::Index i = 0; i < m; ++i) {
      double best = -INFINITY;
      for (th::Index j = 0; j < n; ++j) {
        const double v = x.values[i * n + j];
        if (!std::isnan(best) && (std::isnan(v) || v > best)) best = v;
        expected[static_cast<std::size_t>(i * n + j)] = best;
      }
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({m, n}, blocks));
      auto out = th::poisoned<float>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      cummax<float>(th::in<2>(x.data, {m, n}), th::out<2>(out, {m, n}));
      for (std::size_t i = 0; i < out.size(); ++i) {
        INFO("element " << i);
        if (std::isnan(expected[i]))
          CHECK(std::isnan(out[i]));
        else
          CHECK(out[i] == expected[i]);
      }
    }
  }
  // Integers: exact, the identity is the type's lowest value.
  std::vector<std::int32_t> xi = {5, -3, 7, 7, -100, 9}, oi(6);
  cummax<tl::i32>(th::in<2>(xi, {2, 3}), th::out<2>(oi, {2, 3}));
  CHECK(oi == std::vector<std::int32_t>{5, 5, 7, 7, 7, 9});
}

TEST_CASE("cumsum: a scan along a dimension the tile lacks raises ShapeError", "[eager][cumsum]") {
  const tl::Tile<float> t(tl::Shape{2, 3}, 1.0f);
  CHECK_THROWS_AS(tl::cumsum(t, 2), tl::ShapeError);
  CHECK(tl::cumsum(t, -1).at(5) == 3.0f);
  CHECK(tl::cumsum(t, 0).at(5) == 2.0f);
}
