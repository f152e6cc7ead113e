// Benchmark sweep (not a test): one build per matmul config from .carry/mmsweep/<config>/;
// times bf16 4096^3 against cuBLAS in the same process and checks the result against
// cuBLAS's. Prints "<config> matmul <ms> <TFLOP/s> <% of cuBLAS> <max rel err>".
// scripts/gpu_sweep_matmul.sh drives it.
#include <cublas_v2.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "matmul.cu"

#ifndef CONFIG_NAME
#define CONFIG_NAME "?"
#endif

#include "../test/support/cuda_check.hpp"
#include "timing.cuh"

using bf16 = __nv_bfloat16;

int main() {
  const long long s = 4096;
  const size_t elems = size_t(s) * s;
  std::vector<bf16> h(elems);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1, 1);
  bf16 *a, *b, *c, *ref;
  for (bf16** p : {&a, &b, &c, &ref}) CUDA_OK(cudaMalloc(p, elems * sizeof(bf16)));
  for (bf16* p : {a, b}) {
    for (auto& v : h) v = __float2bfloat16(dist(rng));
    CUDA_OK(cudaMemcpy(p, h.data(), elems * sizeof(bf16), cudaMemcpyHostToDevice));
  }
  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) return 1;
  const float one = 1, zero = 0;
  auto cublas = [&] {  // row-major C = A B is column-major C^T = B^T A^T
    cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, s, s, s, &one, b, CUDA_R_16BF, s, a, CUDA_R_16BF, s, &zero, ref,
                 CUDA_R_16BF, s, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  };
  auto ours = [&] {
    CUDA_OK(matmul<bf16>(tilecc::Tensor<const bf16, 2>(a, {s, s}), tilecc::Tensor<const bf16, 2>(b, {s, s}),
                         tilecc::Tensor<bf16, 2>(c, {s, s})));
  };
  CUDA_OK(cudaMemset(c, 0xff, elems * sizeof(bf16)));  // poison: NaN
  ours();
  cublas();
  CUDA_OK(cudaDeviceSynchronize());
  std::vector<bf16> hc(elems), hr(elems);
  CUDA_OK(cudaMemcpy(hc.data(), c, elems * sizeof(bf16), cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(hr.data(), ref, elems * sizeof(bf16), cudaMemcpyDeviceToHost));
  double worst = 0;
  for (size_t i = 0; i < elems; i += 7) {
    const double x = __bfloat162float(hc[i]), r = __bfloat162float(hr[i]);
    const double e = std::fabs(x - r) / (std::fabs(r) + 1.0);
    worst = std::isnan(x) ? INFINITY : std::max(worst, e);
  }
  bench::Timer timer;
  const double cublas_ms = timer.median_ms(cublas, 20);
  const double ours_ms = timer.median_ms(ours, 20);
  const double flops = 2.0 * s * s * s;
  std::printf("%s matmul %.4f %.1f %.1f%% %.2g (cuBLAS %.4f ms %.1f TFLOP/s)\n", CONFIG_NAME, ours_ms,
              flops / (ours_ms * 1e-3) / 1e12, 100.0 * cublas_ms / ours_ms, worst, cublas_ms,
              flops / (cublas_ms * 1e-3) / 1e12);
  return worst < 2e-2 ? 0 : 1;
}
