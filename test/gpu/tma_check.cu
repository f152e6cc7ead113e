// GPU check of templates/tilecc/device/tma.cuh (scripts/gpu_config_space.sh): load_tma and
// store_tma against the register path (access.cuh's load_hinted / store_hinted) on the same
// tiles, element for element, at awkward shapes: rows not 16-byte aligned (odd row strides, a
// base one element in), partial tiles, rows shorter than one bulk copy, a strided column
// (no bulk copy at all), rows replicated over the block (R == 1), several tiles through the
// same stages (the mbarrier's phase flips). The values are all negative, so that a row max
// over a partial tile is wrong if anything outside the tile counts as zero. Outputs are
// poisoned; the stores must leave every element outside the tile alone.
//   nvcc -std=c++20 -gencode=arch=compute_90a,code=sm_90a -I templates test/gpu/tma_check.cu
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <tilecc/device.cuh>

#include "../support/cuda_check.hpp"

namespace dev = tilecc::dev;

static int passed = 0, failed = 0;

template <class S, int R, int C, int NT, int TC, bool Vec>
__global__ void tma_vs_registers(const S* x, long long row_stride, long long col_stride, int rows, int cols,
                                 int tiles, long long tile_step, S* out_tma, S* out_ref, float* row_max,
                                 int* mismatches) {
  using L = dev::Layout<NT, TC>;
  __shared__ dev::TmaStage<S, R, C> load_stage, store_stage;
  unsigned phase = 0;
  dev::tma_init<L>(load_stage);
  dev::tma_init<L>(store_stage);
  for (int t = 0; t < tiles; ++t) {
    const long long at = t * tile_step;
    dev::Frag<float, R, C, L> a, b;
    dev::load_tma<dev::LoadHint::evict_first, Vec>(a, load_stage, phase, x + at, row_stride, col_stride, rows, cols);
    dev::load_hinted<dev::LoadHint::none, Vec>(b, x + at, row_stride, col_stride, rows, cols);
    int bad = 0;
    for (int i = 0; i < a.er; ++i)
      for (int j = 0; j < a.ec; ++j) bad += a.v[i][j] != b.v[i][j];
    if (bad) atomicAdd(mismatches, bad);
    dev::store_tma<dev::StoreHint::cs, Vec>(store_stage, out_tma + at, a, row_stride, col_stride);
    dev::store_hinted<dev::StoreHint::none, Vec>(out_ref + at, b, row_stride, col_stride);
    const auto m = dev::reduce_max_cols<float>(a);
    dev::store(row_max + static_cast<long long>(t) * R, m, 1, 1);
  }
}

template <class S, int R, int C, int NT, int TC, bool Vec>
void check(const char* what, int rows, int cols, long long row_stride, long long col_stride, long long offset,
           int tiles) {
  const long long tile_step = static_cast<long long>(rows) * row_stride;
  const long long n = offset + tiles * tile_step + static_cast<long long>(cols) * col_stride + 64;
  std::mt19937 rng(rows * 131 + cols);
  std::uniform_real_distribution<float> d(-100.f, -1.f);  // all negative: a zero would be a max
  std::vector<S> hx(n);
  for (S& v : hx) v = S(d(rng));
  S *x, *out_tma, *out_ref;
  float* row_max;
  int* mismatches;
  CUDA_OK(cudaMalloc(&x, n * sizeof(S)));
  CUDA_OK(cudaMalloc(&out_tma, n * sizeof(S)));
  CUDA_OK(cudaMalloc(&out_ref, n * sizeof(S)));
  CUDA_OK(cudaMalloc(&row_max, tiles * R * sizeof(float)));
  CUDA_OK(cudaMalloc(&mismatches, sizeof(int)));
  CUDA_OK(cudaMemcpy(x, hx.data(), n * sizeof(S), cudaMemcpyHostToDevice));
  CUDA_OK(cudaMemset(out_tma, 0x7b, n * sizeof(S)));  // poison, the same in both
  CUDA_OK(cudaMemset(out_ref, 0x7b, n * sizeof(S)));
  CUDA_OK(cudaMemset(row_max, 0x7b, tiles * R * sizeof(float)));
  CUDA_OK(cudaMemset(mismatches, 0, sizeof(int)));
  tma_vs_registers<S, R, C, NT, TC, Vec><<<1, NT>>>(x + offset, row_stride, col_stride, rows, cols, tiles, tile_step,
                                                    out_tma + offset, out_ref + offset, row_max, mismatches);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaDeviceSynchronize());
  int bad_loads = 0;
  std::vector<S> got(n), want(n);
  std::vector<float> maxes(tiles * R);
  CUDA_OK(cudaMemcpy(&bad_loads, mismatches, sizeof(int), cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(got.data(), out_tma, n * sizeof(S), cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(want.data(), out_ref, n * sizeof(S), cudaMemcpyDeviceToHost));
  CUDA_OK(cudaMemcpy(maxes.data(), row_max, maxes.size() * sizeof(float), cudaMemcpyDeviceToHost));
  long long bad_stores = 0, bad_maxes = 0;
  for (long long i = 0; i < n; ++i) bad_stores += float(got[i]) != float(want[i]);
  for (int t = 0; t < tiles; ++t)
    for (int r = 0; r < rows && r < R; ++r) {
      float m = -INFINITY;
      for (int c = 0; c < cols && c < C; ++c)
        m = std::max(m, float(hx[offset + t * tile_step + r * row_stride + c * col_stride]));
      bad_maxes += maxes[t * R + r] != m;
    }
  const bool ok = bad_loads == 0 && bad_stores == 0 && bad_maxes == 0;
  std::printf("%-34s %4d x %-4d stride %5lld/%lld +%lld  loads %d stores %lld maxes %lld  %s\n", what, rows, cols,
              row_stride, col_stride, offset, bad_loads, bad_stores, bad_maxes, ok ? "PASS" : "FAIL");
  (ok ? passed : failed)++;
  cudaFree(x);
  cudaFree(out_tma);
  cudaFree(out_ref);
  cudaFree(row_max);
  cudaFree(mismatches);
}

template <class S> void check_type(const char* t) {
  char what[64];
  auto name = [&](const char* shape) {
    std::snprintf(what, sizeof what, "%s %s", t, shape);
    return what;
  };
  // Aligned rows, a partial tile, three tiles through the same stages.
  check<S, 4, 256, 128, 32, true>(name("4x256 aligned"), 3, 250, 1000, 1, 0, 3);
  // Odd row strides and a base one element in: every row has its own misalignment.
  check<S, 4, 256, 128, 32, true>(name("4x256 misaligned"), 4, 256, 257, 1, 1, 2);
  check<S, 16, 64, 128, 8, true>(name("16x64 odd"), 13, 61, 67, 1, 3, 3);
  // Rows shorter than one bulk copy: edges only.
  check<S, 16, 64, 128, 8, false>(name("16x64 short rows"), 9, 5, 7, 1, 1, 2);
  // A strided column: no bulk copy, every element in registers.
  check<S, 4, 256, 128, 32, true>(name("4x256 col stride 2"), 4, 100, 300, 2, 0, 2);
  // One row replicated over the block; a tall tile with one row per thread.
  check<S, 1, 512, 128, 128, true>(name("1x512 replicated"), 1, 509, 509, 1, 5, 4);
  check<S, 64, 32, 256, 4, true>(name("64x32 tall"), 64, 32, 33, 1, 0, 2);
  check<S, 4, 256, 128, 32, false>(name("4x256 one element"), 1, 1, 1, 1, 0, 1);
}

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  check_type<float>("f32");
  check_type<__nv_bfloat16>("bf16");
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
