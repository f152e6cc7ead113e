// GPU tier: tiles of rank 3 and 4 inside the kernel (test/kernels/rank3.tile.cpp): elementwise
// math, reductions along the last, middle and leading dimensions, a softmax and a running sum
// along the last, tl::permute of loaded tiles, a bias broadcast into rank 4 and a sum along its
// first dimension, against double-precision CPU references at odd sizes. Built on the GPU machine
// from the file `tilecc translate` wrote (scripts/gpu_translate.sh). Prints a table and
// "N passed, M failed".
#include <cuda_bf16.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "gen/rank3.cu"

#include "../support/gpu_check.hpp"

namespace {

using tilecc::test::Dev;
using tilecc::test::random_vec;
using tilecc::test::report;

const long long kShapes[][3] = {{1, 1, 1}, {3, 17, 33}, {5, 1, 70}, {9, 65, 7}, {2, 100, 1000}};

std::string dims(long long a, long long b, long long c) {
  return std::to_string(a) + " x " + std::to_string(b) + " x " + std::to_string(c);
}

template <class T> void check_elementwise(const char* dt, double tol) {
  for (auto& s : kShapes) {
    const long long b = s[0], m = s[1], n = s[2];
    const auto hx = random_vec<T>(b * m * n), hy = random_vec<T>(b * m * n);
    std::vector<double> want(hx.size());
    for (std::size_t i = 0; i < want.size(); ++i) want[i] = double(hx[i]) * 1.5 + hy[i];
    Dev<T> x(hx), y(hy), out(b * m * n);
    CUDA_OK(scale_add3<T>(tilecc::Tensor<const T, 3>(x.p, {b, m, n}), tilecc::Tensor<const T, 3>(y.p, {b, m, n}),
                          1.5f, tilecc::Tensor<T, 3>(out.p, {b, m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    report("scale_add3", dt, dims(b, m, n).c_str(), out.get(), want, tol);
  }
}

void check_reductions() {
  for (auto& s : kShapes) {
    const long long b = s[0], m = s[1], n = s[2];
    const auto hx = random_vec<float>(b * m * n, -4, 4);
    auto at = [&](long long i, long long j, long long k) { return double(hx[(i * m + j) * n + k]); };
    std::vector<double> rows(b * m, 0.0), cols(b * n, -INFINITY), mean(m * n, 0.0), soft(b * m * n);
    for (long long i = 0; i < b; ++i)
      for (long long j = 0; j < m; ++j)
        for (long long k = 0; k < n; ++k) {
          rows[i * m + j] += at(i, j, k);
          cols[i * n + k] = std::max(cols[i * n + k], at(i, j, k));
          mean[j * n + k] += at(i, j, k) / double(b);
        }
    for (long long r = 0; r < b * m; ++r) {
      double hi = -INFINITY, total = 0;
      for (long long k = 0; k < n; ++k) hi = std::max(hi, double(hx[r * n + k]));
      for (long long k = 0; k < n; ++k) total += std::exp(double(hx[r * n + k]) - hi);
      for (long long k = 0; k < n; ++k) soft[r * n + k] = std::exp(double(hx[r * n + k]) - hi) / total;
    }
    std::vector<double> run(b * m * n);
    for (long long r = 0; r < b * m; ++r) {
      double acc = 0;
      for (long long k = 0; k < n; ++k) run[r * n + k] = acc += hx[r * n + k];
    }
    Dev<float> x(hx), o_rows(b * m), o_cols(b * n), o_mean(m * n), o_soft(b * m * n), o_run(b * m * n);
    const tilecc::Tensor<const float, 3> X(x.p, {b, m, n});
    CUDA_OK(row_sum3<float>(X, tilecc::Tensor<float, 2>(o_rows.p, {b, m})));
    CUDA_OK(col_max3<float>(X, tilecc::Tensor<float, 2>(o_cols.p, {b, n})));
    CUDA_OK(batch_mean3<float>(X, tilecc::Tensor<float, 2>(o_mean.p, {m, n})));
    CUDA_OK(softmax3<float>(X, tilecc::Tensor<float, 3>(o_soft.p, {b, m, n})));
    CUDA_OK(cumsum3<float>(X, tilecc::Tensor<float, 3>(o_run.p, {b, m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    const std::string shape = dims(b, m, n);
    report("row_sum3", "f32", shape.c_str(), o_rows.get(), rows, 1e-5 * std::sqrt(double(n)));
    report("col_max3", "f32", shape.c_str(), o_cols.get(), cols, 0);
    report("batch_mean3", "f32", shape.c_str(), o_mean.get(), mean, 1e-5);
    report("softmax3", "f32", shape.c_str(), o_soft.get(), soft, 1e-5);
    report("cumsum3", "f32", shape.c_str(), o_run.get(), run, 1e-5 * std::sqrt(double(n)));
  }
}

template <class T> void check_permutes(const char* dt, double tol) {
  for (auto& s : kShapes) {
    const long long b = s[0], m = s[1], n = s[2];
    const auto hx = random_vec<T>(b * m * n), hy = random_vec<T>(b * m * n);
    std::vector<double> want_t(hx.size()), want_r(hx.size());
    for (long long i = 0; i < b; ++i)
      for (long long j = 0; j < m; ++j)
        for (long long k = 0; k < n; ++k) {
          const double v = hx[(i * m + j) * n + k];
          want_t[(i * n + k) * m + j] = v * 2 + hy[(i * n + k) * m + j];
          want_r[(k * b + i) * m + j] = v;
        }
    Dev<T> x(hx), y(hy), out_t(b * m * n), out_r(b * m * n);
    CUDA_OK(transpose3<T>(tilecc::Tensor<const T, 3>(x.p, {b, m, n}), tilecc::Tensor<const T, 3>(y.p, {b, n, m}),
                          tilecc::Tensor<T, 3>(out_t.p, {b, n, m})));
    if constexpr (std::is_same_v<T, float>)
      CUDA_OK(rotate3<T>(tilecc::Tensor<const T, 3>(x.p, {b, m, n}), tilecc::Tensor<T, 3>(out_r.p, {n, b, m})));
    CUDA_OK(cudaDeviceSynchronize());
    report("transpose3", dt, dims(b, m, n).c_str(), out_t.get(), want_t, tol);
    if constexpr (std::is_same_v<T, float>) report("rotate3", dt, dims(b, m, n).c_str(), out_r.get(), want_r, 0);
  }
}

void check_rank4() {
  const long long shapes[][4] = {{1, 1, 1, 1}, {2, 3, 17, 33}, {3, 2, 65, 7}, {70, 3, 9, 2}};
  for (auto& s : shapes) {
    const long long a = s[0], b = s[1], m = s[2], n = s[3];
    const auto hx = random_vec<float>(a * b * m * n), hbias = random_vec<float>(m * n);
    std::vector<double> want(hx.size());
    for (std::size_t i = 0; i < want.size(); ++i)
      want[i] = std::max(0.0, double(hx[i]) + hbias[i % static_cast<std::size_t>(m * n)]);
    Dev<float> x(hx), bias(hbias), out(a * b * m * n);
    CUDA_OK(bias_add4<float>(tilecc::Tensor<const float, 4>(x.p, {a, b, m, n}),
                             tilecc::Tensor<const float, 2>(bias.p, {m, n}),
                             tilecc::Tensor<float, 4>(out.p, {a, b, m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    report("bias_add4", "f32", (std::to_string(a) + " x " + dims(b, m, n)).c_str(), out.get(), want, 1e-6);

    // Along the first dimension: accumulated in the program, added atomically across programs.
    std::vector<double> sum(b * m * n, 0.0);
    for (long long i = 0; i < a; ++i)
      for (long long r = 0; r < b * m * n; ++r) sum[r] += hx[i * b * m * n + r];
    Dev<float> o_sum(std::vector<float>(b * m * n, 0.0f));
    CUDA_OK(sum_first4<float>(tilecc::Tensor<const float, 4>(x.p, {a, b, m, n}),
                              tilecc::Tensor<float, 3>(o_sum.p, {b, m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    report("sum_first4", "f32", (std::to_string(a) + " x " + dims(b, m, n)).c_str(), o_sum.get(), sum,
           1e-5 * std::sqrt(double(a)));
  }
}

}  // namespace

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  check_elementwise<float>("f32", 1e-6);
  check_elementwise<__nv_bfloat16>("bf16", 1e-2);
  check_reductions();
  check_permutes<float>("f32", 1e-6);
  check_permutes<__nv_bfloat16>("bf16", 1e-2);
  check_rank4();
  return tilecc::test::tally.finish();
}
