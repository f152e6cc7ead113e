// Eager tests of the 8-bit dtypes (include/tilecc/lang/dtype.hpp): fp8 e4m3 and e5m2 against a
// table of known encodings, against a brute-force nearest-value search over all 256 codes, and
// uint8 promotion; then the kernels of test/kernels/dtypes.tile.cpp at odd shapes.
#include "test/kernels/dtypes.tile.cpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "helpers.hpp"

namespace {
using th::Index;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// The nearest finite value of the format to v (ties to the even code, i.e. an even last
/// mantissa bit), the largest finite one beyond it: by trying every code.
template <class Q>
std::uint8_t nearest(float v) {
  const double x = v;
  int best = -1;
  double best_d = 0;
  for (int b = 0; b < 256; ++b) {
    Q q;
    q.bits = static_cast<std::uint8_t>(b);
    const double y = static_cast<float>(q);
    if (!std::isfinite(y)) continue;
    if (y == 0 && std::signbit(y) != std::signbit(x)) continue;  // keep the sign of zero
    const double d = std::fabs(y - x);
    if (best < 0 || d < best_d || (d == best_d && (b & 1) == 0 && (best & 1) == 1)) {
      best = b;
      best_d = d;
    }
  }
  return static_cast<std::uint8_t>(best);
}
}  // namespace

TEST_CASE("fp8 e4m3 encodes known values: ties to even, saturation at 448, NaN", "[eager][dtypes]") {
  const std::vector<std::pair<float, unsigned>> table = {
      {0.0f, 0x00},     {-0.0f, 0x80},   {1.0f, 0x38},     {-2.0f, 0xc0},         {0.1f, 0x1d},
      {1.0625f, 0x38},  {1.1875f, 0x3a}, {240.0f, 0x77},   {448.0f, 0x7e},        {464.0f, 0x7e},
      {465.0f, 0x7e},   {1e9f, 0x7e},    {kInf, 0x7e},     {-kInf, 0xfe},         {std::ldexp(1.0f, -6), 0x08},
      {std::ldexp(1.0f, -9), 0x01},      {std::ldexp(1.0f, -10), 0x00},           {std::ldexp(1.5f, -10), 0x01},
      {std::ldexp(3.0f, -10), 0x02},     {std::ldexp(1.0f, -20), 0x00},
  };
  for (const auto& [v, bits] : table) {
    INFO("value " << v);
    CHECK(static_cast<unsigned>(tl::fp8e4m3(v).bits) == bits);
  }
  CHECK(tl::fp8e4m3(kNaN).bits == 0x7f);
  CHECK(std::isnan(static_cast<float>(tl::fp8e4m3(kNaN))));
  tl::fp8e4m3 q;
  for (const auto& [bits, v] : std::vector<std::pair<unsigned, float>>{
           {0x7e, 448.0f}, {0x01, std::ldexp(1.0f, -9)}, {0x08, std::ldexp(1.0f, -6)}, {0xb8, -1.0f}, {0x77, 240.0f}}) {
    q.bits = static_cast<std::uint8_t>(bits);
    CHECK(static_cast<float>(q) == v);
  }
  q.bits = 0xff;
  CHECK(std::isnan(static_cast<float>(q)));
}

TEST_CASE("fp8 e5m2 encodes known values: ties to even, saturation at 57344, infinities, NaN", "[eager][dtypes]") {
  const std::vector<std::pair<float, unsigned>> table = {
      {1.0f, 0x3c},     {-1.0f, 0xbc},     {1.125f, 0x3c},   {1.375f, 0x3e},       {57344.0f, 0x7b},
      {61440.0f, 0x7b}, {kInf, 0x7b},      {-kInf, 0xfb},    {std::ldexp(1.0f, -14), 0x04},
      {std::ldexp(1.0f, -16), 0x01},       {std::ldexp(1.0f, -17), 0x00},        {-0.0f, 0x80},
  };
  for (const auto& [v, bits] : table) {
    INFO("value " << v);
    CHECK(static_cast<unsigned>(tl::fp8e5m2(v).bits) == bits);
  }
  CHECK(std::isnan(static_cast<float>(tl::fp8e5m2(kNaN))));
  tl::fp8e5m2 q;
  q.bits = 0x7c;
  CHECK(static_cast<float>(q) == kInf);
  q.bits = 0xfc;
  CHECK(static_cast<float>(q) == -kInf);
  q.bits = 0x7d;
  CHECK(std::isnan(static_cast<float>(q)));
  q.bits = 0x7b;
  CHECK(static_cast<float>(q) == 57344.0f);
}

