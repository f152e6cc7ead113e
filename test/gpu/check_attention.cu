// GPU check and timing of examples/attention.tile.cpp, translated into .carry/attention
// (scripts/gpu_translate.sh): the flash-attention forward against attention computed directly
// in double precision on the CPU at odd sizes, causal and not; then the time of the benchmark
// shapes (bf16, batch-heads 32), which bench/bench_torch.py times for PyTorch's
// scaled_dot_product_attention in the same run. Prints "N passed, M failed".
#include <cuda_bf16.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "attention/attention.cu"
#include "../../bench/timing.cuh"
#include "../support/cuda_check.hpp"

namespace {

int passed = 0, failed = 0;

std::vector<float> random_bf16(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (float& x : v) x = float(__nv_bfloat16(d(rng)));
  return v;
}

struct Buf {
  __nv_bfloat16* p = nullptr;
  std::size_t n = 0;
  explicit Buf(const std::vector<float>& h) : n(h.size()) {
    std::vector<__nv_bfloat16> t(h.begin(), h.end());
    CUDA_OK(cudaMalloc(&p, std::max<std::size_t>(n, 1) * 2));
    CUDA_OK(cudaMemcpy(p, t.data(), n * 2, cudaMemcpyHostToDevice));
  }
  explicit Buf(std::size_t count) : n(count) {
    CUDA_OK(cudaMalloc(&p, std::max<std::size_t>(n, 1) * 2));
    CUDA_OK(cudaMemset(p, 0xff, n * 2));  // NaN: an element never written fails
  }
  ~Buf() { cudaFree(p); }
  std::vector<float> get() const {
    std::vector<__nv_bfloat16> t(n);
    CUDA_OK(cudaMemcpy(t.data(), p, n * 2, cudaMemcpyDeviceToHost));
    return std::vector<float>(t.begin(), t.end());
  }
};

using In3 = tilecc::Tensor<const tilecc::bf16, 3>;
using Out3 = tilecc::Tensor<tilecc::bf16, 3>;

cudaError_t run(const Buf& q, const Buf& k, const Buf& v, Buf& out, long long bh, long long m, long long n, long long d,
                bool causal) {
  const auto* qp = reinterpret_cast<const tilecc::bf16*>(q.p);
  const auto* kp = reinterpret_cast<const tilecc::bf16*>(k.p);
  const auto* vp = reinterpret_cast<const tilecc::bf16*>(v.p);
  auto* op = reinterpret_cast<tilecc::bf16*>(out.p);
  return attention<tilecc::bf16>(In3(qp, {bh, m, d}), In3(kp, {bh, n, d}), In3(vp, {bh, n, d}),
                                 1.0f / std::sqrt(float(d)), causal, Out3(op, {bh, m, d}));
}

void check(long long bh, long long m, long long n, long long d, bool causal) {
  const auto hq = random_bf16(bh * m * d, 1), hk = random_bf16(bh * n * d, 2), hv = random_bf16(bh * n * d, 3);
  Buf q(hq), k(hk), v(hv), out(bh * m * d);
  CUDA_OK(run(q, k, v, out, bh, m, n, d, causal));
  CUDA_OK(cudaDeviceSynchronize());
  const std::vector<float> got = out.get();
  const double scale = 1.0 / std::sqrt(double(d));
  double worst = 0;
  bool ok = true;
  std::vector<double> s(n);
  for (long long b = 0; b < bh; ++b)
    for (long long i = 0; i < m; ++i) {
      const long long keys = causal ? std::min(i + 1, n) : n;
      double mx = -INFINITY, sum = 0;
      for (long long j = 0; j < keys; ++j) {
        double dot = 0;
        for (long long c = 0; c < d; ++c) dot += double(hq[(b * m + i) * d + c]) * hk[(b * n + j) * d + c];
        s[j] = dot * scale;
        mx = std::max(mx, s[j]);
      }
      for (long long j = 0; j < keys; ++j) sum += (s[j] = std::exp(s[j] - mx));
      for (long long c = 0; c < d; ++c) {
        double want = 0;
        for (long long j = 0; j < keys; ++j) want += s[j] * hv[(b * n + j) * d + c];
        want /= sum;
        const double g = got[(b * m + i) * d + c], err = std::fabs(g - want);
        worst = std::max(worst, err);
        if (!(err <= 2e-2 + 2e-2 * std::fabs(want))) ok = false;  // bf16 output, bf16 probabilities
      }
    }
  std::printf("attention        bf16  bh %lld m %lld n %lld d %lld%s  max err %.2e  %s\n", bh, m, n, d,
              causal ? " causal" : "", worst, ok ? "PASS" : "FAIL");
  (ok ? passed : failed)++;
}

void time_shape(bench::Timer& timer, long long bh, long long s, long long d, bool causal) {
  Buf q(random_bf16(bh * s * d, 4)), k(random_bf16(bh * s * d, 5)), v(random_bf16(bh * s * d, 6)), out(bh * s * d);
  const double ms = timer.median_ms([&] { CUDA_OK(run(q, k, v, out, bh, s, s, d, causal)); }, 10);
  const double flops = 4.0 * bh * s * s * d * (causal ? 0.5 : 1.0);
  std::printf("bench attention bf16 bh %lld s %lld d %lld %-10s %9.3f ms  %6.1f TFLOP/s\n", bh, s, d,
              causal ? "causal" : "noncausal", ms, flops / ms / 1e9);
}

}  // namespace

