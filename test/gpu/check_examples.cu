// GPU tier: translated examples vs double-precision CPU references on random
// inputs at odd sizes. Built on the GPU machine from the files `tilecc
// translate` wrote (scripts/gpu_check.sh). Prints a table and "N passed, M failed".
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "gen/add.cu"
#include "gen/bmm.cu"
#include "gen/cross_entropy.cu"
#include "gen/embedding.cu"
#include "gen/exp.cu"
#include "gen/geglu.cu"
#include "gen/layer_norm.cu"
#include "gen/matmul.cu"
#include "gen/swiglu.cu"
#include "gen/long_sum.cu"
#include "gen/rms_norm.cu"
#include "gen/softmax.cu"
#include "gen/sum.cu"
#include "gen/low_mem_dropout.cu"
#include "gen/kl_div.cu"
#include "gen/jsd.cu"
#include "gen/math_ops.cu"
#include "gen/random.cu"
#include "gen/dtypes.cu"

#include "../support/cuda_check.hpp"

static int passed = 0, failed = 0;
static std::mt19937 rng(1234);

template <class T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(const std::vector<float>& h) : n(h.size()) {
    std::vector<T> t(h.size());
    for (size_t i = 0; i < h.size(); ++i) t[i] = T(h[i]);
    CUDA_OK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T)));
    CUDA_OK(cudaMemcpy(p, t.data(), n * sizeof(T), cudaMemcpyHostToDevice));
  }
  explicit Dev(size_t count) : n(count) {
    CUDA_OK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T)));
    CUDA_OK(cudaMemset(p, 0xff, n * sizeof(T)));  // poison: NaN for floats
  }
  std::vector<double> get() const {
    std::vector<T> t(n);
    CUDA_OK(cudaMemcpy(t.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) out[i] = double(float(t[i]));
    return out;
  }
  ~Dev() { cudaFree(p); }
};

std::vector<float> random_vec(size_t n, float lo = -2, float hi = 2) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) {
    x = d(rng);
    if (x == 0) x = 0.5f;
  }
  return v;
}
template <class T>
std::vector<float> rounded(std::vector<float> v) {
  for (auto& x : v) x = float(T(x));
  return v;
}

void report(const char* name, const char* dtype, long long m, long long n, const std::vector<double>& got,
            const std::vector<double>& want, double tol) {
  double worst = 0;
  bool ok = got.size() == want.size();
  for (size_t i = 0; ok && i < got.size(); ++i) {
    const double err = std::fabs(got[i] - want[i]) / (1e-6 + std::fabs(want[i]));
    const double abs_err = std::fabs(got[i] - want[i]);
    if (std::isnan(got[i]) || (err > tol && abs_err > tol)) ok = false;
    worst = std::max(worst, std::min(err, abs_err));
  }
  std::printf("%-16s %-5s %6lld x %-6lld max err %.2e  %s\n", name, dtype, m, n, worst, ok ? "PASS" : "FAIL");
  (ok ? passed : failed)++;
}

