// Timing for the benchmarks (not tests): CUDA events around one call, the L2 flushed before
// every repetition, median of the repetitions, after warm-up; median_ms_within caps the
// repetitions by a time budget (samples of random configs hold some that take seconds).
//
// Two ways to flush the 50 MB L2, both over a 256 MB buffer:
// - Flush::read (the default) reads it, leaving the L2 full of clean lines;
// - Flush::write writes it (cudaMemset, as triton.testing.do_bench does), leaving the L2 full
//   of dirty lines that the timed kernel then pays to write back: up to 50 MB of extra write
//   traffic, which on a 64 MB read-only kernel (bf16 row sums, 8192x4096) is most of a second
//   pass. Measured on an H100: sum 8192x4096 at 68% of copy bandwidth with the write flush.
#pragma once

#include <algorithm>
#include <functional>
#include <vector>

#include "../test/support/cuda_check.hpp"

namespace bench {

enum class Flush { read, write };

__global__ void read_flush_kernel(const uint4* p, size_t n, unsigned* sink) {
  unsigned acc = 0;
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    const uint4 v = p[i];
    acc ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (acc == 0x9e3779b9u) *sink = acc;  // keeps the loads; practically never written
}

class Timer {
 public:
  static constexpr size_t kFlushBytes = 256ull << 20;
  Timer() {
    CUDA_OK(cudaMalloc(&flush_, kFlushBytes));
    CUDA_OK(cudaMemset(flush_, 1, kFlushBytes));
    CUDA_OK(cudaMalloc(&sink_, sizeof(unsigned)));
    CUDA_OK(cudaEventCreate(&a_));
    CUDA_OK(cudaEventCreate(&b_));
  }
  ~Timer() {
    cudaFree(flush_);
    cudaFree(sink_);
    cudaEventDestroy(a_);
    cudaEventDestroy(b_);
  }

  void flush(Flush how, int i) {
    if (how == Flush::write) {
      CUDA_OK(cudaMemsetAsync(flush_, i & 0xff, kFlushBytes));
    } else {
      read_flush_kernel<<<1024, 512>>>(static_cast<const uint4*>(flush_), kFlushBytes / 16, sink_);
      CUDA_OK(cudaGetLastError());
    }
  }

  /// Median time in ms of `fn` over `reps` runs, the L2 flushed before each.
  double median_ms(const std::function<void()>& fn, int reps = 30, Flush how = Flush::read) {
    for (int i = 0; i < 3; ++i) fn();
    CUDA_OK(cudaDeviceSynchronize());
    return median_of(fn, reps, how);
  }

  /// median_ms with at most `reps` runs and about `budget_ms` of GPU time in all: a slow
  /// config (one call taking seconds) is timed once or twice instead of `reps` times.
  double median_ms_within(const std::function<void()>& fn, double budget_ms, int reps = 30,
                          Flush how = Flush::read) {
    const double first = time_one(fn, how, 0);  // also the warm-up (first launch, caches)
    const int afford = static_cast<int>(budget_ms / std::max(first, 1e-3));
    if (afford < 3) return afford < 2 ? first : std::min(first, time_one(fn, how, 1));
    fn();
    CUDA_OK(cudaDeviceSynchronize());
    return median_of(fn, std::min(reps, afford - 1), how);
  }

 private:
  double time_one(const std::function<void()>& fn, Flush how, int i) {
    flush(how, i);
    CUDA_OK(cudaEventRecord(a_));
    fn();
    CUDA_OK(cudaEventRecord(b_));
    CUDA_OK(cudaEventSynchronize(b_));
    float ms = 0;
    CUDA_OK(cudaEventElapsedTime(&ms, a_, b_));
    return ms;
  }

  double median_of(const std::function<void()>& fn, int reps, Flush how) {
    std::vector<double> t;
    for (int i = 0; i < reps; ++i) t.push_back(time_one(fn, how, i));
    CUDA_OK(cudaGetLastError());
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
  }

  void* flush_ = nullptr;
  unsigned* sink_ = nullptr;
  cudaEvent_t a_{}, b_{};
};

}  // namespace bench
