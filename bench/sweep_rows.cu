// Benchmark sweep (not a test): one build per config of the row kernels
// (softmax, layer_norm, rms_norm, sum) from .carry/sweep/<config>/; prints
// "<config> <kernel> <ms> <% of copy>" lines. scripts/gpu_sweep.sh drives it.
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "layer_norm.cu"
#include "rms_norm.cu"
#include "softmax.cu"
#include "sum.cu"

#ifndef CONFIG_NAME
#define CONFIG_NAME "?"
#endif

#include "../test/support/cuda_check.hpp"
#include "timing.cuh"

using bf16 = __nv_bfloat16;
static bench::Timer* timer = nullptr;

double time_ms(const std::function<void()>& fn) { return timer->median_ms(fn, 20); }

int main() {
  const long long m = 8192, n = 4096;
  bench::Timer t;
  timer = &t;
  bf16 *x, *out, *w;
  CUDA_OK(cudaMalloc(&x, m * n * 2));
  CUDA_OK(cudaMalloc(&out, m * n * 2));
  CUDA_OK(cudaMalloc(&w, n * 2));
  std::vector<bf16> h(m * n);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1, 1);
  for (auto& v : h) v = __float2bfloat16(d(rng));
  CUDA_OK(cudaMemcpy(x, h.data(), m * n * 2, cudaMemcpyHostToDevice));
  CUDA_OK(cudaMemcpy(w, h.data(), n * 2, cudaMemcpyHostToDevice));
  void *src, *dst;
  CUDA_OK(cudaMalloc(&src, 1 << 30));
  CUDA_OK(cudaMalloc(&dst, 1 << 30));
  const double copy = 2.0 * (1 << 30) / (time_ms([&] { cudaMemcpyAsync(dst, src, 1 << 30, cudaMemcpyDeviceToDevice); }) * 1e-3);
  using C2 = tilecc::Tensor<const bf16, 2>;
  using C1 = tilecc::Tensor<const bf16, 1>;
  using O2 = tilecc::Tensor<bf16, 2>;
  auto row = [&](const char* k, double bytes, const std::function<cudaError_t()>& fn) {
    CUDA_OK(fn());
    const double ms = time_ms([&] { fn(); });
    std::printf("%-22s %-11s %8.4f ms %6.1f%% of copy\n", CONFIG_NAME, k, ms, 100 * bytes / (ms * 1e-3) / copy);
  };
  const double b2 = 4.0 * m * n;
  row("softmax", b2, [&] { return softmax<bf16>(C2(x, {m, n}), O2(out, {m, n})); });
  row("layer_norm", b2, [&] { return layer_norm<bf16>(C2(x, {m, n}), C1(w, {n}), C1(w, {n}), 1e-5f, O2(out, {m, n})); });
  row("rms_norm", b2, [&] { return rms_norm<bf16>(C2(x, {m, n}), C1(w, {n}), 1e-5f, O2(out, {m, n})); });
  row("sum", 2.0 * m * n, [&] { return sum<bf16>(C2(x, {m, n}), tilecc::Tensor<bf16, 1>(out, {m})); });
}
