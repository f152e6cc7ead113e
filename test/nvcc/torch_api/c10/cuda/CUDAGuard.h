// Stand-in (see ATen/ATen.h): the device guard (does nothing).
#pragma once

#include <ATen/ATen.h>

namespace c10::cuda {
struct CUDAGuard {
  explicit CUDAGuard(c10::Device) {}
};
}  // namespace c10::cuda
