// Stand-in (see ATen/ATen.h): the current CUDA stream (the default stream).
#pragma once

#include <ATen/ATen.h>

namespace at::cuda {
struct CUDAStream {
  operator cudaStream_t() const { return nullptr; }
};
inline CUDAStream getCurrentCUDAStream() { return {}; }
}  // namespace at::cuda
