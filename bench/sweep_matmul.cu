// Benchmark sweep (not a test): one build per matmul config from .carry/mmsweep/<config>/;
// times bf16 M x N x K (arguments; 4096^3 without) against cuBLAS in the same process and
// checks the result against cuBLAS's. Prints "<config> matmul <ms> <TFLOP/s> <% of cuBLAS>
// <max rel err>", the config name followed by @MxNxK when sizes are given; exits 1 when the
// error is over 2e-2. scripts/gpu_sweep_matmul.sh and scripts/gpu_matmul_tma.sh drive it.
#include <cublas_v2.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "matmul.cu"

#ifndef CONFIG_NAME
#define CONFIG_NAME "?"
#endif

#include "../test/support/cuda_check.hpp"
#include "timing.cuh"

using bf16 = __nv_bfloat16;

int main(int argc, char** argv) {
  const long long m = argc > 3 ? std::atoll(argv[1]) : 4096, n = argc > 3 ? std::atoll(argv[2]) : 4096,
                  k = argc > 3 ? std::atoll(argv[3]) : 4096;
  const std::string name = argc > 3 ? std::string(CONFIG_NAME) + "@" + argv[1] + "x" + argv[2] + "x" + argv[3]
                                    : std::string(CONFIG_NAME);
  const size_t a_elems = size_t(m) * k, b_elems = size_t(k) * n, elems = size_t(m) * n;
  std::vector<bf16> h(std::max(a_elems, b_elems));
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1, 1);
  bf16 *a, *b, *c, *ref;
  CUDA_OK(cudaMalloc(&a, a_elems * sizeof(bf16)));
  CUDA_OK(cudaMalloc(&b, b_elems * sizeof(bf16)));
  for (bf16** p : {&c, &ref}) CUDA_OK(cudaMalloc(p, elems * sizeof(bf16)));
  for (auto [p, count] : {std::pair{a, a_elems}, std::pair{b, b_elems}}) {
    for (size_t i = 0; i < count; ++i) h[i] = __float2bfloat16(dist(rng));
    CUDA_OK(cudaMemcpy(p, h.data(), count * sizeof(bf16), cudaMemcpyHostToDevice));
  }
  cublasHandle_t handle;
  if (cublasCreate(&handle) != CUBLAS_STATUS_SUCCESS) return 1;
  const float one = 1, zero = 0;
  auto cublas = [&] {  // row-major C = A B is column-major C^T = B^T A^T
    cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, &one, b, CUDA_R_16BF, n, a, CUDA_R_16BF, k, &zero, ref,
                 CUDA_R_16BF, n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  };
  auto ours = [&] {
    CUDA_OK(matmul<bf16>(tilecc::Tensor<const bf16, 2>(a, {m, k}), tilecc::Tensor<const bf16, 2>(b, {k, n}),
                         tilecc::Tensor<bf16, 2>(c, {m, n})));
  };
  CUDA_OK(cudaMemset(c, 0xff, elems * sizeof(bf16)));  // poison: NaN
  ours();
  cublas();
  CUDA_OK(cudaDeviceSynchronize());
  std::vector<bf16> hc(elems), hr(elems);
  CUDA_OK(cudaMemcpy(hc.data(), c, elems * sizeof(bf16), cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(hr.data(), ref, elems * sizeof(bf16), cudaMemcpyDeviceToHost));
  double worst = 0;
  const size_t step = elems > (size_t(1) << 24) ? 7 : 1;  // every element of the smaller products
  for (size_t i = 0; i < elems; i += step) {
    const double x = __bfloat162float(hc[i]), r = __bfloat162float(hr[i]);
    const double e = std::fabs(x - r) / (std::fabs(r) + 1.0);
    worst = std::isnan(x) ? INFINITY : std::max(worst, e);
  }
  bench::Timer timer;
  const double cublas_ms = timer.median_ms(cublas, 20);
  const double ours_ms = timer.median_ms(ours, 20);
  const double flops = 2.0 * m * n * k;
  std::printf("%s matmul %.4f %.1f %.1f%% %.2g (cuBLAS %.4f ms %.1f TFLOP/s)\n", name.c_str(), ours_ms,
              flops / (ours_ms * 1e-3) / 1e12, 100.0 * cublas_ms / ours_ms, worst, cublas_ms,
              flops / (cublas_ms * 1e-3) / 1e12);
  return worst < 2e-2 ? 0 : 1;
}
