// Stand-in (see ATen/ATen.h): the device guard.
#pragma once

#include <ATen/ATen.h>

namespace c10::cuda {
struct CUDAGuard {
  explicit CUDAGuard(c10::Device device);
  ~CUDAGuard();
};
}  // namespace c10::cuda
