// GPU tier: the kernels ported from Helion's examples (batched softmax, softmax / RMS norm /
// layer norm backward, Welford layer norm, broadcast matmul, matmul with a bias + relu
// epilogue, split-k matmul, dense + jagged add, gathered matrix-vector products, segmented
// sums, jagged softmax and layer norm, fp8 and int4 matmuls) against double-precision CPU
// references at odd
// sizes. Built on the GPU machine from the files `tilecc translate` wrote
// (scripts/gpu_check.sh), flat and persistent. Prints a table and "N passed, M failed".
#include <cuda_bf16.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "gen/batch_softmax.cu"
#include "gen/broadcast_matmul.cu"
#include "gen/fp8_gemm.cu"
#include "gen/gather_gemv.cu"
#include "gen/int4_gemm.cu"
#include "gen/jagged_dense_add.cu"
#include "gen/jagged_layer_norm.cu"
#include "gen/jagged_softmax.cu"
#include "gen/layer_norm_backward.cu"
#include "gen/matmul_bias_relu.cu"
#include "gen/rms_norm_backward.cu"
#include "gen/segment_reduction.cu"
#include "gen/softmax_backward.cu"
#include "gen/split_k.cu"
#include "gen/welford.cu"

#include "../support/gpu_check.hpp"

namespace {

using tilecc::test::Dev;
using tilecc::test::random_vec;
using tilecc::test::ref_matmul;
using tilecc::test::report;
using tilecc::test::rng;

template <class T> void check_batch_softmax(const char* dt, double tol) {
  const long long shapes[][3] = {{1, 1, 1}, {3, 17, 33}, {2, 1000, 999}, {5, 7, 4097}};
  for (auto& s : shapes) {
    const long long b = s[0], m = s[1], n = s[2];
    const auto hx = random_vec<T>(b * m * n, -4, 4);
    Dev<T> x(hx), out(b * m * n);
    CUDA_OK(batch_softmax<T>(tilecc::Tensor<const T, 3>(x.p, {b, m, n}), tilecc::Tensor<T, 3>(out.p, {b, m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want(b * m * n);
    for (long long r = 0; r < b * m; ++r) {
      double mx = -INFINITY, sum = 0;
      for (long long j = 0; j < n; ++j) mx = std::max<double>(mx, hx[r * n + j]);
      for (long long j = 0; j < n; ++j) sum += std::exp(hx[r * n + j] - mx);
      for (long long j = 0; j < n; ++j) want[r * n + j] = std::exp(hx[r * n + j] - mx) / sum;
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld", b, m, n);
    report("batch_softmax", dt, shape, out.get(), want, tol);
  }
}

template <class T> void check_softmax_backward(const char* dt, double tol) {
  const long long shapes[][2] = {{1, 1}, {17, 33}, {1000, 999}, {7, 4097}};
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    const auto logits = random_vec<float>(m * n, -3, 3);
    std::vector<float> hy(m * n);
    for (long long i = 0; i < m; ++i) {
      double sum = 0;
      for (long long j = 0; j < n; ++j) sum += std::exp(double(logits[i * n + j]));
      for (long long j = 0; j < n; ++j) hy[i * n + j] = float(T(float(std::exp(double(logits[i * n + j])) / sum)));
    }
    const auto hdy = random_vec<T>(m * n);
    Dev<T> y(hy), dy(hdy), dx(m * n);
    CUDA_OK(softmax_backward<T>(tilecc::Tensor<const T, 2>(y.p, {m, n}), tilecc::Tensor<const T, 2>(dy.p, {m, n}),
                                tilecc::Tensor<T, 2>(dx.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want(m * n);
    for (long long i = 0; i < m; ++i) {
      double dot = 0;
      for (long long j = 0; j < n; ++j) dot += double(hdy[i * n + j]) * hy[i * n + j];
      for (long long j = 0; j < n; ++j) want[i * n + j] = hy[i * n + j] * (hdy[i * n + j] - dot);
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld", m, n);
    report("softmax_backward", dt, shape, dx.get(), want, tol);
  }
}

template <class T> void check_rms_norm_backward(const char* dt, double tol) {
  const long long shapes[][2] = {{1, 1}, {17, 33}, {1000, 999}, {7, 4097}};
  const float eps = 1e-5f;
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    const auto hx = random_vec<T>(m * n), hw = random_vec<T>(n), hdy = random_vec<T>(m * n);
    Dev<T> x(hx), w(hw), dy(hdy), dx(m * n);
    Dev<float> dw(std::vector<float>(n, 0.0f));
    CUDA_OK(rms_norm_backward<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 1>(w.p, {n}),
                                 tilecc::Tensor<const T, 2>(dy.p, {m, n}), eps, tilecc::Tensor<T, 2>(dx.p, {m, n}),
                                 tilecc::Tensor<float, 1>(dw.p, {n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want_dx(m * n), want_dw(n, 0.0);
    for (long long i = 0; i < m; ++i) {
      double ss = 0, gwx = 0;
      for (long long j = 0; j < n; ++j) {
        ss += double(hx[i * n + j]) * hx[i * n + j];
        gwx += double(hdy[i * n + j]) * hw[j] * hx[i * n + j];
      }
      const double r = 1.0 / std::sqrt(ss / double(n) + eps);
      for (long long j = 0; j < n; ++j) {
        want_dx[i * n + j] = r * (double(hdy[i * n + j]) * hw[j] - hx[i * n + j] * r * r * gwx / double(n));
        want_dw[j] += double(hdy[i * n + j]) * hx[i * n + j] * r;
      }
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld", m, n);
    report("rms_norm_bwd dx", dt, shape, dx.get(), want_dx, tol);
    // Float sums over up to 1000 rows, in an order the atomics pick.
    report("rms_norm_bwd dweight", dt, shape, dw.get(), want_dw, 1e-4);
  }
}

template <class T> void check_layer_norm_backward(const char* dt, double tol) {
  const long long shapes[][2] = {{1, 2}, {17, 33}, {1000, 999}, {7, 4097}};
  const float eps = 1e-5f;
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    const auto hx = random_vec<T>(m * n, -1, 3), hw = random_vec<T>(n), hdy = random_vec<T>(m * n);
    Dev<T> x(hx), w(hw), dy(hdy), dx(m * n);
    Dev<float> dw(std::vector<float>(n, 0.0f)), db(std::vector<float>(n, 0.0f));
    CUDA_OK(layer_norm_backward<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 1>(w.p, {n}),
                                   tilecc::Tensor<const T, 2>(dy.p, {m, n}), eps, tilecc::Tensor<T, 2>(dx.p, {m, n}),
                                   tilecc::Tensor<float, 1>(dw.p, {n}), tilecc::Tensor<float, 1>(db.p, {n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want_dx(m * n), want_dw(n, 0.0), want_db(n, 0.0);
    for (long long i = 0; i < m; ++i) {
      double mean = 0, var = 0;
      for (long long j = 0; j < n; ++j) mean += hx[i * n + j];
      mean /= double(n);
      for (long long j = 0; j < n; ++j) var += (hx[i * n + j] - mean) * (hx[i * n + j] - mean);
      const double rstd = 1.0 / std::sqrt(var / double(n) + eps);
      double sum_gw = 0, sum_gwx = 0;
      for (long long j = 0; j < n; ++j) {
        const double gw = double(hdy[i * n + j]) * hw[j], xhat = (hx[i * n + j] - mean) * rstd;
        sum_gw += gw;
        sum_gwx += gw * xhat;
        want_dw[j] += hdy[i * n + j] * xhat;
        want_db[j] += hdy[i * n + j];
      }
      for (long long j = 0; j < n; ++j) {
        const double gw = double(hdy[i * n + j]) * hw[j], xhat = (hx[i * n + j] - mean) * rstd;
        want_dx[i * n + j] = rstd * (gw - sum_gw / double(n) - xhat * sum_gwx / double(n));
      }
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld", m, n);
    report("layer_norm_bwd dx", dt, shape, dx.get(), want_dx, tol);
    report("layer_norm_bwd dweight", dt, shape, dw.get(), want_dw, 1e-4);
    report("layer_norm_bwd dbias", dt, shape, db.get(), want_db, 1e-4);
  }
}

template <class T> void check_welford(const char* dt, double tol) {
  const long long shapes[][2] = {{1, 1}, {17, 33}, {1000, 999}, {7, 4097}};
  const float eps = 1e-5f;
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    // An offset of 64 against a spread of ~2.3: a float sum of squares would lose the variance.
    const auto hx = random_vec<T>(m * n, 60, 68), hw = random_vec<T>(n), hb = random_vec<T>(n);
    Dev<T> x(hx), w(hw), b(hb), out(m * n);
    CUDA_OK(welford<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 1>(w.p, {n}),
                       tilecc::Tensor<const T, 1>(b.p, {n}), eps, tilecc::Tensor<T, 2>(out.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want(m * n);
    for (long long i = 0; i < m; ++i) {
      double mean = 0, var = 0;
      for (long long j = 0; j < n; ++j) mean += hx[i * n + j];
      mean /= double(n);
      for (long long j = 0; j < n; ++j) var += (hx[i * n + j] - mean) * (hx[i * n + j] - mean);
      const double rstd = 1.0 / std::sqrt(var / double(n) + eps);
      for (long long j = 0; j < n; ++j) want[i * n + j] = (hx[i * n + j] - mean) * rstd * hw[j] + hb[j];
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld", m, n);
    report("welford", dt, shape, out.get(), want, tol);
  }
}

/// out[i, j] = sum_c x[i, c] * y[c, j] in double, for row-major x [m, k] and y [k, n].
template <class T> void check_broadcast_matmul(const char* dt, double tol) {
  const long long shapes[][4] = {{1, 1, 1, 1}, {3, 17, 33, 9}, {2, 129, 257, 65}, {4, 100, 1000, 33}};
  for (auto& s : shapes) {
    const long long b = s[0], m = s[1], k = s[2], n = s[3];
    const auto hx = random_vec<T>(b * m * k, -1, 1), hy = random_vec<T>(k * n, -1, 1);
    Dev<T> x(hx), y(hy), out(b * m * n);
    CUDA_OK(broadcast_matmul<T>(tilecc::Tensor<const T, 3>(x.p, {b, m, k}), tilecc::Tensor<const T, 2>(y.p, {k, n}),
                                tilecc::Tensor<T, 3>(out.p, {b, m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want;
    for (long long bi = 0; bi < b; ++bi) {
      const std::vector<float> xb(hx.begin() + bi * m * k, hx.begin() + (bi + 1) * m * k);
      const auto r = ref_matmul(xb, hy, m, k, n);
      want.insert(want.end(), r.begin(), r.end());
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld x %lld", b, m, k, n);
    report("broadcast_matmul", dt, shape, out.get(), want, tol * std::sqrt(double(k)));
  }
}

template <class T> void check_matmul_bias_relu(const char* dt, double tol) {
  const long long shapes[][3] = {{1, 1, 1}, {17, 33, 9}, {129, 257, 65}, {300, 1000, 333}};
  for (auto& s : shapes) {
    const long long m = s[0], k = s[1], n = s[2];
    const auto hx = random_vec<T>(m * k, -1, 1), hy = random_vec<T>(k * n, -1, 1), hb = random_vec<T>(n);
    Dev<T> x(hx), y(hy), bias(hb), out(m * n);
    CUDA_OK(matmul_bias_relu<T>(tilecc::Tensor<const T, 2>(x.p, {m, k}), tilecc::Tensor<const T, 2>(y.p, {k, n}),
                                tilecc::Tensor<const T, 1>(bias.p, {n}), tilecc::Tensor<T, 2>(out.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    auto want = ref_matmul(hx, hy, m, k, n);
    for (long long i = 0; i < m; ++i)
      for (long long j = 0; j < n; ++j) want[i * n + j] = std::max(want[i * n + j] + hb[j], 0.0);
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld", m, k, n);
    report("matmul_bias_relu", dt, shape, out.get(), want, tol * std::sqrt(double(k)));
  }
}

template <class T> void check_split_k(const char* dt) {
  const long long shapes[][4] = {{1, 1, 1, 1}, {17, 333, 9, 4}, {64, 4097, 65, 7}, {33, 100, 17, 200}};
  for (auto& s : shapes) {
    const long long m = s[0], k = s[1], n = s[2], splits = s[3];
    const auto hx = random_vec<T>(m * k, -1, 1), hy = random_vec<T>(k * n, -1, 1);
    Dev<T> x(hx), y(hy);
    Dev<float> out(std::vector<float>(m * n, 0.0f));
    CUDA_OK(split_k<T>(tilecc::Tensor<const T, 2>(x.p, {m, k}), tilecc::Tensor<const T, 2>(y.p, {k, n}), splits,
                       tilecc::Tensor<float, 2>(out.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld / %lld", m, k, n, splits);
    // A float output for both types; f32 dots may run on TF32 tensor cores (10-bit mantissa).
    report("split_k", dt, shape, out.get(), ref_matmul(hx, hy, m, k, n), 2e-3 * std::sqrt(double(k)));
  }
}

template <class T> void check_jagged_dense_add(const char* dt, double tol) {
  const std::vector<std::vector<long long>> cases = {{1}, {0, 3, 0}, {5, 0, 700, 1, 0, 129}, {4097}};
  for (const auto& lengths : cases)
    for (long long max_len : {1LL, 130LL, 1000LL})
      for (long long d : {1LL, 33LL, 300LL}) {
        std::vector<long long> offsets = {0};
        for (long long n : lengths) offsets.push_back(offsets.back() + n);
        const long long total = offsets.back(), batches = static_cast<long long>(lengths.size());
        const auto hv = random_vec<T>(total * d), hd = random_vec<T>(batches * max_len * d);
        Dev<T> v(hv), dense(hd), out(batches * max_len * d);
        long long* doff = nullptr;
        CUDA_OK(cudaMalloc(&doff, offsets.size() * sizeof(long long)));
        CUDA_OK(cudaMemcpy(doff, offsets.data(), offsets.size() * sizeof(long long), cudaMemcpyHostToDevice));
        CUDA_OK(jagged_dense_add<T>(
            tilecc::Tensor<const tilecc::i64, 1>(reinterpret_cast<const tilecc::i64*>(doff), {batches + 1}),
            tilecc::Tensor<const T, 2>(v.p, {total, d}), tilecc::Tensor<const T, 3>(dense.p, {batches, max_len, d}),
            tilecc::Tensor<T, 3>(out.p, {batches, max_len, d})));
        CUDA_OK(cudaDeviceSynchronize());
        std::vector<double> want(batches * max_len * d);
        for (long long b = 0; b < batches; ++b)
          for (long long r = 0; r < max_len; ++r)
            for (long long c = 0; c < d; ++c) {
              const long long at = (b * max_len + r) * d + c, row = offsets[b] + r;
              want[at] = double(hd[at]) + (row < offsets[b + 1] ? double(hv[row * d + c]) : 0.0);
            }
        char shape[64];
        std::snprintf(shape, sizeof shape, "%lld b, %lld rows, %lld x %lld", batches, total, max_len, d);
        report("jagged_dense_add", dt, shape, out.get(), want, tol);
        cudaFree(doff);
      }
}

template <class T> void check_gather_gemv(const char* dt, double tol) {
  const long long shapes[][3] = {{1, 1, 1}, {3, 17, 7}, {8, 1000, 5}, {2, 2049, 3}};  // {batch, s, indices}
  for (auto& sh : shapes) {
    const long long batch = sh[0], s = sh[1], count = sh[2];
    const auto hw = random_vec<T>(batch * s * s, -1, 1), hx = random_vec<T>(s, -1, 1);
    std::vector<long long> idx(count);
    std::uniform_int_distribution<long long> pick(-batch, batch - 1);  // negative: from the end
    for (auto& i : idx) i = pick(rng);
    Dev<T> w(hw), x(hx), out(count * s);
    long long* didx = nullptr;
    CUDA_OK(cudaMalloc(&didx, count * sizeof(long long)));
    CUDA_OK(cudaMemcpy(didx, idx.data(), count * sizeof(long long), cudaMemcpyHostToDevice));
    CUDA_OK(gather_gemv<T>(tilecc::Tensor<const T, 3>(w.p, {batch, s, s}),
                           tilecc::Tensor<const tilecc::i64, 1>(reinterpret_cast<const tilecc::i64*>(didx), {count}),
                           tilecc::Tensor<const T, 1>(x.p, {s}), tilecc::Tensor<T, 2>(out.p, {count, s})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want(count * s);
    for (long long i = 0; i < count; ++i) {
      const long long b = idx[i] < 0 ? idx[i] + batch : idx[i];
      for (long long r = 0; r < s; ++r) {
        double acc = 0;
        for (long long c = 0; c < s; ++c) acc += double(hw[(b * s + r) * s + c]) * hx[c];
        want[i * s + r] = acc;
      }
    }
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld^2, %lld idx", batch, s, count);
    report("gather_gemv", dt, shape, out.get(), want, tol * std::sqrt(double(s)));
    cudaFree(didx);
  }
}

template <class T> void check_segment_reduction(const char* dt) {
  const long long shapes[][3] = {
      {1, 1, 1}, {17, 33, 5}, {2000, 128, 100}, {999, 300, 1000}};  // {elements, features, nodes}
  for (auto& sh : shapes)
    for (const bool sorted : {true, false}) {
      const long long elements = sh[0], features = sh[1], nodes = sh[2];
      std::vector<long long> idx(elements);
      std::uniform_int_distribution<long long> pick(0, nodes - 1);
      for (auto& i : idx) i = pick(rng);
      if (sorted) std::sort(idx.begin(), idx.end());
      const auto hx = random_vec<T>(elements * features);
      Dev<T> x(hx);
      Dev<float> out(std::vector<float>(nodes * features, 0.0f));
      long long* didx = nullptr;
      CUDA_OK(cudaMalloc(&didx, elements * sizeof(long long)));
      CUDA_OK(cudaMemcpy(didx, idx.data(), elements * sizeof(long long), cudaMemcpyHostToDevice));
      CUDA_OK(segment_reduction<T>(
          tilecc::Tensor<const tilecc::i64, 1>(reinterpret_cast<const tilecc::i64*>(didx), {elements}),
          tilecc::Tensor<const T, 2>(x.p, {elements, features}), tilecc::Tensor<float, 2>(out.p, {nodes, features})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(nodes * features, 0.0);
      for (long long e = 0; e < elements; ++e)
        for (long long f = 0; f < features; ++f) want[idx[e] * features + f] += hx[e * features + f];
      char shape[64];
      std::snprintf(shape, sizeof shape, "%lld x %lld -> %lld%s", elements, features, nodes, sorted ? " sorted" : "");
      // Float sums in an order the atomics pick, of up to ~40 terms of magnitude <= 2.
      report("segment_reduction", dt, shape, out.get(), want, 1e-5);
      cudaFree(didx);
    }
}

/// Offsets of batches of the given lengths, on the device (freed by the caller).
long long* device_offsets(const std::vector<long long>& offsets) {
  long long* d = nullptr;
  CUDA_OK(cudaMalloc(&d, offsets.size() * sizeof(long long)));
  CUDA_OK(cudaMemcpy(d, offsets.data(), offsets.size() * sizeof(long long), cudaMemcpyHostToDevice));
  return d;
}

// Jagged softmax (down each batch's rows) and layer norm (over each batch's elements).
template <class T> void check_jagged_norms(const char* dt, double tol) {
  const std::vector<std::vector<long long>> cases = {{1}, {0, 3, 0}, {5, 0, 700, 1, 0, 129}, {4097}};
  for (const auto& lengths : cases)
    for (long long d : {1LL, 33LL, 300LL}) {
      std::vector<long long> offsets = {0};
      for (long long n : lengths) offsets.push_back(offsets.back() + n);
      const long long total = offsets.back(), batches = static_cast<long long>(lengths.size());
      const auto hv = random_vec<T>(total * d, -6, 6);
      Dev<T> v(hv), soft(total * d), norm(total * d);
      long long* doff = device_offsets(offsets);
      const tilecc::Tensor<const tilecc::i64, 1> off(reinterpret_cast<const tilecc::i64*>(doff), {batches + 1});
      const float eps = 1e-5f;
      CUDA_OK(jagged_softmax<T>(off, tilecc::Tensor<const T, 2>(v.p, {total, d}),
                                tilecc::Tensor<T, 2>(soft.p, {total, d})));
      CUDA_OK(jagged_layer_norm<T>(off, tilecc::Tensor<const T, 2>(v.p, {total, d}), eps,
                                   tilecc::Tensor<T, 2>(norm.p, {total, d})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want_soft(total * d), want_norm(total * d);
      for (long long b = 0; b < batches; ++b) {
        for (long long c = 0; c < d; ++c) {
          double mx = -INFINITY, sum = 0;
          for (long long r = offsets[b]; r < offsets[b + 1]; ++r) mx = std::max<double>(mx, hv[r * d + c]);
          for (long long r = offsets[b]; r < offsets[b + 1]; ++r) sum += std::exp(hv[r * d + c] - mx);
          for (long long r = offsets[b]; r < offsets[b + 1]; ++r)
            want_soft[r * d + c] = std::exp(hv[r * d + c] - mx) / sum;
        }
        const long long lo = offsets[b] * d, hi = offsets[b + 1] * d;
        double mean = 0, var = 0;
        for (long long i = lo; i < hi; ++i) mean += hv[i];
        mean /= double(std::max(hi - lo, 1LL));
        for (long long i = lo; i < hi; ++i) var += (hv[i] - mean) * (hv[i] - mean);
        var /= double(std::max(hi - lo, 1LL));
        for (long long i = lo; i < hi; ++i) want_norm[i] = (hv[i] - mean) / std::sqrt(var + eps);
      }
      char shape[64];
      std::snprintf(shape, sizeof shape, "%lld b, %lld rows x %lld", batches, total, d);
      report("jagged_softmax", dt, shape, soft.get(), want_soft, tol);
      report("jagged_layer_norm", dt, shape, norm.get(), want_norm, tol);
      cudaFree(doff);
    }
}

// e4m3 operands (from +-400: subnormals to near the largest value) with per-tensor scales; b
// row-major and column-major (torch._scaled_mm's layout, which sm_90a runs on wgmma when the
// rows are 16-byte aligned: the last shapes, one with a partial last k step). fp8 wgmma adds
// its products inside the tensor cores in fewer bits than float (about 14, as measured by
// others on H800; the kernel promotes each 128-deep k step into a float sum): an H100 was off by
// 1.3e-2 at k = 2048 where mma.sync was off by 1.5e-5. So the column-major result is held to
// 2^-13 of the sum of the products' magnitudes, beyond the usual tolerance: a product lost or
// read twice (about 0.5 here) still fails it.
template <class T> void check_fp8_gemm(const char* dt, double tol) {
  const long long shapes[][3] = {{1, 1, 1},        {17, 33, 9},      {129, 257, 65},
                                 {1000, 999, 130}, {300, 1040, 200}, {129, 2048, 257}};
  const float scale_a = 1.0f / 400, scale_b = 1.0f / 200;
  for (auto& s : shapes) {
    const long long m = s[0], k = s[1], n = s[2];
    const auto ha = random_vec<__nv_fp8_e4m3>(m * k, -400, 400), hb = random_vec<__nv_fp8_e4m3>(k * n, -400, 400);
    std::vector<float> hb_t(k * n);  // b column-major: element (i, j) at j * k + i
    for (long long i = 0; i < k; ++i)
      for (long long j = 0; j < n; ++j) hb_t[j * k + i] = hb[i * n + j];
    Dev<__nv_fp8_e4m3> a(ha), b(hb), b_t(hb_t);
    Dev<T> out(m * n), out_t(m * n);
    const tilecc::Tensor<const __nv_fp8_e4m3, 2> ta(a.p, {m, k});
    CUDA_OK(fp8_gemm<T>(ta, tilecc::Tensor<const __nv_fp8_e4m3, 2>(b.p, {k, n}), scale_a, scale_b,
                        tilecc::Tensor<T, 2>(out.p, {m, n})));
    CUDA_OK(fp8_gemm<T>(ta, tilecc::Tensor<const __nv_fp8_e4m3, 2>(b_t.p, {k, n}, {1, k}), scale_a, scale_b,
                        tilecc::Tensor<T, 2>(out_t.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want = ref_matmul(ha, hb, m, k, n);
    for (double& w : want) w *= double(scale_a) * scale_b;
    std::vector<float> abs_a(ha), abs_b(hb);
    for (float& v : abs_a) v = std::fabs(v);
    for (float& v : abs_b) v = std::fabs(v);
    std::vector<double> bound = ref_matmul(abs_a, abs_b, m, k, n);
    for (std::size_t e = 0; e < bound.size(); ++e)
      bound[e] = tol * (1 + std::fabs(want[e])) + std::ldexp(bound[e] * scale_a * scale_b, -13);
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld", m, k, n);
    report("fp8_gemm", dt, shape, out.get(), want, tol);
    tilecc::test::report_bounded("fp8_gemm b col-major", dt, shape, out_t.get(), want, bound);
  }
}

// Activations times int4 weights packed two per byte along k (low nibble: even k).
template <class T> void check_int4_gemm(const char* dt, double tol) {
  const long long shapes[][3] = {{1, 2, 1}, {17, 34, 9}, {129, 258, 65}, {500, 1000, 301}};
  std::uniform_int_distribution<int> nibble(-8, 7);
  for (auto& s : shapes) {
    const long long m = s[0], k = s[1], n = s[2];
    const auto ha = random_vec<T>(m * k, -1, 1);
    std::vector<float> hw(k * n), hp(k / 2 * n);
    for (float& w : hw) w = float(nibble(rng));
    for (long long i = 0; i < k / 2; ++i)
      for (long long j = 0; j < n; ++j)
        hp[i * n + j] =
            float(static_cast<signed char>((int(hw[2 * i * n + j]) & 0xf) | (int(hw[(2 * i + 1) * n + j]) << 4)));
    Dev<T> a(ha), out(m * n);
    Dev<signed char> packed(hp);
    CUDA_OK(int4_gemm<T>(tilecc::Tensor<const T, 3>(a.p, {m, k / 2, 2}),
                         tilecc::Tensor<const tilecc::i8, 2>(reinterpret_cast<const tilecc::i8*>(packed.p), {k / 2, n}),
                         tilecc::Tensor<T, 2>(out.p, {m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    char shape[64];
    std::snprintf(shape, sizeof shape, "%lld x %lld x %lld", m, k, n);
    report("int4_gemm", dt, shape, out.get(), ref_matmul(ha, hw, m, k, n), tol);
  }
}

}  // namespace

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  // f32: float arithmetic (1e-5 of magnitude-1 terms); bf16: one rounding of the result (2^-9).
  check_batch_softmax<float>("f32", 1e-5);
  check_batch_softmax<__nv_bfloat16>("bf16", 1e-2);
  check_softmax_backward<float>("f32", 1e-5);
  check_softmax_backward<__nv_bfloat16>("bf16", 1e-2);
  check_rms_norm_backward<float>("f32", 1e-4);
  check_rms_norm_backward<__nv_bfloat16>("bf16", 2e-2);
  check_layer_norm_backward<float>("f32", 1e-4);
  check_layer_norm_backward<__nv_bfloat16>("bf16", 2e-2);
  check_welford<float>("f32", 2e-4);
  check_welford<__nv_bfloat16>("bf16", 2e-2);
  // Matmuls: f32 dots may run on TF32 tensor cores; tolerances scale with sqrt(k).
  check_broadcast_matmul<float>("f32", 2e-3);
  check_broadcast_matmul<__nv_bfloat16>("bf16", 1e-2);
  check_matmul_bias_relu<float>("f32", 2e-3);
  check_matmul_bias_relu<__nv_bfloat16>("bf16", 1e-2);
  check_split_k<float>("f32");
  check_split_k<__nv_bfloat16>("bf16");
  check_jagged_dense_add<float>("f32", 1e-6);
  check_jagged_dense_add<__nv_bfloat16>("bf16", 1e-2);
  check_gather_gemv<float>("f32", 1e-5);
  check_gather_gemv<__nv_bfloat16>("bf16", 1e-2);
  check_segment_reduction<float>("f32");
  check_segment_reduction<__nv_bfloat16>("bf16");
  check_jagged_norms<float>("f32", 1e-5);
  check_jagged_norms<__nv_bfloat16>("bf16", 1e-2);
  // fp8: the products are exact, but the tensor cores may add fp8 products with fewer bits than
  // float keeps, so f32 outputs get 1e-3.
  check_fp8_gemm<float>("f32", 1e-3);
  check_fp8_gemm<__nv_bfloat16>("bf16", 1e-2);
  check_int4_gemm<__nv_bfloat16>("bf16", 1e-2);
  check_int4_gemm<__half>("f16", 2e-3);
  return tilecc::test::tally.finish();
}
