// Eager tests of examples/jsd.tile.cpp against a double-precision reference: the loss through
// the mixture's KL divergences, the gradient against central differences of that reference.
#include "examples/jsd.tile.cpp"

#include "helpers.hpp"

namespace {
/// beta KL(p || m) + (1 - beta) KL(q || m) of one row, m = beta p + (1 - beta) q, in double.
double jsd_row(const double* lq, const double* lp, th::Index v, double beta) {
  double s = 0;
  for (th::Index j = 0; j < v; ++j) {
    const double q = std::exp(lq[j]), p = std::exp(lp[j]), m = beta * p + (1 - beta) * q;
    s += beta * p * (lp[j] - std::log(m)) + (1 - beta) * q * (lq[j] - std::log(m));
  }
  return s;
}
}  // namespace

TEMPLATE_TEST_CASE("jsd loss and gradient match the reference", "[eager][jsd]", float, tl::bf16) {
  using T = TestType;
  for (const auto& [rows, v] : std::vector<std::array<th::Index, 2>>{{1, 1}, {3, 17}, {17, 130}, {9, 301}}) {
    const auto size = static_cast<std::size_t>(rows * v);
    const auto x = th::random_buffer<T>(size, 300 + static_cast<std::uint32_t>(v), -6.0f, -0.1f);
    const auto y = th::random_buffer<T>(size, 400 + static_cast<std::uint32_t>(v), -6.0f, -0.1f);
    for (const float beta : {0.5f, 0.1f, 0.8f}) {
      std::vector<double> want(static_cast<std::size_t>(rows)), want_dx(size);
      for (th::Index r = 0; r < rows; ++r) {
        std::vector<double> lq(x.values.begin() + r * v, x.values.begin() + (r + 1) * v);
        std::vector<double> lp(y.values.begin() + r * v, y.values.begin() + (r + 1) * v);
        want[static_cast<std::size_t>(r)] = jsd_row(lq.data(), lp.data(), v, beta) / static_cast<double>(rows);
        for (th::Index j = 0; j < v; ++j) {  // d loss / d x by central differences
          const double h = 1e-6, keep = lq[static_cast<std::size_t>(j)];
          lq[static_cast<std::size_t>(j)] = keep + h;
          const double up = jsd_row(lq.data(), lp.data(), v, beta);
          lq[static_cast<std::size_t>(j)] = keep - h;
          const double down = jsd_row(lq.data(), lp.data(), v, beta);
          lq[static_cast<std::size_t>(j)] = keep;
          want_dx[static_cast<std::size_t>(r * v + j)] = (up - down) / (2 * h) / static_cast<double>(rows);
        }
      }
      for (const auto& blocks : th::block_configs()) {
        INFO(th::context<T>({rows, v}, blocks) << ", beta " << beta);
        tl::eager::BlockSizeScope scope(blocks);
        auto loss = th::poisoned<float>(static_cast<std::size_t>(rows));
        auto dx = th::poisoned<T>(size);
        jsd<T>(th::in<2>(x.data, {rows, v}), th::in<2>(y.data, {rows, v}), beta, th::out<1>(loss, {rows}),
               th::out<2>(dx, {rows, v}));
        th::check_close(loss, want, {1e-4, 1e-6}, {rows});
        th::check_close(dx, want_dx, th::default_tol<T>(1e-4, 1e-7), {rows, v});
      }
    }
  }
}

TEST_CASE("jsd: beta outside (0, 1) fails TILECC_CHECK", "[eager][jsd]") {
  std::vector<float> a(6, -1.0f), b(6, -1.0f), loss(2), dx(6);
  CHECK_THROWS_AS(jsd<float>(th::in<2>(a, {2, 3}), th::in<2>(b, {2, 3}), 1.0f, th::out<1>(loss, {2}),
                             th::out<2>(dx, {2, 3})),
                  tilecc::CheckError);
}
