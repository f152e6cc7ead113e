// Eager tests of examples/kl_div.tile.cpp against a double-precision reference.
#include "examples/kl_div.tile.cpp"

#include "helpers.hpp"

namespace {
/// Row-wise log_softmax of random values, rounded to T (the stored values kept as float).
template <class T>
th::Buffer<T> log_softmax_rows(th::Index rows, th::Index v, std::uint32_t seed) {
  auto b = th::random_buffer<T>(static_cast<std::size_t>(rows * v), seed, -4.0f, 4.0f);
  for (th::Index r = 0; r < rows; ++r) {
    double mx = -1e300, s = 0;
    for (th::Index j = 0; j < v; ++j) mx = std::max(mx, static_cast<double>(b.values[r * v + j]));
    for (th::Index j = 0; j < v; ++j) s += std::exp(b.values[r * v + j] - mx);
    for (th::Index j = 0; j < v; ++j) {
      const auto i = static_cast<std::size_t>(r * v + j);
      b.data[i] = tl::convert<T>(static_cast<float>(b.values[i] - mx - std::log(s)));
      b.values[i] = tl::convert<float>(b.data[i]);
    }
  }
  return b;
}
}  // namespace

TEMPLATE_TEST_CASE("kl_div and kl_div_log_target match the reference", "[eager][kl_div]", float, tl::bf16) {
  using T = TestType;
  for (const auto& [rows, v] : std::vector<std::array<th::Index, 2>>{{1, 1}, {3, 17}, {17, 130}, {33, 301}}) {
    const auto log_q = log_softmax_rows<T>(rows, v, 800 + static_cast<std::uint32_t>(v));
    const auto log_p = log_softmax_rows<T>(rows, v, 900 + static_cast<std::uint32_t>(v));
    std::vector<T> p(log_p.data.size());
    std::vector<float> p_values(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
      p[i] = tl::convert<T>(std::exp(log_p.values[i]));
      p_values[i] = tl::convert<float>(p[i]);
    }
    p[0] = tl::convert<T>(0.0f);  // a zero probability: 0 * log(max(0, eps)) = 0
    p_values[0] = 0.0f;
    const float eps = 1e-10f;
    std::vector<double> want(static_cast<std::size_t>(rows)), want_log(static_cast<std::size_t>(rows));
    for (th::Index r = 0; r < rows; ++r)
      for (th::Index j = 0; j < v; ++j) {
        const auto i = static_cast<std::size_t>(r * v + j);
        const double t = p_values[i], lq = log_q.values[i], lp = log_p.values[i];
        want[static_cast<std::size_t>(r)] += t * (std::log(std::max(t, static_cast<double>(eps))) - lq);
        want_log[static_cast<std::size_t>(r)] += std::exp(lp) * (lp - lq);
      }
    for (const auto& blocks : th::block_configs()) {
      INFO(th::context<T>({rows, v}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      auto loss = th::poisoned<float>(static_cast<std::size_t>(rows));
      kl_div<T>(th::in<2>(log_q.data, {rows, v}), th::in<2>(p, {rows, v}), eps, th::out<1>(loss, {rows}));
      th::check_close(loss, want, {1e-4, 1e-5}, {rows});
      auto loss_log = th::poisoned<float>(static_cast<std::size_t>(rows));
      kl_div_log_target<T>(th::in<2>(log_q.data, {rows, v}), th::in<2>(log_p.data, {rows, v}),
                           th::out<1>(loss_log, {rows}));
      th::check_close(loss_log, want_log, {1e-4, 1e-5}, {rows});
    }
  }
}

TEST_CASE("kl_div: mismatched shapes fail TILECC_CHECK", "[eager][kl_div]") {
  std::vector<float> a(6), b(6), loss(2);
  CHECK_THROWS_AS(kl_div<float>(th::in<2>(a, {2, 3}), th::in<2>(b, {3, 2}), 1e-10f, th::out<1>(loss, {2})),
                  tilecc::CheckError);
}