TEMPLATE_TEST_CASE("fp8 codes round-trip, and every float goes to the nearest code", "[eager][dtypes]", tl::fp8e4m3,
                   tl::fp8e5m2) {
  using Q = TestType;
  for (int b = 0; b < 256; ++b) {
    Q q;
    q.bits = static_cast<std::uint8_t>(b);
    const float v = static_cast<float>(q);
    if (std::isnan(v)) continue;
    INFO("code " << b);
    if (std::isinf(v)) CHECK(Q(v).bits == (b & 0x80 ? 0xfb : 0x7b));  // e5m2: inf saturates
    else CHECK(Q(v).bits == b);
  }
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  std::uniform_int_distribution<int> exp(-22, 17);
  for (int i = 0; i < 20000; ++i) {
    const float v = std::ldexp(mant(rng), exp(rng)) * (i % 2 ? -1.0f : 1.0f);
    INFO("value " << v);
    REQUIRE(static_cast<unsigned>(Q(v).bits) == nearest<Q>(v));
  }
}

TEST_CASE("uint8 promotes like the other integers; with int8 it gives int32", "[eager][dtypes]") {
  STATIC_REQUIRE(std::is_same_v<tl::promote_t<tl::u8, tl::i8>, tl::i32>);
  STATIC_REQUIRE(std::is_same_v<tl::promote_t<tl::u8, tl::i32>, tl::i32>);
  STATIC_REQUIRE(std::is_same_v<tl::promote_t<tl::u8, float>, float>);
  STATIC_REQUIRE(std::is_same_v<tl::promote_scalar_t<tl::u8, int>, tl::u8>);
  STATIC_REQUIRE(std::is_same_v<tl::promote_t<tl::fp8e4m3, tl::bf16>, float>);
  tl::Tile<tl::u8> t(tl::Shape{2}, 250);
  CHECK((t + 10).at(0) == 4);  // wraps modulo 256, as uint8_t
  CHECK(tl::convert<tl::u8>(-1) == 255);
}

TEMPLATE_TEST_CASE("quantize and dequantize kernels match the element conversions at odd shapes", "[eager][dtypes]",
                   tl::fp8e4m3, tl::fp8e5m2) {
  using Q = TestType;
  const Index m = 23, n = 41;
  const auto size = static_cast<std::size_t>(m * n);
  auto x = th::random_buffer<float>(size, 61, -3.0f, 3.0f);
  x.data[0] = 1e6f;  // saturates
  x.data[1] = -1e6f;
  const float scale = 37.5f;
  for (const auto& blocks : th::block_configs()) {
    INFO("eager block sizes " << th::join(blocks));
    tl::eager::BlockSizeScope scope(blocks);
    std::vector<Q> q(size);
    std::vector<float> y = th::poisoned<float>(size);
    quantize<Q>(th::in<2>(x.data, {m, n}), scale, th::out<2>(q, {m, n}));
    dequantize<Q>(th::in<2>(q, {m, n}), scale, th::out<2>(y, {m, n}));
    std::vector<double> want(size);
    for (std::size_t i = 0; i < size; ++i) {
      const std::uint8_t code = nearest<Q>(x.data[i] * scale);
      REQUIRE(static_cast<unsigned>(q[i].bits) == code);
      Q c;
      c.bits = code;
      want[i] = static_cast<float>(c) / scale;
    }
    th::check_equal(y, want, {m, n});
  }
}

TEST_CASE("the uint8 kernel matches plain loops", "[eager][dtypes]") {
  const Index m = 9, n = 31;
  const auto size = static_cast<std::size_t>(m * n);
  std::vector<tl::u8> a(size), b(size);
  for (std::size_t i = 0; i < size; ++i) {
    a[i] = static_cast<tl::u8>(i * 37 + 11);
    b[i] = static_cast<tl::u8>(255 - i * 13);
  }
  for (const auto& blocks : th::block_configs()) {
    tl::eager::BlockSizeScope scope(blocks);
    std::vector<tl::u8> mixed(size);
    std::vector<tl::i32> widened(size);
    bytes(th::in<2>(a, {m, n}), th::in<2>(b, {m, n}), th::out<2>(mixed, {m, n}), th::out<2>(widened, {m, n}));
    for (std::size_t i = 0; i < size; ++i) {
      REQUIRE(mixed[i] == (a[i] ^ 0x5a));
      REQUIRE(widened[i] == 3 * a[i] - b[i]);
    }
  }
}
