// Eager tests of examples/moe_matmul.tile.cpp: each token's row times its expert's matrix,
// in double precision; experts without tokens included, tokens routed in random order.
#include "examples/moe_matmul.tile.cpp"

#include <algorithm>
#include <numeric>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("moe_matmul: each token times its expert's weights", "[eager][moe_matmul]", float, tl::bf16) {
  using T = TestType;
  // {tokens, k, n, experts}
  const std::vector<std::array<th::Index, 4>> shapes = {{1, 1, 1, 1}, {17, 9, 7, 4}, {70, 33, 65, 8}, {5, 16, 16, 9}};
  std::uint32_t seed = 2500;
  for (const auto& [tokens, k, n, experts] : shapes) {
    const auto expert = th::random_indices(static_cast<std::size_t>(tokens), experts, seed++);
    std::vector<std::int64_t> order(static_cast<std::size_t>(tokens));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::int64_t p, std::int64_t q) { return expert[p] < expert[q]; });
    std::vector<std::int64_t> offsets(static_cast<std::size_t>(experts + 1), 0);
    for (std::int64_t e : expert) ++offsets[static_cast<std::size_t>(e + 1)];
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    const auto a = th::random_buffer<T>(th::count({tokens, k}), seed++);
    const auto w = th::random_buffer<T>(th::count({experts, k, n}), seed++);
    std::vector<double> expected(th::count({tokens, n}));
    for (th::Index t = 0; t < tokens; ++t)
      for (th::Index j = 0; j < n; ++j) {
        double s = 0;
        for (th::Index p = 0; p < k; ++p) s += double(a.values[t * k + p]) * w.values[(expert[t] * k + p) * n + j];
        expected[static_cast<std::size_t>(t * n + j)] = s;
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({tokens, k, n, experts}, blocks) + " (tokens, k, n, experts)");
      auto out = th::poisoned<T>(th::count({tokens, n}));
      tl::eager::BlockSizeScope scope(blocks);
      moe_matmul<T>(th::in<2>(a.data, {tokens, k}), th::in<3>(w.data, {experts, k, n}),
                    th::in<1>(offsets, {experts + 1}), th::in<1>(order, {tokens}), th::out<2>(out, {tokens, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(k)), {tokens, n});
    }
  }
}
