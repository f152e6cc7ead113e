// Eager tests of examples/gather_gemv.tile.cpp against w[idx[i]] @ x in double precision, with
// repeated and negative indices (counted from the end of the stack).
#include "examples/gather_gemv.tile.cpp"

#include "helpers.hpp"

TEMPLATE_TEST_CASE("gather_gemv: out[i] = w[idx[i]] @ x", "[eager][gather_gemv]", float, tl::bf16) {
  using T = TestType;
  // {batch, s}
  const std::vector<std::array<th::Index, 2>> shapes = {{1, 1}, {3, 17}, {5, 33}, {2, 100}};
  std::uint32_t seed = 1000;
  for (const auto& [batch, s] : shapes) {
    const auto w = th::random_buffer<T>(th::count({batch, s, s}), seed++);
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(s), seed++);
    // Every matrix, one twice, and each also through its negative index.
    std::vector<std::int64_t> idx;
    for (th::Index b = 0; b < batch; ++b) idx.insert(idx.end(), {b, b - batch});
    idx.push_back(batch - 1);
    const auto count = static_cast<th::Index>(idx.size());
    std::vector<double> expected(th::count({count, s}));
    for (th::Index i = 0; i < count; ++i) {
      const th::Index b = idx[static_cast<std::size_t>(i)] < 0 ? idx[static_cast<std::size_t>(i)] + batch : idx[static_cast<std::size_t>(i)];
      for (th::Index r = 0; r < s; ++r) {
        double acc = 0;
        for (th::Index c = 0; c < s; ++c)
          acc += double(w.values[static_cast<std::size_t>((b * s + r) * s + c)]) * x.values[static_cast<std::size_t>(c)];
        expected[static_cast<std::size_t>(i * s + r)] = acc;
      }
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({batch, s}, blocks) << ", " << count << " indices");
      auto out = th::poisoned<T>(th::count({count, s}));
      tl::eager::BlockSizeScope scope(blocks);
      gather_gemv<T>(th::in<3>(w.data, {batch, s, s}), th::in<1>(idx, {count}), th::in<1>(x.data, {s}),
                     th::out<2>(out, {count, s}));
      // A float sum of s products of magnitude <= 1, as in matmul.
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6 * double(s)), {count, s});
    }
  }
}
