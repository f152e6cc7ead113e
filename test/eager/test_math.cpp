// Eager tests of the math, bit and remainder ops (include/tilecc/lang/ops.hpp, tile_value.hpp):
// tables of exact values (ties, signed zeros, NaN, negative operands), then the kernels of
// test/kernels/math_ops.tile.cpp under every eager block configuration against the C library.
#include "test/kernels/math_ops.tile.cpp"

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "helpers.hpp"

namespace {

using th::Index;

template <class T>
tl::Tile<T> row(const std::vector<double>& v) {
  tl::Tile<T> t(tl::Shape{static_cast<Index>(v.size())});
  for (std::size_t i = 0; i < v.size(); ++i) t.set(static_cast<Index>(i), tl::convert<T>(v[i]));
  return t;
}
template <class T>
std::vector<double> values(const tl::Tile<T>& t) {
  std::vector<double> v;
  for (Index i = 0; i < t.numel(); ++i) v.push_back(tl::convert<double>(t.at(i)));
  return v;
}
/// Equal values, NaN equal to NaN, and the same sign of zero.
void check_same(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", expected " << want[i]);
    if (std::isnan(want[i])) CHECK(std::isnan(got[i]));
    else CHECK((got[i] == want[i] && std::signbit(got[i]) == std::signbit(want[i])));
  }
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEMPLATE_TEST_CASE("rounding: floor, ceil, trunc, and round with ties to even", "[eager][math]", float, double,
                   tl::bf16) {
  using T = TestType;
  const std::vector<double> x = {-2.5, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.5, 2.75, -2.75, 3.0, kInf, -kInf, kNaN};
  const auto t = row<T>(x);
  check_same(values(tl::floor(t)), {-3, -2, -1, -0.0, 0, 0, 1, 2, 2, -3, 3, kInf, -kInf, kNaN});
  check_same(values(tl::ceil(t)), {-2, -1, -0.0, -0.0, 0, 1, 2, 3, 3, -2, 3, kInf, -kInf, kNaN});
  check_same(values(tl::trunc(t)), {-2, -1, -0.0, -0.0, 0, 0, 1, 2, 2, -2, 3, kInf, -kInf, kNaN});
  check_same(values(tl::round(t)), {-2, -2, -0.0, -0.0, 0, 0, 2, 2, 3, -3, 3, kInf, -kInf, kNaN});
  check_same(values(tl::sign(t)), {-1, -1, -1, -0.0, 0, 1, 1, 1, 1, -1, 1, 1, -1, kNaN});
}

TEST_CASE("rounding of integer tiles returns them; sign of integers is -1, 0, 1", "[eager][math]") {
  const auto t = row<tl::i32>({-7, 0, 9});
  check_same(values(tl::floor(t)), {-7, 0, 9});
  check_same(values(tl::round(t)), {-7, 0, 9});
  check_same(values(tl::sign(t)), {-1, 0, 1});
  STATIC_REQUIRE(std::is_same_v<decltype(tl::ceil(t)), tl::Tile<tl::i32>>);
}

TEST_CASE("round agrees with nearbyint in the default rounding mode on random floats", "[eager][math]") {
  REQUIRE(std::fegetround() == FE_TONEAREST);
  const auto b = th::random_buffer<float>(4096, 77, -64.0f, 64.0f);
  tl::Tile<float> t(tl::Shape{4096});
  for (Index i = 0; i < 4096; ++i) t.set(i, std::round(b.values[static_cast<std::size_t>(i)] * 4.0f) / 4.0f);  // many ties
  const auto r = tl::round(t);
  for (Index i = 0; i < 4096; ++i) REQUIRE(r.at(i) == std::nearbyint(t.at(i)));
}

