// Eager tests of examples/rope.tile.cpp: rotary embedding (rotate-half form) against the
// rotation computed directly in double precision.
#include "examples/rope.tile.cpp"

#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("rope: each pair (i, i + d/2) rotated by its position's angle", "[eager][rope]", float, tl::bf16) {
  std::uint32_t seed = 1000;
  for (const auto& [s, h, d] : std::vector<std::array<th::Index, 3>>{{1, 1, 2}, {5, 3, 8}, {7, 2, 66}, {3, 9, 128}}) {
    const th::Index half = d / 2;
    const auto x = th::random_buffer<TestType>(static_cast<std::size_t>(s * h * d), seed++);
    std::vector<float> cos(static_cast<std::size_t>(s * half)), sin(cos.size());
    for (th::Index p = 0; p < s; ++p)
      for (th::Index i = 0; i < half; ++i) {
        const double angle = double(p) * std::pow(10000.0, -2.0 * double(i) / double(d));
        cos[static_cast<std::size_t>(p * half + i)] = float(std::cos(angle));
        sin[static_cast<std::size_t>(p * half + i)] = float(std::sin(angle));
      }
    std::vector<double> expected(static_cast<std::size_t>(s * h * d));
    for (th::Index p = 0; p < s; ++p)
      for (th::Index j = 0; j < h; ++j)
        for (th::Index i = 0; i < half; ++i) {
          const std::size_t base = static_cast<std::size_t>((p * h + j) * d);
          const double x1 = x.values[base + static_cast<std::size_t>(i)];
          const double x2 = x.values[base + static_cast<std::size_t>(i + half)];
          const double c = cos[static_cast<std::size_t>(p * half + i)], sn = sin[static_cast<std::size_t>(p * half + i)];
          expected[base + static_cast<std::size_t>(i)] = x1 * c - x2 * sn;
          expected[base + static_cast<std::size_t>(i + half)] = x2 * c + x1 * sn;
        }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<TestType>({s, h, d}, blocks));
      auto out = th::poisoned<TestType>(static_cast<std::size_t>(s * h * d));
      tl::eager::BlockSizeScope scope(blocks);
      rope<TestType>(th::in<3>(x.data, {s, h, d}), th::in<2>(cos, {s, half}), th::in<2>(sin, {s, half}),
                     th::out<3>(out, {s, h, d}));
      th::check_close(out, expected, th::default_tol<TestType>(1e-5, 1e-6), {s * h, d});
    }
  }
}
