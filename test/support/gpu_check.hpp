// What the GPU checks of generated kernels share (test/gpu/check_*.cu): device buffers filled
// from host values or with NaN, random inputs rounded to the element type, and a PASS/FAIL
// row per comparison against a double-precision CPU reference, counted for the exit status.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "cuda_check.hpp"

namespace tilecc::test {

/// A device copy of host values (converted to T), or `count` elements of NaN (0xff bytes), so
/// that an element the kernel never writes fails the comparison.
template <class T> struct Dev {
  T* p = nullptr;
  std::size_t n = 0;
  explicit Dev(const std::vector<float>& h) : n(h.size()) {
    std::vector<T> t(h.begin(), h.end());
    CUDA_OK(cudaMalloc(&p, std::max<std::size_t>(n, 1) * sizeof(T)));
    CUDA_OK(cudaMemcpy(p, t.data(), n * sizeof(T), cudaMemcpyHostToDevice));
  }
  explicit Dev(std::size_t count) : n(count) {
    CUDA_OK(cudaMalloc(&p, std::max<std::size_t>(n, 1) * sizeof(T)));
    CUDA_OK(cudaMemset(p, 0xff, n * sizeof(T)));
  }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  std::vector<double> get() const {
    std::vector<T> t(n);
    CUDA_OK(cudaMemcpy(t.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    return std::vector<double>(t.begin(), t.end());
  }
  ~Dev() { cudaFree(p); }
};

/// The checks' results so far.
struct Tally {
  int passed = 0, failed = 0;
  /// Prints "N passed, M failed"; the exit status of the check.
  int finish() const {
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
  }
};

inline Tally tally;
inline std::mt19937 rng(2718);

/// n values uniform in [lo, hi], rounded to T (returned as float, exactly).
template <class T> std::vector<float> random_vec(std::size_t n, float lo = -2, float hi = 2) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = float(T(d(rng)));
  return v;
}

/// x [m, k] @ y [k, n], row-major, in double.
inline std::vector<double> ref_matmul(const std::vector<float>& x, const std::vector<float>& y, long long m,
                                      long long k, long long n) {
  std::vector<double> out(m * n, 0.0);
  for (long long i = 0; i < m; ++i)
    for (long long c = 0; c < k; ++c) {
      const double a = x[i * k + c];
      for (long long j = 0; j < n; ++j) out[i * n + j] += a * y[c * n + j];
    }
  return out;
}

/// One row of the table where each element has a bound of its own: |got - want| <= bound.
inline void report_bounded(const char* name, const char* dtype, const char* shape, const std::vector<double>& got,
                           const std::vector<double>& want, const std::vector<double>& bound) {
  double worst = 0;
  bool ok = got.size() == want.size() && bound.size() == want.size();
  for (std::size_t i = 0; ok && i < got.size(); ++i) {
    const double err = std::fabs(got[i] - want[i]);
    if (!(err <= bound[i])) ok = false;
    worst = std::max(worst, err);
  }
  std::printf("%-20s %-5s %-26s max err %.2e  %s\n", name, dtype, shape, worst, ok ? "PASS" : "FAIL");
  (ok ? tally.passed : tally.failed)++;
}

/// One row of the table: |got - want| <= tol * (1 + |want|) everywhere (NaN fails).
inline void report(const char* name, const char* dtype, const char* shape, const std::vector<double>& got,
                   const std::vector<double>& want, double tol) {
  std::vector<double> bound(want.size());
  for (std::size_t i = 0; i < want.size(); ++i) bound[i] = tol * (1 + std::fabs(want[i]));
  report_bounded(name, dtype, shape, got, want, bound);
}

}  // namespace tilecc::test
