// Eager tests of examples/int4_gemm.tile.cpp: activations times int4 weights packed two per
// byte along k (low nibble: even k, high nibble: odd k), against a double-precision product of
// the unpacked weights; every nibble value -8..7, odd sizes, k longer than a tile.
#include "examples/int4_gemm.tile.cpp"

#include "helpers.hpp"

TEMPLATE_TEST_CASE("int4_gemm: activations times packed int4 weights", "[eager][int4_gemm]", tl::bf16, tl::f16) {
  using T = TestType;
  // {m, k, n}, k even
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 2, 1}, {17, 34, 9}, {65, 66, 31}, {8, 128, 40}};
  std::uint32_t seed = 5400;
  for (const auto& [m, k, n] : shapes) {
    const auto a = th::random_buffer<T>(th::count({m, k}), seed++);
    // Weights cycle through -8..7 from a random start, so every nibble value occurs.
    const auto start = th::random_indices(1, 16, seed++)[0];
    std::vector<int> w(th::count({k, n}));
    for (std::size_t i = 0; i < w.size(); ++i)
      w[i] = static_cast<int>((start + static_cast<std::int64_t>(i) * 7) % 16) - 8;
    std::vector<tl::i8> packed(th::count({k / 2, n}));
    for (th::Index i = 0; i < k / 2; ++i)
      for (th::Index j = 0; j < n; ++j) {
        const int lo = w[(2 * i) * n + j], hi = w[(2 * i + 1) * n + j];
        packed[static_cast<std::size_t>(i * n + j)] = static_cast<tl::i8>((lo & 0xf) | (hi << 4));
      }
    std::vector<double> expected(th::count({m, n}));
    for (th::Index i = 0; i < m; ++i)
      for (th::Index j = 0; j < n; ++j) {
        double s = 0;
        for (th::Index p = 0; p < k; ++p) s += double(a.values[i * k + p]) * w[p * n + j];
        expected[static_cast<std::size_t>(i * n + j)] = s;
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, k, n}, blocks));
      auto out = th::poisoned<T>(th::count({m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      int4_gemm<T>(th::in<3>(a.data, {m, k / 2, 2}), th::in<2>(packed, {k / 2, n}), th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::Tol{1e-2, 1e-3}, {m, n});
    }
  }
}
