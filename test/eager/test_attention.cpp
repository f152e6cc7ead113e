// Eager tests of examples/attention.tile.cpp (flash-attention forward) against attention
// computed directly in double precision: scores, a softmax over all keys, then the weighted
// sum of values, causal and not; and test/kernels/dot_operand_reuse.tile.cpp, the same with the
// query tile added back as a residual.
#include "examples/attention.tile.cpp"
#include "test/kernels/dot_operand_reuse.tile.cpp"

#include <cmath>

#include "helpers.hpp"

namespace {

/// out[b, i, :] = softmax_j(q[b, i] . k[b, j] * scale, j <= i when causal) @ v[b, j, :].
std::vector<double> reference_attention(const std::vector<float>& q, const std::vector<float>& k,
                                        const std::vector<float>& v, th::Index bh, th::Index m, th::Index n,
                                        th::Index d, double scale, bool causal) {
  std::vector<double> out(static_cast<std::size_t>(bh * m * d));
  const auto at = [](th::Index i) { return static_cast<std::size_t>(i); };
  for (th::Index b = 0; b < bh; ++b)
    for (th::Index i = 0; i < m; ++i) {
      const th::Index keys = causal ? std::min(i + 1, n) : n;
      std::vector<double> s(at(keys));
      double mx = -INFINITY;
      for (th::Index j = 0; j < keys; ++j) {
        double dotp = 0;
        for (th::Index c = 0; c < d; ++c)
          dotp += double(q[at((b * m + i) * d + c)]) * double(k[at((b * n + j) * d + c)]);
        s[at(j)] = dotp * scale;
        mx = std::max(mx, s[at(j)]);
      }
      double sum = 0;
      for (double& x : s) sum += (x = std::exp(x - mx));
      for (th::Index c = 0; c < d; ++c) {
        double o = 0;
        for (th::Index j = 0; j < keys; ++j) o += s[at(j)] * double(v[at((b * n + j) * d + c)]);
        out[at((b * m + i) * d + c)] = o / sum;
      }
    }
  return out;
}

template <class T>
void check_attention(bool causal, std::uint32_t seed) {
  // {batch-heads, queries, keys, head dim}; causal needs as many keys as queries.
  const std::vector<std::array<th::Index, 4>> shapes = {{1, 1, 1, 1}, {2, 17, 17, 8}, {3, 33, 33, 16}, {1, 70, 70, 5}};
  for (const auto& [bh, m, n, d] : shapes) {
    const auto q = th::random_buffer<T>(th::count({bh, m, d}), seed++, -2.0f, 2.0f);
    const auto k = th::random_buffer<T>(th::count({bh, n, d}), seed++, -2.0f, 2.0f);
    const auto v = th::random_buffer<T>(th::count({bh, n, d}), seed++);
    const float scale = 1.0f / std::sqrt(float(d));
    const auto expected = reference_attention(q.values, k.values, v.values, bh, m, n, d, scale, causal);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({bh, m, n, d}, blocks) << (causal ? ", causal" : ""));
      auto out = th::poisoned<T>(th::count({bh, m, d}));
      tl::eager::BlockSizeScope scope(blocks);
      attention<T>(th::in<3>(q.data, {bh, m, d}), th::in<3>(k.data, {bh, n, d}), th::in<3>(v.data, {bh, n, d}), scale,
                   causal, th::out<3>(out, {bh, m, d}));
      // bf16: the probabilities are rounded to bf16 before the second dot (as flash attention
      // does), an error of ~2^-9 on each of up to 70 weights of values of magnitude 1.
      const th::Tol tol = std::is_same_v<T, float> ? th::Tol{1e-5, 1e-6} : th::Tol{2e-2, 3e-3};
      th::check_close(out, expected, tol, {bh * m, d});
    }
  }
}

}  // namespace

TEMPLATE_TEST_CASE("attention: flash forward matches attention computed directly", "[eager][attention]", float,
                   tl::bf16) {
  check_attention<TestType>(false, 100);
}

TEMPLATE_TEST_CASE("attention: causal flash forward sees only earlier keys", "[eager][attention]", float, tl::bf16) {
  check_attention<TestType>(true, 200);
}

// The query tile read twice (a dot operand and a residual): out = softmax(q kT) v + q.
TEST_CASE("attention with the queries added back matches attention computed directly, plus q", "[eager][attention]") {
  using T = tl::bf16;
  std::uint32_t seed = 300;
  for (const auto& [bh, m, n, d] : std::vector<std::array<th::Index, 4>>{{1, 1, 1, 8}, {2, 17, 33, 16}, {1, 70, 5, 8}}) {
    const auto q = th::random_buffer<T>(th::count({bh, m, d}), seed++, -2.0f, 2.0f);
    const auto k = th::random_buffer<T>(th::count({bh, n, d}), seed++, -2.0f, 2.0f);
    const auto v = th::random_buffer<T>(th::count({bh, n, d}), seed++);
    auto expected = reference_attention(q.values, k.values, v.values, bh, m, n, d, 1.0, false);
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] += double(q.values[i]);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({bh, m, n, d}, blocks));
      auto out = th::poisoned<T>(th::count({bh, m, d}));
      tl::eager::BlockSizeScope scope(blocks);
      attention_residual<T>(th::in<3>(q.data, {bh, m, d}), th::in<3>(k.data, {bh, n, d}), th::in<3>(v.data, {bh, n, d}),
                            th::out<3>(out, {bh, m, d}));
      th::check_close(out, expected, th::Tol{2e-2, 3e-3}, {bh * m, d});
    }
  }
}
