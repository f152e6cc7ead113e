// Stand-in (see ATen/ATen.h): the current CUDA stream.
#pragma once

#include <ATen/ATen.h>

namespace at::cuda {
struct CUDAStream {
  operator cudaStream_t() const;
};
CUDAStream getCurrentCUDAStream();
}  // namespace at::cuda
