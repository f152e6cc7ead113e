// Matmul throughput of tilecc::dev::dot_loop against cuBLAS, without the translator: a kernel
// shaped like the generated matmul (tile ids from blockIdx, acc = full(0), dot_loop, store) for
// several (BM, BN, BK, warps), bf16 inputs/outputs, f32 accumulation. CUDA events, L2 flushed
// before every run, median of the runs.
//
//   nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Itemplates -Iinclude \
//        bench/bench_matmul.cu -o bench_matmul -lcublas && ./bench_matmul [M N K]
#include <tilecc/device.cuh>

#include <cublas_v2.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(expr)                                                                                   \
  do {                                                                                             \
    cudaError_t e_ = (expr);                                                                       \
    if (e_ != cudaSuccess) {                                                                       \
      std::fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(e_));             \
      std::exit(2);                                                                                \
    }                                                                                              \
  } while (0)

using bf16 = __nv_bfloat16;

template <int BM, int BN, int BK, int NT>
__global__ void __launch_bounds__(NT)
    k_matmul(const bf16 *x, const bf16 *y, bf16 *out, long long m, long long n, long long k) {
  using L = tilecc::dev::Layout<NT, 32>;
  long long pid = tilecc::dev::program_id(0);
  const long long tn_tiles = (n + BN - 1) / BN;
  const long long tn_id = pid % tn_tiles;
  pid /= tn_tiles;
  const long long tn_begin = tn_id * BN;
  const int tn_size = int(min((long long)BN, n - tn_begin));
  const long long tm_id = pid;
  const long long tm_begin = tm_id * BM;
  const int tm_size = int(min((long long)BM, m - tm_begin));
  auto acc = tilecc::dev::full<float, BM, BN, L>(0.0f, tm_size, tn_size);
  tilecc::dev::dot_loop<BK>(acc, x + tm_begin * k, k, 1LL, y + tn_begin, n, 1LL, 0LL, k, tm_size,
                            tn_size);
  tilecc::dev::store(out + tm_begin * n + tn_begin, tilecc::dev::cast<bf16>(acc), n, 1LL);
}

struct Ctx {
  long long m, n, k;
  bf16 *x, *y, *out, *ref;
  char *flush;
  size_t flush_bytes;
  cudaEvent_t e0, e1;
};

