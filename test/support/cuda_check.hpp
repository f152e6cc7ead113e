// CUDA_OK(call): every CUDA runtime call in the GPU checks and benchmarks is
// checked; a failure prints the error and line and exits with status 2. gpu_present(): the
// checks' first question.
#pragma once

#include <cstdio>
#include <cstdlib>

#include <cuda_runtime.h>

#define CUDA_OK(x)                                                                         \
  do {                                                                                     \
    cudaError_t e_ = (x);                                                                  \
    if (e_ != cudaSuccess) {                                                               \
      std::printf("CUDA error %s at %s:%d\n", cudaGetErrorString(e_), __FILE__, __LINE__); \
      std::exit(2);                                                                        \
    }                                                                                      \
  } while (0)

namespace tilecc::test {

/// Whether a GPU is present; without one, prints "no GPU: skipped" (the check's main then
/// returns 0: the GPU tier passes vacuously on a machine without a GPU).
inline bool gpu_present() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0) return true;
  std::printf("no GPU: skipped\n");
  return false;
}

}  // namespace tilecc::test
