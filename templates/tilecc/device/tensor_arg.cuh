// A tensor as a kernel receives it: pointer, sizes and strides (in elements).
#pragma once

namespace tilecc::dev {

template <class T, int R> struct TensorArg {
  T* data;
  long long sizes[R];
  long long strides[R];
  __host__ __device__ long long size(int d) const { return sizes[d]; }
  __host__ __device__ long long stride(int d) const { return strides[d]; }
};

}  // namespace tilecc::dev
