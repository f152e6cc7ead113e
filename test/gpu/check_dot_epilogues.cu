// GPU tier: matrix products whose elementwise stores run as the k-loop's fused epilogue
// (test/kernels/dot_epilogues.tile.cpp: a scalar, a residual tile, a per-row vector, a compare
// and select, an atomic add), and whose rows are gathered from index tensors into the dot or
// scattered from it (a permutation; rows repeated under the atomic add), against CPU references
// at odd sizes and at sizes whose rows are 16-byte aligned, where the sm_90a translation (the
// wgmma variant) takes its wgmma paths.
// Prints a table and "N passed, M failed".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

#include "gen/dot_epilogues.cu"

#include "../support/gpu_check.hpp"

namespace {

using tilecc::test::Dev;
using tilecc::test::random_vec;
using tilecc::test::ref_matmul;
using tilecc::test::report;

// Odd extents (ragged tiles, the mma.sync and SIMT paths), then aligned ones (cp.async and
// tensor-map pipelines where the arch has them), an empty k among them.
const long long kShapes[][3] = {{1, 1, 1},     {17, 33, 9},     {129, 257, 65},  {300, 1000, 333},
                                {257, 520, 264}, {200, 1024, 136}, {64, 0, 72}, {384, 256, 512}};

// The gathered and scattered forms: x has m rows; `perm` is a permutation of them, `picks`
// (m + 5 entries) draws rows with repeats, so that the atomic form adds several products into
// one row.
template <class T>
void check_rows(const char* dt, const char* shape, long long m, long long k, long long n, const std::vector<float>& hx,
                const std::vector<float>& hy, double t) {
  std::mt19937 draw(static_cast<unsigned>(m * 131 + k * 7 + n));
  std::vector<long long> perm(m), picks(m + 5);
  std::iota(perm.begin(), perm.end(), 0LL);
  std::shuffle(perm.begin(), perm.end(), draw);
  for (long long& p : picks) p = static_cast<long long>(draw() % static_cast<unsigned long long>(m));
  const auto hinit = random_vec<float>(m * n);
  Dev<T> x(hx), y(hy), gathered(static_cast<long long>(picks.size()) * n), scattered(m * n);
  Dev<tilecc::i64> dperm(std::vector<float>(perm.begin(), perm.end())),
      dpicks(std::vector<float>(picks.begin(), picks.end()));
  Dev<float> into(hinit);
  const float slope = 0.25f, scale = 0.5f;
  const long long g = static_cast<long long>(picks.size());
  const tilecc::Tensor<const T, 2> tx(x.p, {m, k}), ty(y.p, {k, n});
  CUDA_OK(gathered_matmul<T>(tx, ty, tilecc::Tensor<const tilecc::i64, 1>(dpicks.p, {g}),
                             tilecc::Tensor<T, 2>(gathered.p, {g, n})));
  CUDA_OK(scattered_leaky<T>(tx, ty, tilecc::Tensor<const tilecc::i64, 1>(dperm.p, {m}), slope,
                             tilecc::Tensor<T, 2>(scattered.p, {m, n})));
  CUDA_OK(gathered_add_into<T>(tx, ty, tilecc::Tensor<const tilecc::i64, 1>(dpicks.p, {g}), scale,
                               tilecc::Tensor<float, 2>(into.p, {m, n})));
  CUDA_OK(cudaDeviceSynchronize());
  const auto p = ref_matmul(hx, hy, m, k, n);
  std::vector<double> want_gathered(g * n), want_scattered(m * n), want_into(hinit.begin(), hinit.end());
  for (long long i = 0; i < g; ++i)
    for (long long j = 0; j < n; ++j) {
      const double v = p[picks[i] * n + j];
      want_gathered[i * n + j] = v;
      want_into[picks[i] * n + j] += scale * v;
    }
  for (long long i = 0; i < m; ++i)
    for (long long j = 0; j < n; ++j) {
      const double v = p[i * n + j];
      want_scattered[perm[i] * n + j] = v > 0 ? v : slope * v;
    }
  report("gathered_matmul", dt, shape, gathered.get(), want_gathered, t);
  report("scattered_leaky", dt, shape, scattered.get(), want_scattered, t);
  report("gathered_add_into", dt, shape, into.get(), want_into, 4e-4 * std::sqrt(double(k) + 1));
}

template <class T> void check(const char* dt, double tol) {
  for (auto& s : kShapes) {
    const long long m = s[0], k = s[1], n = s[2];
    const auto hx = random_vec<T>(m * k, -1, 1), hy = random_vec<T>(k * n, -1, 1);
    const auto hres = random_vec<T>(m * n), hrow = random_vec<float>(m), hinit = random_vec<float>(m * n);
    Dev<T> x(hx), y(hy), res(hres), out(m * n), leaky(m * n);
    Dev<float> row(hrow), into(hinit);
    const float alpha = 0.75f, slope = 0.125f, scale = -1.5f;
    const tilecc::Tensor<const T, 2> tx(x.p, {m, k}), ty(y.p, {k, n});
    CUDA_OK(linear_residual<T>(tx, ty, tilecc::Tensor<const T, 2>(res.p, {m, n}),
                               tilecc::Tensor<const float, 1>(row.p, {m}), alpha, tilecc::Tensor<T, 2>(out.p, {m, n})));
    CUDA_OK(leaky_matmul<T>(tx, ty, slope, tilecc::Tensor<T, 2>(leaky.p, {m, n})));
    CUDA_OK(matmul_add_into<T>(tx, ty, scale, tilecc::Tensor<float, 2>(into.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    const auto p = ref_matmul(hx, hy, m, k, n);
    std::vector<double> want_res(m * n), want_leaky(m * n), want_into(m * n);
    for (long long i = 0; i < m; ++i)
      for (long long j = 0; j < n; ++j) {
        const long long e = i * n + j;
        want_res[e] = alpha * p[e] + hres[e] + hrow[i];
        want_leaky[e] = p[e] > 0 ? p[e] : slope * p[e];
        want_into[e] = hinit[e] + scale * p[e];
      }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld", m, k, n);
    const double t = tol * std::sqrt(double(k) + 1);
    report("linear_residual", dt, shape, out.get(), want_res, t);
    report("leaky_matmul", dt, shape, leaky.get(), want_leaky, t);
    // The sum lands in float: only the products' accumulation order differs.
    report("matmul_add_into", dt, shape, into.get(), want_into, 2e-4 * std::sqrt(double(k) + 1));
    check_rows<T>(dt, shape, m, k, n, hx, hy, t);
  }
}

}  // namespace

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  // f32: float products (2e-3 covers the tensor-core paths' float accumulation order);
  // bf16: one rounding of the result (2^-9) on top.
  check<float>("f32", 2e-3);
  check<__nv_bfloat16>("bf16", 1e-2);
  return tilecc::test::tally.finish();
}
