// Eager tests of examples/fp8_gemm.tile.cpp: e4m3 operands with per-tensor scales against a
// double-precision product of the stored fp8 values; odd sizes, k longer than a tile, values
// spanning e4m3's range (subnormals to 448).
#include "examples/fp8_gemm.tile.cpp"

#include <cmath>

#include "helpers.hpp"

namespace {

/// n e4m3 values: x / scale for x uniform in [-hi, hi], rounded (saturating) to e4m3.
std::vector<tl::fp8e4m3> quantized(std::size_t n, float hi, float scale, std::uint32_t seed) {
  const auto x = th::random_buffer<float>(n, seed, -hi, hi);
  std::vector<tl::fp8e4m3> q;
  for (float v : x.values) q.push_back(tl::fp8e4m3(v / scale));
  return q;
}

}  // namespace

TEMPLATE_TEST_CASE("fp8_gemm: (a @ b) * scale_a * scale_b over e4m3 operands", "[eager][fp8_gemm]", float, tl::bf16) {
  using T = TestType;
  // {m, k, n}
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1}, {17, 33, 9}, {65, 70, 31}, {8, 128, 40}};
  std::uint32_t seed = 5300;
  for (const auto& [m, k, n] : shapes) {
    // Scales putting the quantized values up to 400 and down into e4m3's subnormals.
    const float scale_a = 1.0f / 400.0f, scale_b = 3.0f / 400.0f;
    const auto a = quantized(th::count({m, k}), 1.0f, scale_a, seed++);
    const auto b = quantized(th::count({k, n}), 3.0f, scale_b, seed++);
    std::vector<double> expected(th::count({m, n}));
    double largest = 0;
    for (th::Index i = 0; i < m; ++i)
      for (th::Index j = 0; j < n; ++j) {
        double s = 0, magnitude = 0;
        for (th::Index p = 0; p < k; ++p) {
          const double term = double(tl::convert<float>(a[i * k + p])) * tl::convert<float>(b[p * n + j]);
          s += term;
          magnitude += std::fabs(term);
        }
        expected[static_cast<std::size_t>(i * n + j)] = s * scale_a * scale_b;
        largest = std::max(largest, magnitude * scale_a * scale_b);
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, k, n}, blocks));
      auto out = th::poisoned<T>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      fp8_gemm<T>(th::in<2>(a, {m, k}), th::in<2>(b, {k, n}), scale_a, scale_b, th::out<2>(out, {m, n}));
      // Float sums: rounding grows with the sum of |terms|, not with the result.
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * largest), {m, n});
    }
  }
}

TEST_CASE("fp8_gemm: the e4m3 operands are the products' only rounding", "[eager][fp8_gemm]") {
  // Exactly representable operands (1.5, -0.375, 448, 2^-9): the product is exact.
  const std::vector<tl::fp8e4m3> a = {tl::fp8e4m3(1.5f), tl::fp8e4m3(-0.375f), tl::fp8e4m3(448.0f),
                                      tl::fp8e4m3(0.001953125f)};
  const std::vector<tl::fp8e4m3> b = {tl::fp8e4m3(2.0f), tl::fp8e4m3(8.0f), tl::fp8e4m3(0.5f), tl::fp8e4m3(512.0f)};
  std::vector<float> out(1);
  fp8_gemm<float>(th::in<2>(a, {1, 4}), th::in<2>(b, {4, 1}), 2.0f, 0.25f, th::out<2>(out, {1, 1}));
  // b's 512 saturates to 448: (3 - 3 + 224 + 0.875) * 0.5.
  CHECK(out[0] == (3.0f - 3.0f + 224.0f + 0.875f) * 0.5f);
}