template <class F> float time_median(Ctx &c, F &&launch, int reps = 15) {
  std::vector<float> t;
  launch(); // warm-up
  CK(cudaDeviceSynchronize());
  for (int r = 0; r < reps; ++r) {
    CK(cudaMemsetAsync(c.flush, r, c.flush_bytes));
    CK(cudaEventRecord(c.e0));
    launch();
    CK(cudaEventRecord(c.e1));
    CK(cudaEventSynchronize(c.e1));
    float ms = 0;
    CK(cudaEventElapsedTime(&ms, c.e0, c.e1));
    t.push_back(ms);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

float bf2f(bf16 v) { return __bfloat162float(v); }

// Max relative (to max |ref|) difference of out vs ref on a sample.
double compare(Ctx &c) {
  size_t total = c.m * c.n;
  std::vector<bf16> a(total), b(total);
  CK(cudaMemcpy(a.data(), c.out, total * 2, cudaMemcpyDeviceToHost));
  CK(cudaMemcpy(b.data(), c.ref, total * 2, cudaMemcpyDeviceToHost));
  double md = 0, mr = 0;
  for (size_t i = 0; i < total; i += 7) {
    md = std::max(md, (double)std::fabs(bf2f(a[i]) - bf2f(b[i])));
    mr = std::max(mr, (double)std::fabs(bf2f(b[i])));
  }
  return md / (mr > 0 ? mr : 1);
}

template <int BM, int BN, int BK, int W> void run(Ctx &c, double cublas_tflops) {
  constexpr int NT = W * 32;
  const long long grid = ((c.m + BM - 1) / BM) * ((c.n + BN - 1) / BN);
  cudaFuncAttributes attr{};
  CK(cudaFuncGetAttributes(&attr, k_matmul<BM, BN, BK, NT>));
  CK(cudaMemset(c.out, 0, c.m * c.n * 2));
  auto launch = [&] {
    k_matmul<BM, BN, BK, NT><<<unsigned(grid), NT>>>(c.x, c.y, c.out, c.m, c.n, c.k);
  };
  launch();
  CK(cudaGetLastError());
  CK(cudaDeviceSynchronize());
  const double err = compare(c);
  const float ms = time_median(c, launch);
  const double tf = 2.0 * c.m * c.n * c.k / (ms * 1e-3) / 1e12;
  const bool fast = tilecc::dev::detail::dot_pipeline_eligible<float, BM, BK, BN, NT, bf16, bf16>;
  std::printf("BM=%3d BN=%3d BK=%3d warps=%2d %-8s regs=%3d smem=%5zu  %8.3f ms  %7.1f TFLOP/s  "
              "%5.1f%% of cuBLAS  err=%.2e\n",
              BM, BN, BK, W, fast ? "pipeline" : "fallback", attr.numRegs, attr.sharedSizeBytes,
              ms, tf, 100.0 * tf / cublas_tflops, err);
}

__global__ void k_init(bf16 *p, size_t n, unsigned seed) {
  for (size_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    unsigned h = (unsigned)i * 2654435761u ^ seed;
    h ^= h >> 13;
    h *= 0x5bd1e995u;
    h ^= h >> 15;
    p[i] = __float2bfloat16((h % 2001) / 1000.0f - 1.0f);
  }
}

int main(int argc, char **argv) {
  Ctx c{};
  c.m = argc > 1 ? atoll(argv[1]) : 4096;
  c.n = argc > 2 ? atoll(argv[2]) : 4096;
  c.k = argc > 3 ? atoll(argv[3]) : 4096;
  CK(cudaMalloc(&c.x, c.m * c.k * 2));
  CK(cudaMalloc(&c.y, c.k * c.n * 2));
  CK(cudaMalloc(&c.out, c.m * c.n * 2));
  CK(cudaMalloc(&c.ref, c.m * c.n * 2));
  c.flush_bytes = 256u << 20;
  CK(cudaMalloc(&c.flush, c.flush_bytes));
  CK(cudaEventCreate(&c.e0));
  CK(cudaEventCreate(&c.e1));
  k_init<<<1024, 256>>>(c.x, c.m * c.k, 1);
  k_init<<<1024, 256>>>(c.y, c.k * c.n, 2);
  CK(cudaDeviceSynchronize());

  cublasHandle_t h;
  cublasCreate(&h);
  const float alpha = 1, beta = 0;
  // Row-major out = x @ y is column-major out^T = y^T x^T.
  auto cublas = [&] {
    cublasGemmEx(h, CUBLAS_OP_N, CUBLAS_OP_N, (int)c.n, (int)c.m, (int)c.k, &alpha, c.y,
                 CUDA_R_16BF, (int)c.n, c.x, CUDA_R_16BF, (int)c.k, &beta, c.ref, CUDA_R_16BF,
                 (int)c.n, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
  };
  const float cms = time_median(c, cublas);
  const double ctf = 2.0 * c.m * c.n * c.k / (cms * 1e-3) / 1e12;
  std::printf("matmul bf16 %lld x %lld x %lld\ncuBLAS                                          "
              "       %8.3f ms  %7.1f TFLOP/s\n",
              c.m, c.n, c.k, cms, ctf);

  run<128, 128, 32, 8>(c, ctf);
  run<128, 128, 32, 4>(c, ctf);
  run<128, 256, 32, 8>(c, ctf);
  run<256, 128, 32, 8>(c, ctf);
  run<128, 64, 32, 4>(c, ctf);
  run<64, 128, 32, 4>(c, ctf);
  run<64, 64, 32, 4>(c, ctf);
  run<128, 64, 64, 4>(c, ctf);
  run<64, 128, 64, 4>(c, ctf);
  run<128, 128, 64, 8>(c, ctf);
  cublasDestroy(h);
  return 0;
}
