// GPU tier: the examples of the language's views and scalar reads (jagged sums and means with
// loop bounds read from an offsets tensor, concatenation and rope through shifted tiles)
// against double-precision CPU references at odd sizes. Built on the GPU machine from the
// files `tilecc translate` wrote (scripts/gpu_check.sh), flat and persistent.
// Prints a table and "N passed, M failed".
#include <cuda_bf16.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "gen/concat.cu"
#include "gen/jagged.cu"
#include "gen/rope.cu"

#include "../support/gpu_check.hpp"

namespace {

using tilecc::test::Dev;
using tilecc::test::random_vec;
using tilecc::test::report;

template <class T>
void check_jagged(const char* dt, double tol) {
  const std::vector<std::vector<long long>> cases = {{1}, {0, 3, 0}, {5, 0, 700, 1, 0, 129}, {4097}};
  for (const auto& lengths : cases)
    for (long long d : {1LL, 33LL, 300LL}) {
      std::vector<long long> offsets = {0};
      for (long long n : lengths) offsets.push_back(offsets.back() + n);
      const long long total = offsets.back(), batches = static_cast<long long>(lengths.size());
      const auto hv = random_vec<T>(total * d);
      Dev<T> v(hv), sum(batches * d), mean(batches * d);
      long long* doff = nullptr;
      CUDA_OK(cudaMalloc(&doff, offsets.size() * sizeof(long long)));
      CUDA_OK(cudaMemcpy(doff, offsets.data(), offsets.size() * sizeof(long long), cudaMemcpyHostToDevice));
      const tilecc::Tensor<const tilecc::i64, 1> off(reinterpret_cast<const tilecc::i64*>(doff), {batches + 1});
      CUDA_OK(jagged_sum<T>(off, tilecc::Tensor<const T, 2>(v.p, {total, d}), tilecc::Tensor<T, 2>(sum.p, {batches, d})));
      CUDA_OK(jagged_mean<T>(off, tilecc::Tensor<const T, 2>(v.p, {total, d}), tilecc::Tensor<T, 2>(mean.p, {batches, d})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want_sum(batches * d), want_mean(batches * d);
      for (long long b = 0; b < batches; ++b)
        for (long long c = 0; c < d; ++c) {
          double s = 0;
          for (long long r = offsets[b]; r < offsets[b + 1]; ++r) s += hv[r * d + c];
          want_sum[b * d + c] = s;
          want_mean[b * d + c] = s / double(std::max(offsets[b + 1] - offsets[b], 1LL));
        }
      char shape[64];
      std::snprintf(shape, sizeof shape, "%lld batches, %lld x %lld", batches, total, d);
      report("jagged_sum", dt, shape, sum.get(), want_sum, tol * 10);
      report("jagged_mean", dt, shape, mean.get(), want_mean, tol);
      cudaFree(doff);
    }
}

template <class T>
void check_concat(const char* dt) {
  const long long shapes[][3] = {{1, 1, 1}, {17, 33, 5}, {1000, 1, 999}, {3, 4096, 4097}};
  for (auto& s : shapes) {
    const long long m = s[0], n1 = s[1], n2 = s[2];
    const auto hx = random_vec<T>(m * n1), hy = random_vec<T>(m * n2);
    Dev<T> x(hx), y(hy), out(m * (n1 + n2));
    CUDA_OK(concat<T>(tilecc::Tensor<const T, 2>(x.p, {m, n1}), tilecc::Tensor<const T, 2>(y.p, {m, n2}),
                      tilecc::Tensor<T, 2>(out.p, {m, n1 + n2})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want;
    for (long long i = 0; i < m; ++i) {
      for (long long j = 0; j < n1; ++j) want.push_back(hx[i * n1 + j]);
      for (long long j = 0; j < n2; ++j) want.push_back(hy[i * n2 + j]);
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x (%lld + %lld)", m, n1, n2);
    report("concat", dt, shape, out.get(), want, 0);
  }
}

template <class T>
void check_rope(const char* dt, double tol) {
  const long long shapes[][3] = {{1, 1, 2}, {7, 3, 66}, {33, 8, 128}, {5, 17, 64}};
  for (auto& sh : shapes) {
    const long long s = sh[0], h = sh[1], d = sh[2], half = d / 2;
    const auto hx = random_vec<T>(s * h * d);
    std::vector<float> hc(s * half), hs(s * half);
    for (long long p = 0; p < s; ++p)
      for (long long i = 0; i < half; ++i) {
        const double angle = double(p) * std::pow(10000.0, -2.0 * double(i) / double(d));
        hc[p * half + i] = float(std::cos(angle));
        hs[p * half + i] = float(std::sin(angle));
      }
    Dev<T> x(hx), out(s * h * d);
    Dev<float> c(hc), sn(hs);
    CUDA_OK(rope<T>(tilecc::Tensor<const T, 3>(x.p, {s, h, d}), tilecc::Tensor<const float, 2>(c.p, {s, half}),
                    tilecc::Tensor<const float, 2>(sn.p, {s, half}), tilecc::Tensor<T, 3>(out.p, {s, h, d})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want(s * h * d);
    for (long long p = 0; p < s; ++p)
      for (long long j = 0; j < h; ++j)
        for (long long i = 0; i < half; ++i) {
          const long long base = (p * h + j) * d;
          const double x1 = hx[base + i], x2 = hx[base + i + half], cc = hc[p * half + i], ss = hs[p * half + i];
          want[base + i] = x1 * cc - x2 * ss;
          want[base + i + half] = x2 * cc + x1 * ss;
        }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld", s, h, d);
    report("rope", dt, shape, out.get(), want, tol);
  }
}

}  // namespace

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  check_jagged<float>("f32", 1e-5);
  check_jagged<__nv_bfloat16>("bf16", 1e-2);
  check_concat<float>("f32");
  check_concat<__nv_bfloat16>("bf16");
  check_rope<float>("f32", 1e-5);
  check_rope<__nv_bfloat16>("bf16", 1e-2);
  return tilecc::test::tally.finish();
}
