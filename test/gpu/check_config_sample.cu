// GPU check of one sampled config (scripts/gpu_config_space.sh): every example translated
// with config i of its seeded sample (the sample the nvrtc tier compiles) is checked against
// the plain-loop references of check_examples.cu at odd sizes; with --bench it then times
// matmul bf16 4096^3 and softmax bf16 8192 x 4096 (bench/timing.cuh: L2 flushed, median, the
// repetitions capped by time) and prints one "time" line for the script's table;
// --bench-only times without checking.
#define main check_examples_main
#include "check_examples.cu"
#undef main

#include <cstring>

#include "../../bench/timing.cuh"

namespace {

/// Median ms of `launch` within about `budget_ms` of GPU time, or NaN when the kernel refuses
/// the shapes (its launcher says why on stderr).
double time_or_nan(bench::Timer& timer, const std::function<cudaError_t()>& launch, double budget_ms, int reps) {
  if (launch() != cudaSuccess) return NAN;
  CUDA_OK(cudaDeviceSynchronize());
  return timer.median_ms_within([&] { CUDA_OK(launch()); }, budget_ms, reps);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  const int status = mode == "--bench-only" ? 0 : check_examples_main();
  if (mode != "--bench" && mode != "--bench-only") return status;
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) return status;
  bench::Timer timer;
  using bf = __nv_bfloat16;
  const long long m = 4096, n = 4096, k = 4096;
  Dev<bf> x(random_vec(m * k)), y(random_vec(k * n)), out(m * n);
  const double mm_ms = time_or_nan(timer, [&] {
    return matmul<bf>(tilecc::Tensor<const bf, 2>(x.p, {m, k}), tilecc::Tensor<const bf, 2>(y.p, {k, n}),
                      tilecc::Tensor<bf, 2>(out.p, {m, n}));
  }, 1500, 20);
  const long long rows = 8192, cols = 4096;
  Dev<bf> s(random_vec(rows * cols)), so(rows * cols);
  const double sm_ms = time_or_nan(timer, [&] {
    return softmax<bf>(tilecc::Tensor<const bf, 2>(s.p, {rows, cols}), tilecc::Tensor<bf, 2>(so.p, {rows, cols}));
  }, 500, 30);
  std::printf("time matmul_bf16_4096 %.4f ms %.1f TFLOP/s softmax_bf16_8192x4096 %.4f ms %.3f TB/s\n", mm_ms,
              2.0 * m * n * k / (mm_ms * 1e-3) / 1e12, sm_ms, 2.0 * rows * cols * 2 / (sm_ms * 1e-3) / 1e12);
  return status;
}