template <class T>
void check_all(const char* dt, double tol) {
  // Rows of every length: beyond the default full_extent (1024) the whole-row kernels' launchers
  // run their looped variants.
  const long long shapes[][2] = {{1, 1},    {5, 17},     {17, 1000},  {1000, 17}, {257, 1000},
                                 {3, 4096}, {3, 4097},   {3, 16384},  {2, 65536}, {2, 100003}};
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    const auto hx = rounded<T>(random_vec(m * n)), hy = rounded<T>(random_vec(m * n));
    Dev<T> x(hx), y(hy);
    // add
    {
      Dev<T> out(m * n);
      CUDA_OK(add<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 2>(y.p, {m, n}),
                     tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i) want[i] = double(hx[i]) + hy[i];
      report("add", dt, m, n, out.get(), want, tol);
    }
    // exp (1-D over all m*n elements)
    {
      Dev<T> out(m * n);
      CUDA_OK(exp<T>(tilecc::Tensor<const T, 1>(x.p, {m * n}), tilecc::Tensor<T, 1>(out.p, {m * n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i) want[i] = std::exp(double(hx[i]));
      report("exp", dt, 1, m * n, out.get(), want, tol);
    }
    std::vector<double> rowsum(m), rowmax(m, -INFINITY);
    for (long long i = 0; i < m; ++i)
      for (long long j = 0; j < n; ++j) {
        rowsum[i] += hx[i * n + j];
        rowmax[i] = std::max(rowmax[i], double(hx[i * n + j]));
      }
    // long_sum (streams the row in tiles)
    {
      Dev<T> out(m);
      CUDA_OK(long_sum<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 1>(out.p, {m})));
      CUDA_OK(cudaDeviceSynchronize());
      report("long_sum", dt, m, n, out.get(), rowsum, tol * 10);
    }
    {
      Dev<T> out(m);
      CUDA_OK(sum<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 1>(out.p, {m})));
      CUDA_OK(cudaDeviceSynchronize());
      report("sum", dt, m, n, out.get(), rowsum, tol * 10);
    }
    std::vector<double> sm(m * n);
    for (long long i = 0; i < m; ++i) {
      double z = 0;
      for (long long j = 0; j < n; ++j) z += std::exp(hx[i * n + j] - rowmax[i]);
      for (long long j = 0; j < n; ++j) sm[i * n + j] = std::exp(hx[i * n + j] - rowmax[i]) / z;
    }
    {
      Dev<T> out(m * n);
      CUDA_OK(softmax<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      report("softmax", dt, m, n, out.get(), sm, tol);
    }
    {
      Dev<T> out(m * n);
      CUDA_OK(softmax_two_pass<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      report("softmax_two_pass", dt, m, n, out.get(), sm, tol);
    }
    {
      const auto hw = rounded<T>(random_vec(n));
      Dev<T> w(hw), out(m * n);
      const float eps = 1e-5f;
      CUDA_OK(rms_norm<T>(tilecc::Tensor<const T, 2>(x.p, {m, n}), tilecc::Tensor<const T, 1>(w.p, {n}), eps,
                          tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m; ++i) {
        double ss = 0;
        for (long long j = 0; j < n; ++j) ss += double(hx[i * n + j]) * hx[i * n + j];
        const double r = 1 / std::sqrt(ss / n + eps);
        for (long long j = 0; j < n; ++j) want[i * n + j] = hx[i * n + j] * r * hw[j];
      }
      report("rms_norm", dt, m, n, out.get(), want, tol);
    }
  }
}

template <class T>
void check_more(const char* dt, double tol) {
  const long long shapes[][2] = {{1, 1},    {17, 1000},  {1000, 17},  {129, 777},
                                 {3, 4096}, {2, 16384},  {2, 65536},  {2, 100003}};
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    const auto ha = rounded<T>(random_vec(m * n)), hb = rounded<T>(random_vec(m * n));
    const auto hw = rounded<T>(random_vec(n)), hbias = rounded<T>(random_vec(n));
    Dev<T> a(ha), b(hb), w(hw), bias(hbias);
    using C2 = tilecc::Tensor<const T, 2>;
    using C1 = tilecc::Tensor<const T, 1>;
    {
      Dev<T> out(m * n);
      const float eps = 1e-5f;
      CUDA_OK(layer_norm<T>(C2(a.p, {m, n}), C1(w.p, {n}), C1(bias.p, {n}), eps, tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m; ++i) {
        double mean = 0, var = 0;
        for (long long j = 0; j < n; ++j) mean += ha[i * n + j];
        mean /= n;
        for (long long j = 0; j < n; ++j) var += (ha[i * n + j] - mean) * (ha[i * n + j] - mean);
        var /= n;
        for (long long j = 0; j < n; ++j)
          want[i * n + j] = (ha[i * n + j] - mean) / std::sqrt(var + eps) * hw[j] + hbias[j];
      }
      report("layer_norm", dt, m, n, out.get(), want, tol);
    }
    {
      Dev<T> out(m * n);
      CUDA_OK(geglu<T>(C2(a.p, {m, n}), C2(b.p, {m, n}), tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i)
        want[i] = 0.5 * ha[i] * (1 + std::erf(ha[i] / std::sqrt(2.0))) * hb[i];
      report("geglu", dt, m, n, out.get(), want, tol);
    }
    {
      Dev<T> out(m * n);
      CUDA_OK(swiglu<T>(C2(a.p, {m, n}), C2(b.p, {m, n}), tilecc::Tensor<T, 2>(out.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i) want[i] = ha[i] / (1 + std::exp(-double(ha[i]))) * hb[i];
      report("swiglu", dt, m, n, out.get(), want, tol);
    }
    {
      std::vector<long long> labels(m);
      for (long long i = 0; i < m; ++i) labels[i] = (i * 7919) % n;
      long long* dl = nullptr;
      CUDA_OK(cudaMalloc(&dl, m * sizeof(long long)));
      CUDA_OK(cudaMemcpy(dl, labels.data(), m * sizeof(long long), cudaMemcpyHostToDevice));
      Dev<float> loss(m);
      CUDA_OK(cross_entropy<T>(C2(a.p, {m, n}), tilecc::Tensor<const tilecc::i64, 1>(reinterpret_cast<const tilecc::i64*>(dl), {m}),
                               tilecc::Tensor<float, 1>(loss.p, {m})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m);
      for (long long i = 0; i < m; ++i) {
        double mx = -INFINITY, z = 0;
        for (long long j = 0; j < n; ++j) mx = std::max(mx, double(ha[i * n + j]));
        for (long long j = 0; j < n; ++j) z += std::exp(ha[i * n + j] - mx);
        want[i] = std::log(z) + mx - ha[i * n + labels[i]];
      }
      report("cross_entropy", dt, m, n, loss.get(), want, 1e-3);
      // embedding: out[i, :] = table[labels[i], :] with table = a (m x n) indexed by labels % m
      for (long long i = 0; i < m; ++i) labels[i] = (i * 31 + 7) % m;
      CUDA_OK(cudaMemcpy(dl, labels.data(), m * sizeof(long long), cudaMemcpyHostToDevice));
      Dev<T> emb(m * n);
      CUDA_OK(embedding<T>(tilecc::Tensor<const tilecc::i64, 1>(reinterpret_cast<const tilecc::i64*>(dl), {m}), C2(a.p, {m, n}),
                           tilecc::Tensor<T, 2>(emb.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want_e(m * n);
      for (long long i = 0; i < m; ++i)
        for (long long j = 0; j < n; ++j) want_e[i * n + j] = ha[labels[i] * n + j];
      report("embedding", dt, m, n, emb.get(), want_e, 0);
      cudaFree(dl);
    }
  }
  // matmul / bmm at sizes that are not multiples of any block size. Rows of 8k elements take
  // the cp.async pipeline (k = 1000, 72 and 24 end in a partial k-step), the others its
  // fallback.
  const long long mm[][3] = {{1, 1, 1},     {17, 33, 65},    {130, 70, 257}, {256, 512, 128},
                             {200, 1000, 264}, {129, 72, 136}, {64, 24, 64}};
  for (auto& s : mm) {
    const long long m = s[0], k = s[1], n = s[2], batch = 3;
    const auto hx = rounded<T>(random_vec(batch * m * k)), hy = rounded<T>(random_vec(batch * k * n));
    Dev<T> x(hx), y(hy), out(m * n), outb(batch * m * n);
    CUDA_OK(matmul<T>(tilecc::Tensor<const T, 2>(x.p, {m, k}), tilecc::Tensor<const T, 2>(y.p, {k, n}),
                      tilecc::Tensor<T, 2>(out.p, {m, n})));
    CUDA_OK(bmm<T>(tilecc::Tensor<const T, 3>(x.p, {batch, m, k}), tilecc::Tensor<const T, 3>(y.p, {batch, k, n}),
                   tilecc::Tensor<T, 3>(outb.p, {batch, m, n})));
    CUDA_OK(cudaDeviceSynchronize());
    std::vector<double> want(batch * m * n);
    for (long long bi = 0; bi < batch; ++bi)
      for (long long i = 0; i < m; ++i)
        for (long long j = 0; j < n; ++j) {
          double acc = 0;
          for (long long p = 0; p < k; ++p) acc += double(hx[bi * m * k + i * k + p]) * hy[bi * k * n + p * n + j];
          want[bi * m * n + i * n + j] = acc;
        }
    report("matmul", dt, m, n, out.get(), std::vector<double>(want.begin(), want.begin() + m * n), tol * 5);
    report("bmm", dt, m, n, outb.get(), want, tol * 5);
  }
}

// The Helion ports: dropout (its mask from the host's Philox, tilecc/philox.hpp), kl_div, jsd.
template <class T>
void check_ports(const char* dt, double tol) {
  const long long shapes[][2] = {{1, 1}, {17, 1000}, {257, 4097}, {3, 30011}};
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    {
      const auto hx = rounded<T>(random_vec(m * n));
      Dev<T> x(hx), out(m * n);
      const float p = 0.3f;
      const long long seed = 20 + m;
      CUDA_OK(low_mem_dropout<T>(p, seed, tilecc::Tensor<const T, 1>(x.p, {m * n}), tilecc::Tensor<T, 1>(out.p, {m * n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i)
        want[i] = tilecc::philox::uniform(tilecc::philox::draw(seed, i).w[0]) > p ? hx[i] / (1.0 - p) : 0.0;
      report("low_mem_dropout", dt, 1, m * n, out.get(), want, tol);
    }
    // log-softmax rows (the input, and the target of the log_target form and of jsd), softmax rows.
    std::vector<float> lq = random_vec(m * n, -4, 4), lp = random_vec(m * n, -4, 4);
    for (auto* v : {&lq, &lp})
      for (long long i = 0; i < m; ++i) {
        double mx = -INFINITY, z = 0;
        for (long long j = 0; j < n; ++j) mx = std::max(mx, double((*v)[i * n + j]));
        for (long long j = 0; j < n; ++j) z += std::exp((*v)[i * n + j] - mx);
        for (long long j = 0; j < n; ++j) (*v)[i * n + j] = float((*v)[i * n + j] - mx - std::log(z));
      }
    lq = rounded<T>(lq);
    lp = rounded<T>(lp);
    std::vector<float> pr(m * n);
    for (long long i = 0; i < m * n; ++i) pr[i] = std::exp(lp[i]);
    pr = rounded<T>(pr);
    Dev<T> dq(lq), dp(lp), dpr(pr);
    using C2 = tilecc::Tensor<const T, 2>;
    {
      Dev<float> loss(m), loss_log(m);
      CUDA_OK(kl_div<T>(C2(dq.p, {m, n}), C2(dpr.p, {m, n}), 1e-10f, tilecc::Tensor<float, 1>(loss.p, {m})));
      CUDA_OK(kl_div_log_target<T>(C2(dq.p, {m, n}), C2(dp.p, {m, n}), tilecc::Tensor<float, 1>(loss_log.p, {m})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m), want_log(m);
      for (long long i = 0; i < m * n; ++i) {
        want[i / n] += pr[i] * (std::log(std::max(double(pr[i]), 1e-10)) - lq[i]);
        want_log[i / n] += std::exp(double(lp[i])) * (lp[i] - lq[i]);
      }
      report("kl_div", dt, m, n, loss.get(), want, 1e-3);
      report("kl_div_log_target", dt, m, n, loss_log.get(), want_log, 1e-3);
    }
    {
      const float beta = 0.4f;
      Dev<float> loss(m);
      Dev<T> dx(m * n);
      CUDA_OK(jsd<T>(C2(dq.p, {m, n}), C2(dp.p, {m, n}), beta, tilecc::Tensor<float, 1>(loss.p, {m}),
                     tilecc::Tensor<T, 2>(dx.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m), want_dx(m * n);
      for (long long i = 0; i < m * n; ++i) {
        const double q = std::exp(double(lq[i])), pp = std::exp(double(lp[i])), mix = beta * pp + (1 - beta) * q;
        want[i / n] += (beta * pp * (lp[i] - std::log(mix)) + (1 - beta) * q * (lq[i] - std::log(mix))) / m;
        want_dx[i] = (1 - beta) * q * (lq[i] - std::log(mix)) / m;
      }
      report("jsd", dt, m, n, loss.get(), want, 1e-3);
      report("jsd dx", dt, m, n, dx.get(), want_dx, tol);
    }
  }
}

// The language's math, random and 8-bit kernels (test/kernels), exact where the eager results are.
void check_language_ops() {
  const long long shapes[][2] = {{1, 1}, {17, 1000}, {257, 1001}};
  for (auto& s : shapes) {
    const long long m = s[0], n = s[1];
    {
      Dev<float> u(m * n), g(m * n);
      CUDA_OK(draw_random(77, tilecc::Tensor<float, 2>(u.p, {m, n}), tilecc::Tensor<float, 2>(g.p, {m, n}), nullptr));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want_u(m * n), want_g(m * n);
      for (long long i = 0; i < m * n; ++i) {
        const auto r = tilecc::philox::draw(77, i);
        want_u[i] = tilecc::philox::uniform(r.w[0]);
        const double u1 = tilecc::philox::uniform_open0(r.w[0]), u2 = tilecc::philox::uniform(r.w[1]);
        want_g[i] = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
      }
      report("rand (exact)", "f32", m, n, u.get(), want_u, 0);
      report("randn", "f32", m, n, g.get(), want_g, 1e-4);
    }
    {
      auto hx = random_vec(m * n, -6, 6);
      for (long long i = 0; i < m * n; i += 5) hx[i] = std::round(hx[i]) + 0.5f;  // ties
      Dev<float> x(hx), f(m * n), c(m * n), r(m * n), t(m * n), sg(m * n);
      using O = tilecc::Tensor<float, 2>;
      CUDA_OK(rounding<float>(tilecc::Tensor<const float, 2>(x.p, {m, n}), O(f.p, {m, n}), O(c.p, {m, n}),
                              O(r.p, {m, n}), O(t.p, {m, n}), O(sg.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> wf(m * n), wc(m * n), wr(m * n), wt(m * n), ws(m * n);
      for (long long i = 0; i < m * n; ++i) {
        wf[i] = std::floor(hx[i]);
        wc[i] = std::ceil(hx[i]);
        wr[i] = std::nearbyint(hx[i]);
        wt[i] = std::trunc(hx[i]);
        ws[i] = hx[i] > 0 ? 1 : hx[i] < 0 ? -1 : 0;
      }
      report("floor", "f32", m, n, f.get(), wf, 0);
      report("ceil", "f32", m, n, c.get(), wc, 0);
      report("round", "f32", m, n, r.get(), wr, 0);
      report("trunc", "f32", m, n, t.get(), wt, 0);
      report("sign", "f32", m, n, sg.get(), ws, 0);
    }
    {
      std::vector<float> ha(m * n), hb(m * n);
      for (long long i = 0; i < m * n; ++i) {
        ha[i] = float(int((i * 2654435761ll) % 200001) - 100000);
        hb[i] = float(int((i * 40503ll) % 1999) - 999);
        if (hb[i] == 0) hb[i] = 7;
      }
      Dev<int> a(ha), b(hb);
      std::vector<Dev<int>*> outs;
      for (int k = 0; k < 8; ++k) outs.push_back(new Dev<int>(m * n));
      using O = tilecc::Tensor<int, 2>;
      CUDA_OK(bits<int>(tilecc::Tensor<const int, 2>(a.p, {m, n}), tilecc::Tensor<const int, 2>(b.p, {m, n}),
                        O(outs[0]->p, {m, n}), O(outs[1]->p, {m, n}), O(outs[2]->p, {m, n}), O(outs[3]->p, {m, n}),
                        O(outs[4]->p, {m, n}), O(outs[5]->p, {m, n}), O(outs[6]->p, {m, n}), O(outs[7]->p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      const char* names[] = {"&", "|", "^", "~", "<<", ">>", "int /", "int %"};
      for (int k = 0; k < 8; ++k) {
        std::vector<double> want(m * n);
        for (long long i = 0; i < m * n; ++i) {
          const int x = int(ha[i]), y = int(hb[i]), sh = y & 15;
          const int w[] = {x & y, x | y, x ^ y, ~x, int(unsigned(x) << sh), x >> sh, x / y, x % y};
          want[i] = w[k];
        }
        report(names[k], "i32", m, n, outs[k]->get(), want, 0);
        delete outs[k];
      }
    }
    {
      const auto hx = random_vec(m * n, -3, 3);
      Dev<float> x(hx), y(m * n);
      Dev<__nv_fp8_e4m3> q(m * n);
      const float scale = 100.0f;  // some values saturate at 448
      CUDA_OK(quantize<__nv_fp8_e4m3>(tilecc::Tensor<const float, 2>(x.p, {m, n}), scale,
                                      tilecc::Tensor<__nv_fp8_e4m3, 2>(q.p, {m, n})));
      CUDA_OK(dequantize<__nv_fp8_e4m3>(tilecc::Tensor<const __nv_fp8_e4m3, 2>(q.p, {m, n}), scale,
                                        tilecc::Tensor<float, 2>(y.p, {m, n})));
      CUDA_OK(cudaDeviceSynchronize());
      std::vector<double> want(m * n);
      for (long long i = 0; i < m * n; ++i) want[i] = float(__nv_fp8_e4m3(hx[i] * scale)) / scale;
      report("fp8e4m3 round trip", "f32", m, n, y.get(), want, 1e-6);
    }
  }
}

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  check_all<float>("f32", 1e-4);
  check_all<__nv_bfloat16>("bf16", 2e-2);
  check_more<float>("f32", 1e-4);
  check_more<__nv_bfloat16>("bf16", 2e-2);
  check_ports<float>("f32", 1e-4);
  check_ports<__nv_bfloat16>("bf16", 2e-2);
  check_language_ops();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
