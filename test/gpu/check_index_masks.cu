// GPU tier: masks comparing a tile's row indices with its column indices
// (test/kernels/index_masks.tile.cpp), which the CUDA backend computes with
// tilecc::dev::index_compare, against CPU references at odd sizes, with offsets that put the
// band's edges inside tiles, beyond every tile, and near the 64-bit limits (where the 32-bit
// difference saturates). Built on the GPU machine from the file `tilecc translate` wrote
// (scripts/gpu_translate.sh). Prints a table and "N passed, M failed".
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "gen/index_masks.cu"

#include "../support/gpu_check.hpp"

namespace {

using tilecc::test::Dev;
using tilecc::test::random_vec;
using tilecc::test::report;

const long long kShapes[][2] = {{1, 1}, {17, 33}, {70, 5}, {100, 1000}, {257, 129}};

void check(long long m, long long n, long long lo, long long hi) {
  const auto hx = random_vec<float>(m * n);
  Dev<float> x(hx), band_out(m * n), upper_out(m * n);
  std::vector<double> want_band(m * n), want_upper(m * n);
  for (long long i = 0; i < m; ++i)
    for (long long j = 0; j < n; ++j) {
      // j - lo <= i < j + hi, in exact arithmetic (the kernel's 64-bit sums do not wrap here).
      const __int128 I = i, J = j;
      want_band[i * n + j] = (J - lo <= I && I < J + hi) ? hx[i * n + j] : 0.0;
      want_upper[i * n + j] = i < j ? hx[i * n + j] : 0.0;
    }
  CUDA_OK(band<float>(tilecc::Tensor<const float, 2>(x.p, {m, n}), lo, hi, tilecc::Tensor<float, 2>(band_out.p, {m, n})));
  CUDA_OK(upper<float>(tilecc::Tensor<const float, 2>(x.p, {m, n}), tilecc::Tensor<float, 2>(upper_out.p, {m, n})));
  CUDA_OK(cudaDeviceSynchronize());
  const std::string shape = std::to_string(m) + " x " + std::to_string(n) + " lo " + std::to_string(lo) + " hi " +
                            std::to_string(hi);
  report("band", "f32", shape.c_str(), band_out.get(), want_band, 0);
  report("upper", "f32", shape.c_str(), upper_out.get(), want_upper, 0);
}

}  // namespace

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  const long long big = std::numeric_limits<long long>::max() / 2;
  for (auto& s : kShapes)
    for (auto [lo, hi] : {std::pair{0LL, 1LL}, std::pair{3LL, 5LL}, std::pair{-7LL, 40LL}, std::pair{1000LL, 1000LL},
                          std::pair{big, big}, std::pair{-big, -big}})
      check(s[0], s[1], lo, hi);
  return tilecc::test::tally.finish();
}
