// Eager tests of examples/segment_reduction.tile.cpp against a double-precision scatter-add:
// sorted indices with empty segments, unsorted indices, and an output holding earlier values
// (the kernel accumulates).
#include "examples/segment_reduction.tile.cpp"

#include <algorithm>

#include "helpers.hpp"

TEMPLATE_TEST_CASE("segment_reduction: rows summed into the rows their indices name", "[eager][segment_reduction]",
                   float, tl::bf16) {
  using T = TestType;
  // {elements, features, output rows}
  const std::vector<std::array<th::Index, 3>> shapes = {{1, 1, 1}, {17, 9, 5}, {70, 33, 100}, {33, 1, 3}};
  std::uint32_t seed = 1100;
  for (const auto& [elements, features, nodes] : shapes)
    for (const bool sorted : {true, false}) {
      auto indices = th::random_indices(static_cast<std::size_t>(elements), nodes, seed++);
      if (sorted) std::sort(indices.begin(), indices.end());
      const auto x = th::random_buffer<T>(th::count({elements, features}), seed++);
      const auto init = th::random_buffer<float>(th::count({nodes, features}), seed++);
      std::vector<double> expected(init.values.begin(), init.values.end());
      for (th::Index e = 0; e < elements; ++e)
        for (th::Index f = 0; f < features; ++f)
          expected[static_cast<std::size_t>(indices[static_cast<std::size_t>(e)] * features + f)] +=
              x.values[static_cast<std::size_t>(e * features + f)];
      for (const auto& blocks : th::block_configs()) {
        INFO(th::context<T>({elements, features, nodes}, blocks) << (sorted ? ", sorted" : ", unsorted"));
        std::vector<float> out = init.data;
        tl::eager::BlockSizeScope scope(blocks);
        segment_reduction<T>(th::in<1>(indices, {elements}), th::in<2>(x.data, {elements, features}),
                             th::out<2>(out, {nodes, features}));
        // Float sums of at most 71 terms of magnitude <= 1 (the inputs are exact in float).
        th::check_close(out, expected, th::Tol{1e-5, 1e-5}, {nodes, features});
      }
    }
}
