// GPU tier: matrix products whose elementwise stores run as the k-loop's fused epilogue
// (test/kernels/dot_epilogues.tile.cpp: a scalar, a residual tile, a per-row vector, a compare
// and select, an atomic add), against CPU references at odd sizes and at sizes whose rows are
// 16-byte aligned, where the sm_90a translation (the wgmma variant) takes its wgmma paths.
// Prints a table and "N passed, M failed".
#include <cmath>
#include <cstdio>
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
