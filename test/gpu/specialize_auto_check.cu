// GPU check of `tilecc translate --specialize=auto`: the generated launchers
// pick a specialized kernel (unit last strides, block-divisible extents) or the
// generic one at run time. Inputs are chosen to take each path; every result is
// checked against plain CPU loops. Built on the GPU machine with nvcc from the
// files translated on a machine with Clang (scripts/gpu_runtime.sh).
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "spec/add.cu"
#include "spec/softmax.cu"

#include "../support/cuda_check.hpp"

static int passed = 0, failed = 0;

struct View {
  long long m, n, ld, cs, offset;
  size_t span() const { return size_t(offset + (m - 1) * ld + (n - 1) * cs + 1); }
  size_t at(long long i, long long j) const { return size_t(offset + i * ld + j * cs); }
};

static std::vector<float> random_floats(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2, 2);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

static float* upload(const std::vector<float>& h) {
  float* p = nullptr;
  CUDA_OK(cudaMalloc(&p, (h.size() + 4) * sizeof(float)));
  CUDA_OK(cudaMemcpy(p, h.data(), h.size() * sizeof(float), cudaMemcpyHostToDevice));
  return p;
}
static float* poisoned(size_t n) {
  float* p = nullptr;
  CUDA_OK(cudaMalloc(&p, (n + 4) * sizeof(float)));
  CUDA_OK(cudaMemset(p, 0xff, (n + 4) * sizeof(float)));  // NaN
  return p;
}

static void report(const char* kernel, const char* path, const View& v, double err, double tol) {
  const bool ok = err <= tol;
  std::printf("%-8s %-44s %5lld x %-5lld max err %.1e  %s\n", kernel, path, v.m, v.n, err, ok ? "PASS" : "FAIL");
  (ok ? passed : failed)++;
}

int main() {
  struct Case {
    const char* path;
    View x;
  };
  // Default configs tile add in blocks that divide 256 x 512 and softmax in row blocks dividing 256.
  const Case cases[] = {
      {"unit_div: contiguous, extents divide the blocks", {256, 512, 512, 1, 0}},
      {"unit: contiguous, odd extents", {255, 1000, 1000, 1, 0}},
      {"unit: misaligned pointer", {256, 512, 512, 1, 1}},
      {"unit: padded rows", {129, 300, 303, 1, 0}},
      {"generic: column-major x", {200, 96, 1, 200, 0}},
      {"generic: every other column", {64, 100, 200, 2, 0}},
  };
  unsigned seed = 1;
  for (const Case& c : cases) {
    const View x = c.x, out{x.m, x.n, x.n, 1, x.offset};
    const auto hx = random_floats(x.span(), seed++), hy = random_floats(out.span(), seed++);
    float *dx = upload(hx), *dy = upload(hy), *dout = poisoned(out.span());
    using T = tilecc::Tensor<const float, 2>;
    CUDA_OK(add<float>(T(dx + x.offset, {x.m, x.n}, {x.ld, x.cs}), T(dy + out.offset, {x.m, x.n}, {out.ld, 1}),
                       tilecc::Tensor<float, 2>(dout + out.offset, {x.m, x.n}, {out.ld, 1}), nullptr));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<float> got(out.span());
    CUDA_OK(cudaMemcpy(got.data(), dout, got.size() * sizeof(float), cudaMemcpyDeviceToHost));
    double err = 0;
    for (long long i = 0; i < x.m; ++i)
      for (long long j = 0; j < x.n; ++j) {
        const double e = std::fabs(got[out.at(i, j)] - (double(hx[x.at(i, j)]) + hy[out.at(i, j)]));
        err = std::isnan(e) ? INFINITY : std::max(err, e);
      }
    report("add", c.path, x, err, 1e-6);

    if (x.n <= 1024) {  // softmax keeps whole rows: the default full_extent is 1024
      CUDA_OK(cudaMemset(dout, 0xff, out.span() * sizeof(float)));
      CUDA_OK(softmax<float>(T(dx + x.offset, {x.m, x.n}, {x.ld, x.cs}),
                             tilecc::Tensor<float, 2>(dout + out.offset, {x.m, x.n}, {out.ld, 1}), nullptr));
      CUDA_OK(cudaDeviceSynchronize());
      CUDA_OK(cudaMemcpy(got.data(), dout, got.size() * sizeof(float), cudaMemcpyDeviceToHost));
      err = 0;
      for (long long i = 0; i < x.m; ++i) {
        double mx = -INFINITY, z = 0;
        for (long long j = 0; j < x.n; ++j) mx = std::max(mx, double(hx[x.at(i, j)]));
        for (long long j = 0; j < x.n; ++j) z += std::exp(hx[x.at(i, j)] - mx);
        for (long long j = 0; j < x.n; ++j) {
          const double e = std::fabs(got[out.at(i, j)] - std::exp(hx[x.at(i, j)] - mx) / z);
          err = std::isnan(e) ? INFINITY : std::max(err, e);
        }
      }
      report("softmax", c.path, x, err, 1e-5);
    }
    cudaFree(dx);
    cudaFree(dy);
    cudaFree(dout);
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
