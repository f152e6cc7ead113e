// Benchmark (not a test): translated kernels at large sizes, bf16, against
// device copy bandwidth and cuBLAS measured in the same run. CUDA events,
// L2 flushed before every repetition, median of the repetitions (bench/timing.cuh).
// The row kernels are also timed after a write flush (cudaMemset, as
// triton.testing.do_bench flushes), which adds the write-back of ~50 MB of dirty L2.
// Build: scripts/gpu_bench.sh. PyTorch figures come from bench/bench_torch.py.
#include <cublas_v2.h>

#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "bench/add.cu"
#include "bench/jsd.cu"
#include "bench/kl_div.cu"
#include "bench/low_mem_dropout.cu"
#include "bench/layer_norm.cu"
#include "bench/matmul.cu"
#include "bench/rms_norm.cu"
#include "bench/softmax.cu"
#include "bench/sum.cu"

#include "../test/support/cuda_check.hpp"
#include "timing.cuh"

using bf16 = __nv_bfloat16;

static bench::Timer* timer = nullptr;

/// Median time in ms of `fn`, the L2 flushed by reading (bench/timing.cuh says why).
double time_ms(const std::function<void()>& fn, int reps = 30, bench::Flush how = bench::Flush::read) {
  return timer->median_ms(fn, reps, how);
}

bf16* random_bf16(size_t n, unsigned seed) {
  std::vector<bf16> h(n);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1, 1);
  for (auto& x : h) x = __float2bfloat16(d(rng) + 0.01f);
  bf16* p = nullptr;
  CUDA_OK(cudaMalloc(&p, n * sizeof(bf16)));
  CUDA_OK(cudaMemcpy(p, h.data(), n * sizeof(bf16), cudaMemcpyHostToDevice));
  return p;
}

