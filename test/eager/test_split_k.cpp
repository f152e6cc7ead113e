// Eager tests of examples/split_k.tile.cpp against a double-precision triple loop, with the
// number of splits below, equal to and above k (empty chunks), adding into a zeroed output
// and into one holding earlier values (the kernel accumulates).
#include "examples/split_k.tile.cpp"

#include "helpers.hpp"

TEMPLATE_TEST_CASE("split_k: partial products over k chunks sum to x @ y", "[eager][split_k]", float, tl::bf16) {
  using T = TestType;
  // {m, k, n}
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1}, {1, 17, 1}, {17, 5, 9}, {9, 333, 7}, {33, 70, 17}};
  std::uint32_t seed = 800;
  for (const auto& [m, k, n] : shapes)
    for (const std::int64_t splits : {1, 4, 7}) {
      const auto x = th::random_buffer<T>(th::count({m, k}), seed++);
      const auto y = th::random_buffer<T>(th::count({k, n}), seed++);
      const auto init = th::random_buffer<float>(th::count({m, n}), seed++);
      for (const bool zero : {true, false}) {
        std::vector<double> expected(th::count({m, n}));
        for (th::Index i = 0; i < m; ++i)
          for (th::Index j = 0; j < n; ++j) {
            double s = zero ? 0.0 : init.values[static_cast<std::size_t>(i * n + j)];
            for (th::Index c = 0; c < k; ++c)
              s += double(x.values[static_cast<std::size_t>(i * k + c)]) * y.values[static_cast<std::size_t>(c * n + j)];
            expected[static_cast<std::size_t>(i * n + j)] = s;
          }
        for (const auto& blocks : th::block_configs()) {
          INFO(th::context<T>({m, k, n}, blocks) << ", " << splits << " splits" << (zero ? "" : ", nonzero output"));
          std::vector<float> out = zero ? std::vector<float>(th::count({m, n}), 0.0f) : init.data;
          tl::eager::BlockSizeScope scope(blocks);
          split_k<T>(th::in<2>(x.data, {m, k}), th::in<2>(y.data, {k, n}), splits, th::out<2>(out, {m, n}));
          // The output is float for both input types (the products of bf16 values are exact in
          // float): a float sum of k + 1 terms of magnitude <= 1, about k ulps of 1.
          th::check_close(out, expected, th::Tol{1e-5, 1e-6 * double(k + 1)}, {m, n});
        }
      }
    }
}

TEST_CASE("split_k: zero splits fail TILECC_CHECK", "[eager][split_k]") {
  std::vector<float> x(6, 1.0f), y(6, 1.0f), out(4);
  CHECK_THROWS_AS(split_k<float>(th::in<2>(x, {2, 3}), th::in<2>(y, {3, 2}), 0, th::out<2>(out, {2, 2})),
                  tilecc::CheckError);
}
