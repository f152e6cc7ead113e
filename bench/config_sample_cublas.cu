// cuBLAS bf16 4096^3, timed like test/gpu/check_config_sample.cu --bench (bench/timing.cuh),
// the reference of scripts/gpu_config_space.sh's matmul column.
#include <cublas_v2.h>
#include <cuda_bf16.h>

#include <cstdio>

#include "timing.cuh"

int main() {
  const long long m = 4096, n = 4096, k = 4096;
  __nv_bfloat16 *x, *y, *out;
  CUDA_OK(cudaMalloc(&x, m * k * 2));
  CUDA_OK(cudaMalloc(&y, k * n * 2));
  CUDA_OK(cudaMalloc(&out, m * n * 2));
  CUDA_OK(cudaMemset(x, 0x3c, m * k * 2));  // ~1.0
  CUDA_OK(cudaMemset(y, 0x3c, k * n * 2));
  cublasHandle_t h;
  if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) return 1;
  const float alpha = 1, beta = 0;
  bench::Timer timer;
  // Row-major out = x @ y is column-major out^T = y^T x^T.
  const double ms = timer.median_ms([&] {
    if (cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, (int)n, (int)m, (int)k, &alpha, y, CUDA_R_16BF, (int)n, x,
                     CUDA_R_16BF, (int)k, &beta, out, CUDA_R_16BF, (int)n, CUBLAS_COMPUTE_32F,
                     CUBLAS_GEMM_DEFAULT) != CUBLAS_STATUS_SUCCESS)
      std::abort();
  }, 20);
  std::printf("cublas matmul_bf16_4096 %.4f ms %.1f TFLOP/s\n", ms, 2.0 * m * n * k / (ms * 1e-3) / 1e12);
  cublasDestroy(h);
  return 0;
}
