// Eager tests of examples/grouped_gemm.tile.cpp: each group's rows times the shared matrix,
// in double precision; groups of size 0 and 1 included.
#include "examples/grouped_gemm.tile.cpp"

#include "helpers.hpp"

TEMPLATE_TEST_CASE("grouped_gemm: each group's rows times b", "[eager][grouped_gemm]", float, tl::bf16) {
  using T = TestType;
  struct Case {
    std::vector<std::int64_t> sizes;
    th::Index k, n;
  };
  const std::vector<Case> cases = {{{1}, 1, 1}, {{0, 3, 0, 17}, 9, 7}, {{5, 1, 40}, 33, 65}, {{}, 4, 4}};
  std::uint32_t seed = 2400;
  for (const Case& c : cases) {
    std::vector<std::int64_t> offsets = {0};
    for (std::int64_t s : c.sizes) offsets.push_back(offsets.back() + s);
    const th::Index rows = offsets.back(), k = c.k, n = c.n, groups = static_cast<th::Index>(c.sizes.size());
    const auto a = th::random_buffer<T>(th::count({rows, k}), seed++);
    const auto b = th::random_buffer<T>(th::count({k, n}), seed++);
    std::vector<double> expected(th::count({rows, n}));
    for (th::Index i = 0; i < rows; ++i)
      for (th::Index j = 0; j < n; ++j) {
        double s = 0;
        for (th::Index p = 0; p < k; ++p) s += double(a.values[i * k + p]) * b.values[p * n + j];
        expected[static_cast<std::size_t>(i * n + j)] = s;
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({rows, k, n, groups}, blocks) + " (rows, k, n, groups)");
      auto out = th::poisoned<T>(th::count({rows, n}));
      tl::eager::BlockSizeScope scope(blocks);
      grouped_gemm<T>(th::in<2>(a.data, {rows, k}), th::in<2>(b.data, {k, n}), th::in<1>(offsets, {groups + 1}),
                      th::out<2>(out, {rows, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(k)), {rows, n});
    }
  }
}