TEST_CASE("fma rounds once; clamp propagates NaN and gives hi when lo > hi", "[eager][math]") {
  // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: the product alone rounds the 2^-24 away (a tie, to even).
  const float a = 1.0f + std::ldexp(1.0f, -12), c = -(1.0f + std::ldexp(1.0f, -11));
  const auto fa = tl::Tile<float>::scalar(a);
  CHECK(tl::fma(fa, fa, c).item() == std::ldexp(1.0f, -24));
  CHECK((fa * fa + c).item() == 0.0f);
  CHECK(tl::fma(fa, 2.0, 1).item() == 2 * a + 1);

  const auto x = row<float>({-2, -0.25, 0.5, 3, kNaN});
  check_same(values(tl::clamp(x, -1.0f, 1.0f)), {-1, -0.25, 0.5, 1, kNaN});
  check_same(values(tl::clamp(x, 1.0f, -1.0f)), {-1, -1, -1, -1, kNaN});
  check_same(values(tl::clamp(x, row<float>({0, 0, 0, 0, 0}), 2.0f)), {0, 0, 0.5, 2, kNaN});
  check_same(values(tl::clamp(row<tl::i32>({-5, 3, 9}), 0, 4)), {0, 3, 4});
}

TEST_CASE("log1p, expm1, sin, cos against the C library in double", "[eager][math]") {
  const std::vector<double> x = {-0.75, -1e-7, 0.0, 1e-7, 0.3, 2.0, 10.0};
  const auto t = row<float>(x);
  const auto l = values(tl::log1p(t)), e = values(tl::expm1(t)), s = values(tl::sin(t)), c = values(tl::cos(t));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double v = static_cast<float>(x[i]);
    CHECK(l[i] == Approx(std::log1p(v)).epsilon(1e-6).margin(1e-30));
    CHECK(e[i] == Approx(std::expm1(v)).epsilon(1e-6).margin(1e-30));
    CHECK(s[i] == Approx(std::sin(v)).epsilon(1e-6).margin(1e-7));
    CHECK(c[i] == Approx(std::cos(v)).epsilon(1e-6).margin(1e-7));
  }
  CHECK(values(tl::log1p(row<float>({1e-10})))[0] == Approx(1e-10).epsilon(1e-6));  // where log(1 + x) gives 0
}

TEST_CASE("integer / and % truncate toward zero (C, torch.fmod); float % is fmod", "[eager][math]") {
  const auto a = row<tl::i32>({7, -7, 7, -7, 0}), b = row<tl::i32>({2, 2, -2, -2, 3});
  check_same(values(a / b), {3, -3, -3, 3, 0});
  check_same(values(a % b), {1, -1, 1, -1, 0});
  check_same(values(row<float>({7.5, -7.5, 7.5}) % row<float>({2, 2, -2})), {1.5, -1.5, 1.5});
  check_same(values(row<tl::i64>({-9}) % 4), {-1});
  const tl::i64 lowest = std::numeric_limits<tl::i64>::min();
  tl::Tile<tl::i64> low(tl::Shape{1}, lowest);
  CHECK((low / tl::i64{-1}).at(0) == lowest);  // wraps, as on the GPU
  CHECK((low % tl::i64{-1}).at(0) == 0);
  CHECK_THROWS_AS(a / 0, tl::ShapeError);
  CHECK_THROWS_AS(a % row<tl::i32>({1, 1, 0, 1, 1}), tl::ShapeError);
}

TEST_CASE("bit operations and shifts of integer tiles", "[eager][math]") {
  const auto a = row<tl::i32>({0x0f0f, -1, 6, -16}), b = row<tl::i32>({0x00ff, 0x1234, 3, 2});
  check_same(values(a & b), {0x000f, 0x1234, 2, 0});
  check_same(values(a | b), {0x0fff, -1, 7, -14});
  check_same(values(a ^ b), {0x0ff0, -0x1235, 5, -14});
  check_same(values(~a), {-0x0f10, 0, -7, 15});
  const auto n = row<tl::i32>({4, 31, 1, 2});
  check_same(values(a << n), {0xf0f0, -2147483648.0, 12, -64});
  check_same(values(a >> n), {0xf0, -1, 3, -4});  // arithmetic: -16 >> 2 == -4
  check_same(values(row<tl::i64>({1}) << 40), {1099511627776.0});
  check_same(values(row<tl::i8>({-128}) >> 7), {-1});
  CHECK_THROWS_AS(a << 32, tl::ShapeError);
  CHECK_THROWS_AS(a >> -1, tl::ShapeError);
  STATIC_REQUIRE(std::is_same_v<decltype(row<tl::i32>({1}) & row<tl::i64>({1})), tl::Tile<tl::i64>>);
  // & and | of bool tiles stay logical.
  check_same(values(row<bool>({1, 0}) & row<bool>({1, 1})), {1, 0});
}

