// Eager tests of examples/softmax.tile.cpp: the whole-row and the two-pass
// (online) softmax against the plain-loop reference.
#include "examples/softmax.tile.cpp"

#include "helpers.hpp"
#include "reference.hpp"

namespace {
const std::vector<std::array<th::Index, 2>> kShapes = {{1, 1}, {1, 17}, {17, 1}, {9, 33}, {33, 100}, {128, 1000}};

template <class T, class Kernel>
void check_softmax(Kernel kernel, std::uint32_t seed) {
  for (const auto& [m, n] : kShapes) {
    const auto x = th::random_buffer<T>(static_cast<std::size_t>(m * n), seed++, -8.0f, 8.0f);
    const auto expected = ref::softmax(x.values, m, n);
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({m, n}, blocks));
      auto out = th::poisoned<T>(static_cast<std::size_t>(m * n));
      tl::eager::BlockSizeScope scope(blocks);
      kernel(th::in<2>(x.data, {m, n}), th::out<2>(out, {m, n}));
      th::check_close(out, expected, th::default_tol<T>(1e-5, 1e-7), {m, n});
    }
  }
}
}  // namespace

TEMPLATE_TEST_CASE("softmax: whole-row softmax matches the reference", "[eager][softmax]", float, tl::bf16) {
  check_softmax<TestType>(softmax<TestType>, 500);
}

TEMPLATE_TEST_CASE("softmax_two_pass: online softmax matches the reference", "[eager][softmax]", float,
                   tl::bf16) {
  check_softmax<TestType>(softmax_two_pass<TestType>, 600);
}

TEST_CASE("softmax_two_pass: the running max grows across column tiles", "[eager][softmax]") {
  // Increasing rows: every column tile raises the max, so the running sum must
  // be rescaled each time; large values overflow exp() without the max shift.
  const th::Index m = 3, n = 50;
  std::vector<float> x(static_cast<std::size_t>(m * n));
  for (th::Index i = 0; i < m; ++i)
    for (th::Index j = 0; j < n; ++j) x[static_cast<std::size_t>(i * n + j)] = float(j) * 3.0f + float(i) * 40.0f;
  const auto expected = ref::softmax(x, m, n);
  for (const auto& blocks : th::block_configs()) {
    INFO(th::context<float>({m, n}, blocks));
    auto out = th::poisoned<float>(x.size());
    tl::eager::BlockSizeScope scope(blocks);
    softmax_two_pass<float>(th::in<2>(x, {m, n}), th::out<2>(out, {m, n}));
    th::check_close(out, expected, th::Tol{1e-5, 1e-30}, {m, n});
  }
}
