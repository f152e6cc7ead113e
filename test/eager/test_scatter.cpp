// Eager semantics of scatters and atomic max / min (test/kernels/scatter.tile.cpp): stores
// and atomic updates through gathered rows and columns, repeated indices, NaN, *_like.
#include "test/kernels/scatter.tile.cpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "helpers.hpp"

namespace {
/// A permutation of 0 .. n - 1, deterministic for a seed.
std::vector<std::int64_t> permutation(std::int64_t n, std::uint32_t seed) {
  std::vector<std::int64_t> p(static_cast<std::size_t>(n));
  std::iota(p.begin(), p.end(), 0);
  std::shuffle(p.begin(), p.end(), std::mt19937(seed));
  return p;
}
const std::vector<std::array<th::Index, 2>> kShapes = {{1, 1}, {17, 1}, {9, 33}, {70, 65}};
}  // namespace

TEST_CASE("scatter: rows and columns go where their indices say", "[eager][scatter]") {
  std::uint32_t seed = 2800;
  for (const auto& [n, d] : kShapes) {
    const auto x = th::random_buffer<float>(th::count({n, d}), seed++);
    const auto rows = permutation(n, seed++), cols = permutation(d, seed++);
    std::vector<double> want_rows(th::count({n, d})), want_cols(th::count({n, d}));
    for (th::Index i = 0; i < n; ++i)
      for (th::Index j = 0; j < d; ++j) {
        want_rows[static_cast<std::size_t>(rows[i] * d + j)] = x.values[i * d + j];
        want_cols[static_cast<std::size_t>(i * d + cols[j])] = x.values[i * d + j];
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({n, d}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto out = th::poisoned<float>(th::count({n, d}));
      scatter_rows<float>(th::in<1>(rows, {n}), th::in<2>(x.data, {n, d}), th::out<2>(out, {n, d}));
      th::check_equal(out, want_rows, {n, d});
      out = th::poisoned<float>(th::count({n, d}));
      scatter_cols<float>(th::in<1>(cols, {d}), th::in<2>(x.data, {n, d}), th::out<2>(out, {n, d}));
      th::check_equal(out, want_cols, {n, d});
    }
  }
}

TEST_CASE("scatter: atomic add, max and min accumulate repeated indices", "[eager][scatter]") {
  std::uint32_t seed = 2900;
  for (const auto& [n, d] : kShapes) {
    const th::Index targets = 5;
    const auto x = th::random_buffer<float>(th::count({n, d}), seed++);
    const auto ids = th::random_indices(static_cast<std::size_t>(n), targets, seed++);
    const auto init = th::random_buffer<float>(th::count({targets, d}), seed++);
    std::vector<double> sum(init.values.begin(), init.values.end()), hi = sum, lo = sum;
    for (th::Index i = 0; i < n; ++i)
      for (th::Index j = 0; j < d; ++j) {
        const auto at = static_cast<std::size_t>(ids[i] * d + j);
        const double v = x.values[i * d + j];
        sum[at] += v;
        hi[at] = std::max(hi[at], v);
        lo[at] = std::min(lo[at], v);
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<float>({n, d}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto out = init.data;
      scatter_add<float>(th::in<1>(ids, {n}), th::in<2>(x.data, {n, d}), th::out<2>(out, {targets, d}));
      th::check_close(out, sum, th::default_tol<float>(1e-5, 1e-6 * double(n)), {targets, d});
      out = init.data;
      scatter_max<float>(th::in<1>(ids, {n}), th::in<2>(x.data, {n, d}), th::out<2>(out, {targets, d}));
      th::check_equal(out, hi, {targets, d});
      out = init.data;
      scatter_min<float>(th::in<1>(ids, {n}), th::in<2>(x.data, {n, d}), th::out<2>(out, {targets, d}));
      th::check_equal(out, lo, {targets, d});
    }
  }
}

TEST_CASE("scatter: atomic max / min of integers, bf16 and NaN", "[eager][scatter]") {
  std::vector<std::int64_t> ids = {1, 0, 1};
  std::vector<std::int32_t> xi = {4, -7, 9, 2, 3, -8}, oi = {0, 0, 5, 5};
  scatter_max<tl::i32>(th::in<1>(ids, {3}), th::in<2>(xi, {3, 2}), th::out<2>(oi, {2, 2}));
  CHECK(oi == std::vector<std::int32_t>{9, 2, 5, 5});
  std::vector<std::int64_t> xl = {4, -7, 9, 2, 3, -8}, ol = {0, 0, 5, 5};
  scatter_min<tl::i64>(th::in<1>(ids, {3}), th::in<2>(xl, {3, 2}), th::out<2>(ol, {2, 2}));
  CHECK(ol == std::vector<std::int64_t>{0, 0, 3, -8});
  std::vector<tl::bf16> xb = {tl::bf16(1.5f), tl::bf16(-2.0f), tl::bf16(0.25f),
                              tl::bf16(8.0f), tl::bf16(3.0f),  tl::bf16(-1.0f)},
                        ob(4, tl::bf16(0.0f));
  scatter_max<tl::bf16>(th::in<1>(ids, {3}), th::in<2>(xb, {3, 2}), th::out<2>(ob, {2, 2}));
  CHECK(tl::convert<float>(ob[0]) == 0.25f);
  CHECK(tl::convert<float>(ob[1]) == 8.0f);
  CHECK(tl::convert<float>(ob[2]) == 3.0f);
  CHECK(tl::convert<float>(ob[3]) == 0.0f);
  // A NaN wins on either side and stays.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> xf = {nan, 1.0f, 2.0f, 3.0f}, of = {0.0f, nan};
  std::vector<std::int64_t> one = {0, 0};
  scatter_max<float>(th::in<1>(one, {2}), th::in<2>(xf, {2, 2}), th::out<2>(of, {1, 2}));
  CHECK(std::isnan(of[0]));
  CHECK(std::isnan(of[1]));
}

TEST_CASE("scatter: atomic max / min of tiles fold every tile into one row", "[eager][scatter]") {
  const th::Index m = 37, d = 19;
  const auto x = th::random_buffer<float>(th::count({m, d}), 3000);
  std::vector<double> hi(static_cast<std::size_t>(d), -INFINITY), lo(static_cast<std::size_t>(d), INFINITY);
  for (th::Index i = 0; i < m; ++i)
    for (th::Index j = 0; j < d; ++j) {
      hi[j] = std::max(hi[j], double(x.values[i * d + j]));
      lo[j] = std::min(lo[j], double(x.values[i * d + j]));
    }
  for (const auto& blocks : th::block_configs()) {
    tl::eager::BlockSizeScope scope(blocks);
    std::vector<float> h(static_cast<std::size_t>(d), -INFINITY), l(static_cast<std::size_t>(d), INFINITY);
    tile_max_min<float>(th::in<2>(x.data, {m, d}), th::out<1>(h, {d}), th::out<1>(l, {d}));
    th::check_equal(h, hi, {d});
    th::check_equal(l, lo, {d});
  }
}

TEST_CASE("scatter: full_like and zeros_like take the tile's shape and type", "[eager][scatter]") {
  const auto x = th::random_buffer<float>(th::count({9, 13}), 3100);
  std::vector<float> out(th::count({9, 13}));
  like_fill<float>(th::in<2>(x.data, {9, 13}), 2.5f, th::out<2>(out, {9, 13}));
  CHECK(std::all_of(out.begin(), out.end(), [](float v) { return v == 2.5f; }));
  const tl::Tile<tl::i32> t(tl::Shape{2, 3}, 7);
  CHECK(tl::full_like(t, 2.9).at(4) == 2);  // converted to the tile's type
  CHECK(tl::zeros_like(t).shape() == t.shape());
}

TEST_CASE("scatter: an index outside the target raises ShapeError", "[eager][scatter]") {
  std::vector<float> x(6, 1.0f), out(6);
  std::vector<std::int64_t> bad = {0, 3, 1};
  CHECK_THROWS_AS(scatter_rows<float>(th::in<1>(bad, {3}), th::in<2>(x, {3, 2}), th::out<2>(out, {3, 2})),
                  tl::ShapeError);
  CHECK_THROWS_AS(scatter_max<float>(th::in<1>(bad, {3}), th::in<2>(x, {3, 2}), th::out<2>(out, {3, 2})),
                  tl::ShapeError);
}
