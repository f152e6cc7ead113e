// GPU tier: scatters (stores and atomic add / max / min through gathered rows and columns),
// atomic max / min of tiles, inclusive scans (cumsum, cummax, along rows and down columns),
// and the ports built on them (moe_matmul, grouped_gemm, squeeze_and_excitation,
// matmul_layernorm) against double-precision CPU references at odd sizes. Built on the GPU
// machine from the files `tilecc translate` wrote (scripts/gpu_translate.sh). Prints a table
// and "N passed, M failed".
#include <cuda_bf16.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "gen/cumsum.cu"
#include "gen/grouped_gemm.cu"
#include "gen/matmul_layernorm.cu"
#include "gen/moe_matmul.cu"
#include "gen/scatter.cu"
#include "gen/squeeze_and_excitation.cu"

#include "../support/gpu_check.hpp"

namespace {

using tilecc::test::Dev;
using tilecc::test::random_vec;
using tilecc::test::report;
using tilecc::test::rng;
using I64 = tilecc::Tensor<const tilecc::i64, 1>;

/// Device copy of integer host values (Dev holds values converted from float).
struct DevIdx {
  long long* p = nullptr;
  explicit DevIdx(const std::vector<long long>& h) {
    CUDA_OK(cudaMalloc(&p, std::max<std::size_t>(h.size(), 1) * sizeof(long long)));
    CUDA_OK(cudaMemcpy(p, h.data(), h.size() * sizeof(long long), cudaMemcpyHostToDevice));
  }
  ~DevIdx() { cudaFree(p); }
  I64 view(long long n) const { return I64(reinterpret_cast<const tilecc::i64*>(p), {n}); }
};

std::vector<long long> permutation(long long n) {
  std::vector<long long> p(n);
  std::iota(p.begin(), p.end(), 0);
  std::shuffle(p.begin(), p.end(), rng);
  return p;
}
std::vector<long long> draws(long long n, long long bound) {
  std::uniform_int_distribution<long long> pick(0, bound - 1);
  std::vector<long long> v(n);
  for (auto& x : v) x = pick(rng);
  return v;
}
std::string dims(long long a, long long b) { return std::to_string(a) + " x " + std::to_string(b); }

const long long kShapes[][2] = {{1, 1}, {17, 33}, {1000, 999}, {3, 1024}, {2, 5000}};

void check_scatters() {
  for (auto& s : kShapes) {
    const long long n = s[0], d = s[1];
    const auto hx = random_vec<float>(n * d);
    Dev<float> x(hx);
    const auto rows = permutation(n), cols = permutation(d);
    DevIdx drows(rows), dcols(cols);
    std::vector<double> want_r(n * d), want_c(n * d);
    for (long long i = 0; i < n; ++i)
      for (long long j = 0; j < d; ++j) {
        want_r[rows[i] * d + j] = hx[i * d + j];
        want_c[i * d + cols[j]] = hx[i * d + j];
      }
    Dev<float> out_r(n * d), out_c(n * d);
    CUDA_OK(scatter_rows<float>(drows.view(n), tilecc::Tensor<const float, 2>(x.p, {n, d}),
                                tilecc::Tensor<float, 2>(out_r.p, {n, d})));
    CUDA_OK(scatter_cols<float>(dcols.view(d), tilecc::Tensor<const float, 2>(x.p, {n, d}),
                                tilecc::Tensor<float, 2>(out_c.p, {n, d})));
    CUDA_OK(cudaDeviceSynchronize());
    report("scatter_rows", "f32", dims(n, d).c_str(), out_r.get(), want_r, 0);
    report("scatter_cols", "f32", dims(n, d).c_str(), out_c.get(), want_c, 0);

    // Repeated targets: add accumulates, max / min keep the extreme.
    const long long targets = std::max<long long>(1, n / 7);
    const auto ids = draws(n, targets);
    DevIdx dids(ids);
    const auto init = random_vec<float>(targets * d);
    std::vector<double> sum(init.begin(), init.end()), hi = sum, lo = sum;
    std::vector<float> xi(n * d), init_i(targets * d);
    for (long long i = 0; i < n * d; ++i) xi[i] = std::round(hx[i] * 1000);
    for (long long i = 0; i < targets * d; ++i) init_i[i] = std::round(init[i] * 1000);
    std::vector<double> sum_i(init_i.begin(), init_i.end()), hi_i = sum_i;
    for (long long i = 0; i < n; ++i)
      for (long long j = 0; j < d; ++j) {
        const long long at = ids[i] * d + j;
        sum[at] += hx[i * d + j];
        hi[at] = std::max<double>(hi[at], hx[i * d + j]);
        lo[at] = std::min<double>(lo[at], hx[i * d + j]);
        sum_i[at] += xi[i * d + j];
        hi_i[at] = std::max<double>(hi_i[at], xi[i * d + j]);
      }
    Dev<float> o_add(init), o_max(init), o_min(init);
    Dev<__nv_bfloat16> xb(hx), o_maxb(init);
    Dev<int> x32(xi), o_add32(init_i), o_max32(init_i);
    Dev<tilecc::i64> x64(xi), o_min64(init_i);
    std::vector<double> lo_i(init_i.begin(), init_i.end()), hi_b(init.begin(), init.end());
    for (long long i = 0; i < n; ++i)
      for (long long j = 0; j < d; ++j) {
        lo_i[ids[i] * d + j] = std::min<double>(lo_i[ids[i] * d + j], xi[i * d + j]);
        hi_b[ids[i] * d + j] = std::max<double>(hi_b[ids[i] * d + j], float(__nv_bfloat16(hx[i * d + j])));
      }
    for (auto& v : hi_b) v = float(__nv_bfloat16(float(v)));
    const auto X = [&](auto* p) { return tilecc::Tensor<const std::remove_pointer_t<decltype(p)>, 2>(p, {n, d}); };
    const auto O = [&](auto* p) { return tilecc::Tensor<std::remove_pointer_t<decltype(p)>, 2>(p, {targets, d}); };
    CUDA_OK(scatter_add<float>(dids.view(n), X(x.p), O(o_add.p)));
    CUDA_OK(scatter_max<float>(dids.view(n), X(x.p), O(o_max.p)));
    CUDA_OK(scatter_min<float>(dids.view(n), X(x.p), O(o_min.p)));
    CUDA_OK(scatter_max<__nv_bfloat16>(dids.view(n), X(xb.p), O(o_maxb.p)));
    CUDA_OK(scatter_add<int>(dids.view(n), X(x32.p), O(o_add32.p)));
    CUDA_OK(scatter_max<int>(dids.view(n), X(x32.p), O(o_max32.p)));
    CUDA_OK(scatter_min<tilecc::i64>(dids.view(n), X(x64.p), O(o_min64.p)));
    CUDA_OK(cudaDeviceSynchronize());
    const std::string shape = dims(n, d) + " -> " + std::to_string(targets);
    report("scatter_add", "f32", shape.c_str(), o_add.get(), sum, 1e-5 * std::sqrt(double(n / targets + 1)));
    report("scatter_max", "f32", shape.c_str(), o_max.get(), hi, 0);
    report("scatter_min", "f32", shape.c_str(), o_min.get(), lo, 0);
    report("scatter_max", "bf16", shape.c_str(), o_maxb.get(), hi_b, 0);
    report("scatter_add", "i32", shape.c_str(), o_add32.get(), sum_i, 0);
    report("scatter_max", "i32", shape.c_str(), o_max32.get(), hi_i, 0);
    report("scatter_min", "i64", shape.c_str(), o_min64.get(), lo_i, 0);

    // Atomic max / min of whole tiles folded into one row; full_like / zeros_like.
    std::vector<double> col_hi(d, -INFINITY), col_lo(d, INFINITY);
    for (long long i = 0; i < n; ++i)
      for (long long j = 0; j < d; ++j) {
        col_hi[j] = std::max<double>(col_hi[j], hx[i * d + j]);
        col_lo[j] = std::min<double>(col_lo[j], hx[i * d + j]);
      }
    Dev<float> h(std::vector<float>(d, -INFINITY)), l(std::vector<float>(d, INFINITY)), filled(n * d);
    CUDA_OK(tile_max_min<float>(X(x.p), tilecc::Tensor<float, 1>(h.p, {d}), tilecc::Tensor<float, 1>(l.p, {d})));
    CUDA_OK(like_fill<float>(X(x.p), 2.5f, tilecc::Tensor<float, 2>(filled.p, {n, d})));
    CUDA_OK(cudaDeviceSynchronize());
    report("tile_max", "f32", dims(n, d).c_str(), h.get(), col_hi, 0);
    report("tile_min", "f32", dims(n, d).c_str(), l.get(), col_lo, 0);
    report("like_fill", "f32", dims(n, d).c_str(), filled.get(), std::vector<double>(n * d, 2.5), 0);
  }
}

template <class T> void check_scans(const char* dt, double tol) {
  for (auto& s : kShapes) {
    const long long m = s[0], n = s[1];
    auto hx = random_vec<T>(m * n);
    if (m * n > 40) hx[37] = NAN;  // cummax: a NaN stays from where it appears
    std::vector<float> clean = hx;
    if (m * n > 40) clean[37] = 1.0f;
    Dev<T> x(hx), xc(clean), sum(m * n), mx(m * n), sum_cols(m * n);
    std::vector<double> want_sum(m * n), want_max(m * n), want_cols(m * n);
    for (long long i = 0; i < m; ++i) {
      double acc = 0, best = -INFINITY;
      for (long long j = 0; j < n; ++j) {
        acc += clean[i * n + j];
        const double v = hx[i * n + j];
        if (!std::isnan(best) && (std::isnan(v) || v > best)) best = v;
        want_sum[i * n + j] = acc;
        want_max[i * n + j] = best;
      }
    }
    for (long long j = 0; j < n; ++j) {
      double acc = 0;
      for (long long i = 0; i < m; ++i) want_cols[i * n + j] = acc += clean[i * n + j];
    }
    CUDA_OK(cumsum<T>(tilecc::Tensor<const T, 2>(xc.p, {m, n}), tilecc::Tensor<T, 2>(sum.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    report("cumsum", dt, dims(m, n).c_str(), sum.get(), want_sum, tol * std::sqrt(double(n)));
    if constexpr (std::is_same_v<T, float>) {
      CUDA_OK(cummax<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 2>(mx.p, {m, n})));
      CUDA_OK(cumsum_cols<T>(tilecc::Tensor<const T, 2>(xc.p, {m, n}), tilecc::Tensor<T, 2>(sum_cols.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      auto got = mx.get();
      bool nan_ok = true;  // report() fails NaN: compare NaN positions here, the rest there
      for (long long i = 0; i < m * n; ++i)
        if (std::isnan(want_max[i])) {
          nan_ok = nan_ok && std::isnan(got[i]);
          got[i] = want_max[i] = 0;
        }
      report("cummax", dt, dims(m, n).c_str(), got, want_max, nan_ok ? 0 : -1);
      report("cumsum_cols", dt, dims(m, n).c_str(), sum_cols.get(), want_cols, tol * std::sqrt(double(m)));
    }
  }
  // Rows longer than the longest default variant holds (16384; 5000 runs the one holding
  // rows of 16384): refused at launch with a message, nothing written.
  if constexpr (std::is_same_v<T, float>) {
    const long long m = 2, n = 16385;
    Dev<T> x(random_vec<T>(m * n)), out(m * n);
    const cudaError_t e = cumsum<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 2>(out.p, {m, n}));
    const bool refused = e != cudaSuccess && tilecc::last_launch_message().find("full_extent") != std::string::npos;
    std::printf("cumsum rows beyond full_extent: %s (%s)\n", refused ? "refused" : "NOT refused",
                tilecc::last_launch_message().c_str());
    (refused ? tilecc::test::tally.passed : tilecc::test::tally.failed)++;
  }
}

std::vector<double> matmul_ref(const std::vector<float>& a, const std::vector<float>& b, long long m, long long k,
                               long long n) {
  std::vector<double> c(m * n);
  for (long long i = 0; i < m; ++i)
    for (long long p = 0; p < k; ++p)
      for (long long j = 0; j < n; ++j) c[i * n + j] += double(a[i * k + p]) * b[p * n + j];
  return c;
}

template <class T> void check_moe_and_grouped(const char* dt, double tol) {
  const long long shapes[][4] = {{1, 1, 1, 1}, {17, 33, 9, 4}, {1000, 129, 65, 8}, {300, 64, 130, 40}};
  for (auto& s : shapes) {
    const long long tokens = s[0], k = s[1], n = s[2], experts = s[3];
    const auto expert = draws(tokens, experts);
    std::vector<long long> order(tokens), offsets(experts + 1, 0);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](long long p, long long q) { return expert[p] < expert[q]; });
    for (long long e : expert) ++offsets[e + 1];
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    const auto ha = random_vec<T>(tokens * k, -1, 1), hw = random_vec<T>(experts * k * n, -1, 1);
    Dev<T> a(ha), w(hw), out(tokens * n), grouped(tokens * n);
    DevIdx doff(offsets), dorder(order);
    CUDA_OK(moe_matmul<T>(tilecc::Tensor<const T, 2>(a.p, {tokens, k}),
                          tilecc::Tensor<const T, 3>(w.p, {experts, k, n}), doff.view(experts + 1), dorder.view(tokens),
                          tilecc::Tensor<T, 2>(out.p, {tokens, n})));
    // grouped_gemm over the tokens in expert order, every group against expert 0's weights.
    std::vector<float> sorted(tokens * k);
    for (long long t = 0; t < tokens; ++t)
      std::copy(ha.begin() + order[t] * k, ha.begin() + (order[t] + 1) * k, sorted.begin() + t * k);
    Dev<T> as(sorted);
    CUDA_OK(grouped_gemm<T>(tilecc::Tensor<const T, 2>(as.p, {tokens, k}), tilecc::Tensor<const T, 2>(w.p, {k, n}),
                            doff.view(experts + 1), tilecc::Tensor<T, 2>(grouped.p, {tokens, n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want(tokens * n);
    for (long long t = 0; t < tokens; ++t)
      for (long long j = 0; j < n; ++j) {
        double acc = 0;
        for (long long p = 0; p < k; ++p) acc += double(ha[t * k + p]) * hw[(expert[t] * k + p) * n + j];
        want[t * n + j] = acc;
      }
    const std::vector<float> w0(hw.begin(), hw.begin() + k * n);
    const std::string shape = std::to_string(tokens) + "x" + std::to_string(k) + "x" + std::to_string(n) + ", " +
                              std::to_string(experts) + " exp";
    report("moe_matmul", dt, shape.c_str(), out.get(), want, tol * std::sqrt(double(k)));
    report("grouped_gemm", dt, shape.c_str(), grouped.get(), matmul_ref(sorted, w0, tokens, k, n),
           tol * std::sqrt(double(k)));
  }
}

template <class T> void check_se_and_layernorm(const char* dt, double tol) {
  const long long shapes[][3] = {{1, 1, 1}, {17, 33, 9}, {300, 130, 65}, {64, 1000, 40}};  // {m, n, k}
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1], k = s[2];
    const auto hx = random_vec<T>(m * n, -1, 1), ha = random_vec<T>(n * k, -1, 1), hb = random_vec<T>(k * n, -1, 1);
    Dev<T> x(hx), a(ha), b(hb), c(m * k), d(m * n), out(m * n);
    CUDA_OK(se_squeeze<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 2>(a.p, {n, k}),
                          tilecc::Tensor<T, 2>(c.p, {m, k})));
    CUDA_OK(cudaDeviceSynchronize());
    auto want_c = matmul_ref(hx, ha, m, n, k);
    for (double& v : want_c) v = std::max(v, 0.0);
    const auto got_c = c.get();
    const std::string shape = std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k);
    report("se_squeeze", dt, shape.c_str(), got_c, want_c, tol * std::sqrt(double(n)));
    // The excitation from the c the GPU stored (its rounding is the squeeze's, checked above).
    CUDA_OK(se_excite<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 2>(c.p, {m, k}),
                         tilecc::Tensor<const T, 2>(b.p, {k, n}), tilecc::Tensor<T, 2>(d.p, {m, n}),
                         tilecc::Tensor<T, 2>(out.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    const auto p = matmul_ref(std::vector<float>(got_c.begin(), got_c.end()), hb, m, k, n);
    std::vector<double> want_d(m * n), want_out(m * n);
    for (long long i = 0; i < m * n; ++i) {
      want_d[i] = 1 / (1 + std::exp(-double(float(T(float(p[i]))))));
      want_out[i] = hx[i] * want_d[i];
    }
    report("se_excite d", dt, shape.c_str(), d.get(), want_d, tol * std::sqrt(double(k)));
    report("se_excite out", dt, shape.c_str(), out.get(), want_out, tol * std::sqrt(double(k)));

    // matmul_layernorm: x [m, n] @ a [n, k], rows of k normalized.
    const auto hw = random_vec<T>(k, 0.5f, 1.5f), hbias = random_vec<T>(k, -1, 1);
    Dev<T> w(hw), bias(hbias), ln(m * k);
    CUDA_OK(matmul_layernorm<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 2>(a.p, {n, k}),
                                tilecc::Tensor<const T, 1>(w.p, {k}), tilecc::Tensor<const T, 1>(bias.p, {k}), 1e-5f,
                                tilecc::Tensor<T, 2>(ln.p, {m, k})));
    CUDA_OK(cudaDeviceSynchronize());
    const auto prod = matmul_ref(hx, ha, m, n, k);
    std::vector<double> want_ln(m * k);
    for (long long i = 0; i < m; ++i) {
      double mean = 0, var = 0;
      for (long long j = 0; j < k; ++j) mean += prod[i * k + j] / double(k);
      for (long long j = 0; j < k; ++j) var += (prod[i * k + j] - mean) * (prod[i * k + j] - mean) / double(k);
      for (long long j = 0; j < k; ++j)
        want_ln[i * k + j] = (prod[i * k + j] - mean) / std::sqrt(var + 1e-5) * hw[j] + hbias[j];
    }
    report("matmul_layernorm", dt, shape.c_str(), ln.get(), want_ln, 4 * tol * std::sqrt(double(n)));
  }
}

}  // namespace

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  check_scatters();
  check_scans<float>("f32", 1e-5);
  check_scans<__nv_bfloat16>("bf16", 1e-2);
  // Matmuls: f32 dots may run on TF32 tensor cores; tolerances scale with sqrt(k).
  check_moe_and_grouped<float>("f32", 2e-3);
  check_moe_and_grouped<__nv_bfloat16>("bf16", 1e-2);
  check_se_and_layernorm<float>("f32", 2e-3);
  check_se_and_layernorm<__nv_bfloat16>("bf16", 1e-2);
  return tilecc::test::tally.finish();
}
