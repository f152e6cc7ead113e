// Runs the CUDA translation of axpy.tile.cpp (built by tilecc_add_kernels) on the GPU and
// checks it against a plain loop on the host.
#include <tilecc/cuda.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

#include "axpy_params.hpp"

// The launcher tilecc generates in place of the kernel function.
cudaError_t axpy(float alpha, tilecc::Tensor<const float, 1> x, tilecc::Tensor<const float, 1> y,
                 tilecc::Tensor<float, 1> out, cudaStream_t stream);

int main() {
  const int n = 1000;
  std::vector<float> x(n), y(n), out(n);
  for (int i = 0; i < n; ++i) {
    x[i] = 0.5f * float(i);
    y[i] = float(n - i);
  }
  float *dx = nullptr, *dy = nullptr, *dout = nullptr;
  const size_t bytes = sizeof(float) * n;
  if (cudaMalloc(&dx, bytes) != cudaSuccess || cudaMalloc(&dy, bytes) != cudaSuccess ||
      cudaMalloc(&dout, bytes) != cudaSuccess) {
    std::printf("axpy cuda: no GPU memory (is there a GPU?)\n");
    return 1;
  }
  cudaMemcpy(dx, x.data(), bytes, cudaMemcpyHostToDevice);
  cudaMemcpy(dy, y.data(), bytes, cudaMemcpyHostToDevice);
  const float alpha = 2.0f;
  cudaError_t err = axpy(alpha, tilecc::Tensor<const float, 1>(dx, {n}), tilecc::Tensor<const float, 1>(dy, {n}),
                         tilecc::Tensor<float, 1>(dout, {n}), nullptr);
  if (err == cudaSuccess) err = cudaMemcpy(out.data(), dout, bytes, cudaMemcpyDeviceToHost);
  if (err != cudaSuccess) {
    std::printf("axpy cuda: %s\n", cudaGetErrorString(err));
    return 1;
  }
  int wrong = 0;
  for (int i = 0; i < n; ++i) wrong += std::fabs(out[i] - (alpha * x[i] + y[i] + AXPY_BIAS)) > 1e-4f;
  std::printf("axpy cuda: n=%d, %d wrong\n", n, wrong);
  cudaFree(dx);
  cudaFree(dy);
  cudaFree(dout);
  return wrong == 0 ? 0 : 1;
}
