// GPU tier: translated examples vs double-precision CPU references on random
// inputs at odd sizes. Built on the GPU machine from the files `tilecc
// translate` wrote (scripts/gpu_check.sh). Prints a table and "N passed, M failed".
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "gen/add.cu"
#include "gen/exp.cu"
#include "gen/long_sum.cu"
#include "gen/rms_norm.cu"
#include "gen/softmax.cu"
#include "gen/sum.cu"

#define CUDA_OK(x)                                                                       \
  do {                                                                                   \
    cudaError_t e_ = (x);                                                                \
    if (e_ != cudaSuccess) {                                                             \
      std::printf("CUDA error %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__); \
      std::exit(2);                                                                      \
    }                                                                                    \
  } while (0)

static int passed = 0, failed = 0;
static std::mt19937 rng(1234);

template <class T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(const std::vector<float>& h) : n(h.size()) {
    std::vector<T> t(h.size());
    for (size_t i = 0; i < h.size(); ++i) t[i] = T(h[i]);
    CUDA_OK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T)));
    CUDA_OK(cudaMemcpy(p, t.data(), n * sizeof(T), cudaMemcpyHostToDevice));
  }
  explicit Dev(size_t count) : n(count) {
    CUDA_OK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T)));
    CUDA_OK(cudaMemset(p, 0xff, n * sizeof(T)));  // poison: NaN for floats
  }
  std::vector<double> get() const {
    std::vector<T> t(n);
    CUDA_OK(cudaMemcpy(t.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = double(float(t[i]));
    return out;
  }
  ~Dev() { cudaFree(p); }
};

std::vector<float> random_vec(size_t n, float lo = -2, float hi = 2) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) {
    x = d(rng);
    if (x == 0) x = 0.5f;
  }
  return v;
}
template <class T>
std::vector<float> rounded(std::vector<float> v) {
  for (auto& x : v) x = float(T(x));
  return v;
}

void report(const char* name, const char* dtype, long long m, long long n, const std::vector<double>& got,
            const std::vector<double>& want, double tol) {
  double worst = 0;
  bool ok = got.size() == want.size();
  for (size_t i = 0; ok && i < got.size(); ++i) {
    const double err = std::fabs(got[i] - want[i]) / (1e-6 + std::fabs(want[i]));
    const double abs_err = std::fabs(got[i] - want[i]);
    if (std::isnan(got[i]) || (err > tol && abs_err > tol)) ok = false;
    worst = std::max(worst, std::min(err, abs_err));
  }
  std::printf("%-16s %-5s %6lld x %-6lld max err %.2e  %s\n", name, dtype, m, n, worst, ok ? "PASS" : "FAIL");
  (ok ? passed : failed)++;
}

template <class T>
void check_all(const char* dt, double tol) {
  const long long shapes[][2] = {{1, 1}, {17, 1000}, {1000, 17}, {257, 1000}, {3, 4097}};
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    const auto hx = rounded<T>(random_vec(m * n)), hy = rounded<T>(random_vec(m * n));
    Dev<T> x(hx), y(hy);
    // add
    {
      Dev<T> out(m * n);
      CUDA_OK(add<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 2>(y.p, {m, n}),
                     tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i) want[i] = double(hx[i]) + hy[i];
      report("add", dt, m, n, out.get(), want, tol);
    }
    // exp (1-D over all m*n elements)
    {
      Dev<T> out(m * n);
      CUDA_OK(exp<T>(tilecc::Tensor<const T, 1>(x.p, {m * n}), tilecc::Tensor<T, 1>(out.p, {m * n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i) want[i] = std::exp(double(hx[i]));
      report("exp", dt, 1, m * n, out.get(), want, tol);
    }
    std::vector<double> rowsum(m), rowmax(m, -INFINITY);
    for (long long i = 0; i < m; ++i)
      for (long long j = 0; j < n; ++j) {
        rowsum[i] += hx[i * n + j];
        rowmax[i] = std::max(rowmax[i], double(hx[i * n + j]));
      }
    // long_sum (streams the row in tiles)
    {
      Dev<T> out(m);
      CUDA_OK(long_sum<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 1>(out.p, {m})));
      CUDA_OK(cudaDeviceSynchronize());
      report("long_sum", dt, m, n, out.get(), rowsum, tol * 10);
    }
    if (n > 1024) continue;  // whole-row kernels: default full_extent is 1024
    {
      Dev<T> out(m);
      CUDA_OK(sum<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 1>(out.p, {m})));
      CUDA_OK(cudaDeviceSynchronize());
      report("sum", dt, m, n, out.get(), rowsum, tol * 10);
    }
    std::vector<double> sm(m * n);
    for (long long i = 0; i < m; ++i) {
      double z = 0;
      for (long long j = 0; j < n; ++j) z += std::exp(hx[i * n + j] - rowmax[i]);
      for (long long j = 0; j < n; ++j) sm[i * n + j] = std::exp(hx[i * n + j] - rowmax[i]) / z;
    }
    {
      Dev<T> out(m * n);
      CUDA_OK(softmax<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      report("softmax", dt, m, n, out.get(), sm, tol);
    }
    {
      Dev<T> out(m * n);
      CUDA_OK(softmax_two_pass<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      report("softmax_two_pass", dt, m, n, out.get(), sm, tol);
    }
    {
      const auto hw = rounded<T>(random_vec(n));
      Dev<T> w(hw), out(m * n);
      const float eps = 1e-5f;
      CUDA_OK(rms_norm<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 1>(w.p, {n}), eps,
                          tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m; ++i) {
        double ss = 0;
        for (long long j = 0; j < n; ++j) ss += double(hx[i * n + j]) * hx[i * n + j];
        const double r = 1 / std::sqrt(ss / n + eps);
        for (long long j = 0; j < n; ++j) want[i * n + j] = hx[i * n + j] * r * hw[j];
      }
      report("rms_norm", dt, m, n, out.get(), want, tol);
    }
  }
}

int main() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("no GPU: skipped\n");
    return 0;
  }
  check_all<float>("f32", 1e-4);
  check_all<__nv_bfloat16>("bf16", 2e-2);
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
