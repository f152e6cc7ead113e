// Driver of the memcheck test (run.sh): launches the kernels of oob.tile.cpp, translated with
// --line-directives into OOB_CU, on tensors larger than their memory, so that compute-sanitizer
// reports invalid global writes. `main.cu scalar` runs row_sums, `main.cu tile` copy.
#include OOB_CU

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  const bool tile = argc > 1 && std::strcmp(argv[1], "tile") == 0;
  const long long rows = 64, cols = 32, n = 4096;
  float *x = nullptr, *out = nullptr;
  if (cudaMalloc(&x, n * sizeof(float)) != cudaSuccess || cudaMemset(x, 0, n * sizeof(float)) != cudaSuccess ||
      cudaMalloc(&out, 4 * sizeof(float)) != cudaSuccess) {
    std::fprintf(stderr, "no device memory\n");
    return 2;
  }
  // out has room for 4 floats; the views claim rows (row_sums) or n (copy).
  const cudaError_t launched =
      tile ? copy(tilecc::Tensor<const float, 1>(x, {n}), tilecc::Tensor<float, 1>(out, {n}), nullptr)
           : row_sums(tilecc::Tensor<const float, 2>(x, {rows, cols}), tilecc::Tensor<float, 1>(out, {rows}), nullptr);
  const cudaError_t done = cudaDeviceSynchronize();
  std::printf("launch: %s, synchronize: %s\n", cudaGetErrorString(launched), cudaGetErrorString(done));
  return 0;
}
