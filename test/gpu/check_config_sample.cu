// GPU check of one sampled config (scripts/gpu_config_space.sh): every example translated
// with config i of its seeded sample (the sample the nvrtc tier compiles) is checked against
// the plain-loop references of check_examples.cu at odd sizes; with --bench it then times
// matmul bf16 4096^3 and softmax bf16 16384 x 1024 (bench/timing.cuh: L2 flushed, median) and
// prints one "time" line for the script's table.
#define main check_examples_main
#include "check_examples.cu"
#undef main

#include <cstring>

#include "../../bench/timing.cuh"

int main(int argc, char** argv) {
  const int status = check_examples_main();
  if (argc < 2 || std::strcmp(argv[1], "--bench") != 0) return status;
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) return status;
  bench::Timer timer;
  using bf = __nv_bfloat16;
  const long long m = 4096, n = 4096, k = 4096;
  Dev<bf> x(random_vec(m * k)), y(random_vec(k * n)), out(m * n);
  const double mm_ms = timer.median_ms([&] {
    CUDA_OK(matmul<bf>(tilecc::Tensor<const bf, 2>(x.p, {m, k}), tilecc::Tensor<const bf, 2>(y.p, {k, n}),
                       tilecc::Tensor<bf, 2>(out.p, {m, n})));
  }, 20);
  const long long rows = 16384, cols = 1024;
  Dev<bf> s(random_vec(rows * cols)), so(rows * cols);
  const double sm_ms = timer.median_ms([&] {
    CUDA_OK(softmax<bf>(tilecc::Tensor<const bf, 2>(s.p, {rows, cols}), tilecc::Tensor<bf, 2>(so.p, {rows, cols})));
  }, 30);
  std::printf("time matmul_bf16_4096 %.4f ms %.1f TFLOP/s softmax_bf16_16384x1024 %.4f ms %.3f TB/s\n", mm_ms,
              2.0 * m * n * k / (mm_ms * 1e-3) / 1e12, sm_ms, 2.0 * rows * cols * 2 / (sm_ms * 1e-3) / 1e12);
  return status;
}