int main() {
  cudaDeviceProp prop{};
  CUDA_OK(cudaGetDeviceProperties(&prop, 0));
  bench::Timer t;
  timer = &t;
  const long long m = 8192, n = 4096;
  const size_t elems = size_t(m) * n;
  bf16* x = random_bf16(elems, 1);
  bf16* y = random_bf16(elems, 2);
  bf16* w = random_bf16(n, 3);
  bf16* bias = random_bf16(n, 4);
  bf16* out = nullptr;
  CUDA_OK(cudaMalloc(&out, elems * sizeof(bf16)));

  // Reference: device-to-device copy of 1 GiB, counting bytes read + written.
  const size_t copy_bytes = 1ull << 30;
  void *src = nullptr, *dst = nullptr;
  CUDA_OK(cudaMalloc(&src, copy_bytes));
  CUDA_OK(cudaMalloc(&dst, copy_bytes));
  const double copy_ms = time_ms([&] { CUDA_OK(cudaMemcpyAsync(dst, src, copy_bytes, cudaMemcpyDeviceToDevice)); });
  const double copy_tbs = 2.0 * copy_bytes / (copy_ms * 1e-3) / 1e12;
  std::printf("GPU: %s, %d SMs\n", prop.name, prop.multiProcessorCount);
  const double copy_ms_w = time_ms([&] { CUDA_OK(cudaMemcpyAsync(dst, src, copy_bytes, cudaMemcpyDeviceToDevice)); },
                                  30, bench::Flush::write);
  const double copy_tbs_w = 2.0 * copy_bytes / (copy_ms_w * 1e-3) / 1e12;
  std::printf("%-28s %9s %10s %12s %18s\n", "kernel (bf16)", "ms", "TB/s", "% of copy", "write-flush %");
  std::printf("%-28s %9.4f %10.2f %11.1f%% %17.1f%%\n", "device copy 1 GiB", copy_ms, copy_tbs, 100.0, 100.0);

  using C2 = tilecc::Tensor<const bf16, 2>;
  using C1 = tilecc::Tensor<const bf16, 1>;
  using O2 = tilecc::Tensor<bf16, 2>;
  auto row = [&](const char* name, double bytes, const std::function<cudaError_t()>& fn) {
    CUDA_OK(fn());
    const double ms = time_ms([&] { CUDA_OK(fn()); });
    const double ms_w = time_ms([&] { CUDA_OK(fn()); }, 30, bench::Flush::write);
    const double tbs = bytes / (ms * 1e-3) / 1e12, tbs_w = bytes / (ms_w * 1e-3) / 1e12;
    std::printf("%-28s %9.4f %10.2f %11.1f%% %17.1f%%\n", name, ms, tbs, 100.0 * tbs / copy_tbs,
                100.0 * tbs_w / copy_tbs_w);
  };
  const double b2 = 2.0 * elems * sizeof(bf16), b3 = 3.0 * elems * sizeof(bf16);
  row("add 8192x4096", b3, [&] { return add<bf16>(C2(x, {m, n}), C2(y, {m, n}), O2(out, {m, n})); });
  row("sum 8192x4096 (rows)", elems * 2.0 + m * 2.0, [&] {
    return sum<bf16>(C2(x, {m, n}), tilecc::Tensor<bf16, 1>(out, {m}));
  });
  row("softmax 8192x4096", b2, [&] { return softmax<bf16>(C2(x, {m, n}), O2(out, {m, n})); });
  row("layer_norm 8192x4096", b2, [&] {
    return layer_norm<bf16>(C2(x, {m, n}), C1(w, {n}), C1(bias, {n}), 1e-5f, O2(out, {m, n}));
  });
  row("rms_norm 8192x4096", b2, [&] { return rms_norm<bf16>(C2(x, {m, n}), C1(w, {n}), 1e-5f, O2(out, {m, n})); });
  // The Helion ports, default configs (bench/bench_torch.py has torch eager and torch.compile).
  float* loss = nullptr;
  CUDA_OK(cudaMalloc(&loss, m * sizeof(float)));
  row("low_mem_dropout 8192x4096", b2, [&] {
    return low_mem_dropout<bf16>(0.3f, 7, tilecc::Tensor<const bf16, 1>(x, {m * n}), tilecc::Tensor<bf16, 1>(out, {m * n}));
  });
  row("kl_div 8192x4096", b2 + m * 4.0, [&] {
    return kl_div<bf16>(C2(x, {m, n}), C2(y, {m, n}), 1e-10f, tilecc::Tensor<float, 1>(loss, {m}));
  });
  row("jsd 8192x4096 (loss, dx)", b3 + m * 4.0, [&] {
    return jsd<bf16>(C2(x, {m, n}), C2(y, {m, n}), 0.5f, tilecc::Tensor<float, 1>(loss, {m}), O2(out, {m, n}));
  });

  // Matmul 4096^3 vs cuBLAS (bf16 in, fp32 accumulate, bf16 out).
  const long long s = 4096;
  bf16* a = random_bf16(size_t(s) * s, 5);
  bf16* bm = random_bf16(size_t(s) * s, 6);
  bf16* c = nullptr;
  CUDA_OK(cudaMalloc(&c, size_t(s) * s * sizeof(bf16)));
  cublasHandle_t h;
  cublasCreate(&h);
  const float one = 1, zero = 0;
  // Row-major C = A B is column-major C^T = B^T A^T.
  const double cublas_ms = time_ms([&] {
    cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, s, s, s, &one, bm, CUDA_R_16BF, s, a, CUDA_R_16BF, s, &zero, c,
                 CUDA_R_16BF, s, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  });
  const double flops = 2.0 * s * s * s;
  const double ours_ms = time_ms([&] { CUDA_OK(matmul<bf16>(C2(a, {s, s}), C2(bm, {s, s}), O2(c, {s, s}))); }, 10);
  std::printf("%-28s %9s %10s %12s\n", "matmul (bf16)", "ms", "TFLOP/s", "% of cuBLAS");
  std::printf("%-28s %9.4f %10.1f %11.1f%%\n", "cuBLAS 4096^3", cublas_ms, flops / (cublas_ms * 1e-3) / 1e12, 100.0);
  std::printf("%-28s %9.4f %10.1f %11.1f%%\n", "tilecc matmul 4096^3", ours_ms, flops / (ours_ms * 1e-3) / 1e12,
              100.0 * cublas_ms / ours_ms);
  return 0;
}
