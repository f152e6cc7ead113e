// Eager tests of examples/batch_softmax.tile.cpp against a softmax over the last dimension
// computed directly in double precision, batch by batch.
#include "examples/batch_softmax.tile.cpp"

#include <cmath>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("batch_softmax: each row of each batch sums to one as the reference", "[eager][batch_softmax]",
                   float, tl::bf16) {
  using T = TestType;
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1}, {3, 1, 17}, {2, 17, 1}, {5, 9, 33}, {2, 33, 100}};
  std::uint32_t seed = 100;
  for (const auto& [batch, m, n] : shapes) {
    // Inputs spread over [-4, 4], so the row max matters.
    const auto x = th::random_buffer<T>(th::count({batch, m, n}), seed++, -4.0f, 4.0f);
    std::vector<double> expected(th::count({batch, m, n}));
    for (th::Index r = 0; r < batch * m; ++r) {
      double mx = -INFINITY, sum = 0;
      for (th::Index j = 0; j < n; ++j) mx = std::max<double>(mx, x.values[static_cast<std::size_t>(r * n + j)]);
      for (th::Index j = 0; j < n; ++j) sum += std::exp(double(x.values[static_cast<std::size_t>(r * n + j)]) - mx);
      for (th::Index j = 0; j < n; ++j)
        expected[static_cast<std::size_t>(r * n + j)] = std::exp(double(x.values[static_cast<std::size_t>(r * n + j)]) - mx) / sum;
    }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({batch, m, n}, blocks));
      auto out = th::poisoned<T>(th::count({batch, m, n}));
      tl::eager::BlockSizeScope scope(blocks);
      batch_softmax<T>(th::in<3>(x.data, {batch, m, n}), th::out<3>(out, {batch, m, n}));
      // f32: float exp and a float sum of up to 100 terms, a few ulps; bf16: one rounding.
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-6), {batch, m, n});
    }
  }
}

TEST_CASE("batch_softmax: an output of another batch size fails TILECC_CHECK", "[eager][batch_softmax]") {
  std::vector<float> x(12, 1.0f), out(6);
  CHECK_THROWS_AS(batch_softmax<float>(th::in<3>(x, {2, 2, 3}), th::out<3>(out, {1, 2, 3})), tilecc::CheckError);
}