namespace {
template <class T>
std::vector<double> map(const std::vector<float>& x, double (*f)(double)) {
  std::vector<double> out;
  for (float v : x) out.push_back(tl::convert<double>(tl::convert<T>(f(v))));
  return out;
}
}  // namespace

TEMPLATE_TEST_CASE("the rounding and smooth-math kernels match the C library at odd shapes", "[eager][math]", float,
                   tl::bf16) {
  using T = TestType;
  for (const auto& [m, n] : std::vector<std::array<Index, 2>>{{1, 1}, {17, 33}, {65, 130}}) {
    const auto size = static_cast<std::size_t>(m * n);
    auto x = th::random_buffer<T>(size, 4100 + static_cast<std::uint32_t>(m), -6.0f, 6.0f);
    for (std::size_t i = 0; i < size; i += 7) {  // exact ties too
      x.data[i] = tl::convert<T>(std::round(x.values[i]) + 0.5f);
      x.values[i] = tl::convert<float>(x.data[i]);
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto f = th::poisoned<T>(size), c = th::poisoned<T>(size), r = th::poisoned<T>(size), t = th::poisoned<T>(size),
           s = th::poisoned<T>(size);
      rounding<T>(th::in<2>(x.data, {m, n}), th::out<2>(f, {m, n}), th::out<2>(c, {m, n}), th::out<2>(r, {m, n}),
                  th::out<2>(t, {m, n}), th::out<2>(s, {m, n}));
      th::check_equal(f, map<T>(x.values, [](double v) { return std::floor(v); }), {m, n});
      th::check_equal(c, map<T>(x.values, [](double v) { return std::ceil(v); }), {m, n});
      th::check_equal(r, map<T>(x.values, [](double v) { return std::nearbyint(v); }), {m, n});
      th::check_equal(t, map<T>(x.values, [](double v) { return std::trunc(v); }), {m, n});
      th::check_equal(s, map<T>(x.values, [](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : v; }), {m, n});
      auto l = th::poisoned<T>(size), e = th::poisoned<T>(size), si = th::poisoned<T>(size), co = th::poisoned<T>(size);
      smooth<T>(th::in<2>(x.data, {m, n}), th::out<2>(l, {m, n}), th::out<2>(e, {m, n}), th::out<2>(si, {m, n}),
                th::out<2>(co, {m, n}));
      const th::Tol tol = th::default_tol<T>(1e-6, 1e-6);
      th::check_close(l, map<double>(x.values, [](double v) { return std::log1p(std::fabs(v)); }), tol, {m, n});
      th::check_close(e, map<double>(x.values, [](double v) { return std::expm1(v); }), tol, {m, n});
      th::check_close(si, map<double>(x.values, [](double v) { return std::sin(v); }), tol, {m, n});
      th::check_close(co, map<double>(x.values, [](double v) { return std::cos(v); }), tol, {m, n});
    }
  }
}

