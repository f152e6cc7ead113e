// Plain-loop references for the examples, independent of the tile language:
// row-major std::vector<float> inputs, double-precision arithmetic, results as
// std::vector<double>. Each mirrors one kernel family in examples/.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ref {

using Vec = std::vector<float>;
using Out = std::vector<double>;
using Index = std::int64_t;

inline std::size_t at(Index i) { return static_cast<std::size_t>(i); }

/// out = x + y (elementwise).
inline Out add(const Vec& x, const Vec& y) {
  Out out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = double(x[i]) + double(y[i]);
  return out;
}

/// out = exp(x) (elementwise).
inline Out exp(const Vec& x) {
  Out out(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = std::exp(double(x[i]));
  return out;
}

/// out[i] = sum_j x[i, j] for x [m, n] (the sum and long_sum examples).
inline Out row_sum(const Vec& x, Index m, Index n) {
  Out out(at(m), 0.0);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < n; ++j) out[at(i)] += x[at(i * n + j)];
  return out;
}

/// Row-wise softmax of x [m, n] (the softmax and softmax_two_pass examples).
inline Out softmax(const Vec& x, Index m, Index n) {
  Out out(x.size());
  for (Index i = 0; i < m; ++i) {
    double mx = -std::numeric_limits<double>::infinity();
    for (Index j = 0; j < n; ++j) mx = std::max(mx, double(x[at(i * n + j)]));
    double s = 0;
    for (Index j = 0; j < n; ++j) s += std::exp(double(x[at(i * n + j)]) - mx);
    for (Index j = 0; j < n; ++j) out[at(i * n + j)] = std::exp(double(x[at(i * n + j)]) - mx) / s;
  }
  return out;
}

/// Layer norm of each row of x [m, n] (biased variance), scaled by w and shifted by b.
inline Out layer_norm(const Vec& x, const Vec& w, const Vec& b, Index m, Index n, double eps) {
  Out out(x.size());
  for (Index i = 0; i < m; ++i) {
    double mean = 0, var = 0;
    for (Index j = 0; j < n; ++j) mean += x[at(i * n + j)];
    mean /= double(n);
    for (Index j = 0; j < n; ++j) var += (x[at(i * n + j)] - mean) * (x[at(i * n + j)] - mean);
    var /= double(n);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (Index j = 0; j < n; ++j)
      out[at(i * n + j)] = (x[at(i * n + j)] - mean) * inv * w[at(j)] + b[at(j)];
  }
  return out;
}

/// RMS norm of each row of x [m, n], scaled by w.
inline Out rms_norm(const Vec& x, const Vec& w, Index m, Index n, double eps) {
  Out out(x.size());
  for (Index i = 0; i < m; ++i) {
    double ms = 0;
    for (Index j = 0; j < n; ++j) ms += double(x[at(i * n + j)]) * x[at(i * n + j)];
    const double inv = 1.0 / std::sqrt(ms / double(n) + eps);
    for (Index j = 0; j < n; ++j) out[at(i * n + j)] = x[at(i * n + j)] * inv * w[at(j)];
  }
  return out;
}

/// x [m, k] @ y [k, n].
inline Out matmul(const Vec& x, const Vec& y, Index m, Index k, Index n) {
  Out out(at(m * n), 0.0);
  for (Index i = 0; i < m; ++i)
    for (Index j = 0; j < n; ++j) {
      double s = 0;
      for (Index p = 0; p < k; ++p) s += double(x[at(i * k + p)]) * y[at(p * n + j)];
      out[at(i * n + j)] = s;
    }
  return out;
}

/// x [batch, m, k] @ y [batch, k, n], matrix by matrix.
inline Out bmm(const Vec& x, const Vec& y, Index batch, Index m, Index k, Index n) {
  Out out;
  out.reserve(at(batch * m * n));
  for (Index b = 0; b < batch; ++b) {
    const Vec xb(x.begin() + b * m * k, x.begin() + (b + 1) * m * k);
    const Vec yb(y.begin() + b * k * n, y.begin() + (b + 1) * k * n);
    const Out ob = matmul(xb, yb, m, k, n);
    out.insert(out.end(), ob.begin(), ob.end());
  }
  return out;
}

/// loss[i] = logsumexp(logits[i, :]) - logits[i, labels[i]] for logits [n, v].
inline Out cross_entropy(const Vec& logits, const std::vector<std::int64_t>& labels, Index n, Index v) {
  Out out(at(n));
  for (Index i = 0; i < n; ++i) {
    double mx = -std::numeric_limits<double>::infinity();
    for (Index j = 0; j < v; ++j) mx = std::max(mx, double(logits[at(i * v + j)]));
    double s = 0;
    for (Index j = 0; j < v; ++j) s += std::exp(double(logits[at(i * v + j)]) - mx);
    out[at(i)] = mx + std::log(s) - logits[at(i * v + labels[at(i)])];
  }
  return out;
}

/// gelu(a) * b with the exact (erf) gelu.
inline Out geglu(const Vec& a, const Vec& b) {
  Out out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a[i];
    out[i] = 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))) * b[i];
  }
  return out;
}

/// silu(a) * b, silu(x) = x * sigmoid(x).
inline Out swiglu(const Vec& a, const Vec& b) {
  Out out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a[i];
    out[i] = x / (1.0 + std::exp(-x)) * b[i];
  }
  return out;
}

/// out[i, :] = weight[indices[i], :] for weight [vocab, d].
inline Out embedding(const std::vector<std::int64_t>& indices, const Vec& weight, Index d) {
  Out out;
  out.reserve(indices.size() * at(d));
  for (std::int64_t id : indices)
    for (Index j = 0; j < d; ++j) out.push_back(weight[at(id * d + j)]);
  return out;
}

}  // namespace ref