int main(int argc, char** argv) {
  if (!tilecc::test::gpu_present()) return 0;
  // --bench: time the benchmark shapes too; --max-head-dim=N: a build translated with a
  // full_extent of N (scripts/gpu_sweep_attention.sh) checks and times head dims up to N only;
  // --profile=D:causal|noncausal: no checks, four launches of that benchmark shape (for a
  // profiler that skips three).
  bool bench = false;
  long long max_d = 1 << 30;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--bench") {
      bench = true;
    } else if (a.rfind("--max-head-dim=", 0) == 0) {
      max_d = std::stoll(a.substr(15));
    } else if (a.rfind("--profile=", 0) == 0) {
      const long long d = std::stoll(a.substr(10));
      const bool causal = a.find(":causal") != std::string::npos;
      Buf q(random_bf16(32 * 4096 * d, 4)), k(random_bf16(32 * 4096 * d, 5)), v(random_bf16(32 * 4096 * d, 6));
      Buf out(32 * 4096 * d);
      for (int r = 0; r < 4; ++r) CUDA_OK(run(q, k, v, out, 32, 4096, 4096, d, causal));
      CUDA_OK(cudaDeviceSynchronize());
      return 0;
    } else {
      std::fprintf(stderr, "unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  const auto check_upto = [&](long long bh, long long sq, long long sk, long long d, bool causal) {
    if (d <= max_d) check(bh, sq, sk, d, causal);
  };
  for (bool causal : {false, true}) {
    check_upto(1, 1, 1, 64, causal);
    check_upto(3, 257, 257, 64, causal);
    check_upto(2, 100, 100, 128, causal);
    check_upto(2, 33, 33, 40, causal);
  }
  check_upto(2, 70, 300, 64, false);  // more keys than queries
  // Odd lengths at every head dimension: partial query and key tiles, partial 16-column groups.
  for (long long d : {40, 64, 128})
    for (bool causal : {false, true}) {
      check_upto(1, 1, 1, d, causal);
      check_upto(1, 17, 17, d, causal);
      check_upto(1, 1000, 1000, d, causal);
    }
  std::printf("%d passed, %d failed\n", passed, failed);
  if (bench) {
    bench::Timer timer;
    for (long long d : {64, 128})
      if (d <= max_d)
        for (bool causal : {false, true}) time_shape(timer, 32, 4096, d, causal);
  }
  return failed ? 1 : 0;
}