TEST_CASE("the fma, clamp and remainder kernel matches plain loops at odd shapes", "[eager][math]") {
  const Index m = 19, n = 37;
  const auto size = static_cast<std::size_t>(m * n);
  const auto x = th::random_buffer<float>(size, 501, -2.0f, 2.0f), y = th::random_buffer<float>(size, 502, -2.0f, 2.0f),
             z = th::random_buffer<float>(size, 503, -2.0f, 2.0f);
  const auto lo = th::random_buffer<float>(static_cast<std::size_t>(m), 504, -1.0f, 0.5f);
  std::vector<double> want_fma(size), want_clamp(size), want_rows(size), want_rem(size);
  for (std::size_t i = 0; i < size; ++i) {
    const double a = x.values[i];
    want_fma[i] = std::fma(x.values[i], y.values[i], z.values[i]);
    want_clamp[i] = std::min(std::max(a, -0.5), 0.75);
    want_rows[i] = std::min(std::max(a, static_cast<double>(lo.values[i / static_cast<std::size_t>(n)])), 1.0);
    want_rem[i] = std::fmod(x.values[i], y.values[i]);
  }
  for (const auto& blocks : th::block_configs()) {
    INFO(th::context<float>({m, n}, blocks));
    tl::eager::BlockSizeScope scope(blocks);
    auto f = th::poisoned<float>(size), c = th::poisoned<float>(size), cr = th::poisoned<float>(size),
         r = th::poisoned<float>(size);
    ternary<float>(th::in<2>(x.data, {m, n}), th::in<2>(y.data, {m, n}), th::in<2>(z.data, {m, n}),
                   th::in<1>(lo.data, {m}), th::out<2>(f, {m, n}), th::out<2>(c, {m, n}), th::out<2>(cr, {m, n}),
                   th::out<2>(r, {m, n}));
    th::check_equal(f, want_fma, {m, n});
    th::check_equal(c, want_clamp, {m, n});
    th::check_equal(cr, want_rows, {m, n});
    th::check_equal(r, want_rem, {m, n});
  }
}

TEMPLATE_TEST_CASE("the integer bits kernel matches plain loops at odd shapes", "[eager][math]", tl::i32, tl::i64) {
  using I = TestType;
  const Index m = 13, n = 29;
  const auto size = static_cast<std::size_t>(m * n);
  std::vector<I> a(size), b(size);
  std::mt19937 rng(909);
  std::uniform_int_distribution<long long> dist(-100000, 100000);
  for (std::size_t i = 0; i < size; ++i) {
    a[i] = static_cast<I>(dist(rng));
    do b[i] = static_cast<I>(dist(rng) % 1000); while (b[i] == 0);
  }
  std::vector<std::vector<double>> want(8, std::vector<double>(size));
  for (std::size_t i = 0; i < size; ++i) {
    const long long x = a[i], y = b[i], k = y & 15;
    want[0][i] = static_cast<double>(static_cast<I>(x & y));
    want[1][i] = static_cast<double>(static_cast<I>(x | y));
    want[2][i] = static_cast<double>(static_cast<I>(x ^ y));
    want[3][i] = static_cast<double>(static_cast<I>(~x));
    want[4][i] = static_cast<double>(static_cast<I>(x * (1LL << k)));  // no overflow at these sizes
    want[5][i] = static_cast<double>(static_cast<I>(x >= 0 ? x / (1LL << k) : -((-x + (1LL << k) - 1) / (1LL << k))));
    want[6][i] = static_cast<double>(x / y);
    want[7][i] = static_cast<double>(x % y);
  }
  for (const auto& blocks : th::block_configs()) {
    INFO("eager block sizes " << th::join(blocks));
    tl::eager::BlockSizeScope scope(blocks);
    std::vector<std::vector<I>> got(8, std::vector<I>(size, I{123}));
    bits<I>(th::in<2>(a, {m, n}), th::in<2>(b, {m, n}), th::out<2>(got[0], {m, n}), th::out<2>(got[1], {m, n}),
            th::out<2>(got[2], {m, n}), th::out<2>(got[3], {m, n}), th::out<2>(got[4], {m, n}),
            th::out<2>(got[5], {m, n}), th::out<2>(got[6], {m, n}), th::out<2>(got[7], {m, n}));
    for (std::size_t k = 0; k < 8; ++k) {
      INFO("output " << k);
      std::vector<double> g(got[k].begin(), got[k].end());
      CHECK(g == want[k]);
    }
  }
}
