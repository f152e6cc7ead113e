// Shared helpers of the eager tests: deterministic random inputs, tensor views
// of std::vectors, poisoned outputs and an element-by-element comparison whose
// failure message names the index, the value got and the value expected.
#pragma once

#include <tilecc/tile.hpp>

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace th {

namespace tl = tilecc;
using Index = std::int64_t;

/// Eager block-size settings every example runs under: one size for every tile
/// dimension (1, 7, 64) or sizes taken in turn ({16, 3, 5}).
inline const std::vector<std::vector<Index>>& block_configs() {
  static const std::vector<std::vector<Index>> configs = {{1}, {7}, {16, 3, 5}, {64}};
  return configs;
}

template <class T>
std::string dtype_name() {
  if constexpr (std::is_same_v<T, float>) return "f32";
  else if constexpr (std::is_same_v<T, tl::bf16>) return "bf16";
  else if constexpr (std::is_same_v<T, tl::f16>) return "f16";
  else if constexpr (std::is_same_v<T, double>) return "f64";
  else return "?";
}

inline std::string join(const std::vector<Index>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "}";
}

/// "dtype bf16, shape {17, 33}, block sizes {16, 3, 5}": context for INFO().
template <class T>
std::string context(const std::vector<Index>& shape, const std::vector<Index>& blocks) {
  return "dtype " + dtype_name<T>() + ", shape " + join(shape) + ", eager block sizes " + join(blocks);
}

inline std::size_t count(const std::vector<Index>& shape) {
  Index n = 1;
  for (Index s : shape) n *= s;
  return static_cast<std::size_t>(n);
}

/// Tensor data of element type T plus the same values as float (for the references).
template <class T>
struct Buffer {
  std::vector<T> data;        // what the tensor stores
  std::vector<float> values;  // the stored values, exactly, as float
};

/// n values uniform in [lo, hi], none of them close to zero, rounded to T.
/// Deterministic for a given seed.
template <class T>
Buffer<T> random_buffer(std::size_t n, std::uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  const float min_magnitude = (hi - lo) / 256.0f;
  Buffer<T> b;
  b.data.reserve(n);
  b.values.reserve(n);
  while (b.data.size() < n) {
    const float v = dist(rng);
    if (std::fabs(v) < min_magnitude) continue;
    const T t = tl::convert<T>(v);
    b.data.push_back(t);
    b.values.push_back(tl::convert<float>(t));
  }
  return b;
}

/// n random indices in [0, bound), deterministic for a given seed.
inline std::vector<std::int64_t> random_indices(std::size_t n, std::int64_t bound, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int64_t> dist(0, bound - 1);
  std::vector<std::int64_t> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

/// An output buffer full of NaN, so that an element the kernel never writes fails.
template <class T>
std::vector<T> poisoned(std::size_t n) {
  return std::vector<T>(n, tl::convert<T>(std::numeric_limits<float>::quiet_NaN()));
}

/// A read-only rank-R view of v (row-major).
template <int R, class T>
tl::Tensor<const T, R> in(const std::vector<T>& v, std::array<Index, R> sizes) {
  REQUIRE(count(std::vector<Index>(sizes.begin(), sizes.end())) == v.size());
  return tl::Tensor<const T, R>(v.data(), sizes);
}
/// A writable rank-R view of v (row-major).
template <int R, class T>
tl::Tensor<T, R> out(std::vector<T>& v, std::array<Index, R> sizes) {
  REQUIRE(count(std::vector<Index>(sizes.begin(), sizes.end())) == v.size());
  return tl::Tensor<T, R>(v.data(), sizes);
}

/// |got - expected| <= atol + rtol * |expected| must hold for every element.
struct Tol {
  double rtol, atol;
};
/// The usual tolerance: f32 results within rounding noise; bf16 results are
/// rounded once from float (half an ulp is 2^-9 relative), so 1e-2 leaves margin.
template <class T>
Tol default_tol(double f32_rtol = 1e-5, double f32_atol = 1e-5) {
  if constexpr (std::is_same_v<T, float>) return {f32_rtol, f32_atol};
  else return {1e-2, std::max(1e-4, f32_atol)};
}

inline std::string format_index(std::size_t flat, const std::vector<Index>& shape) {
  std::vector<Index> idx(shape.size());
  auto rest = static_cast<Index>(flat);
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? rest % shape[d] : 0;
    rest = shape[d] ? rest / shape[d] : 0;
  }
  std::string s = "[";
  for (std::size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

/// Compares every element; on failure reports the first few mismatches with
/// their multi-dimensional index and how many elements differ in all.
template <class T>
void check_close(const std::vector<T>& got, const std::vector<double>& expected, Tol tol,
                 const std::vector<Index>& shape) {
  REQUIRE(got.size() == expected.size());
  REQUIRE(count(shape) == expected.size());
  std::size_t bad = 0;
  std::ostringstream msg;
  msg.precision(9);
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = tl::convert<float>(got[i]);
    const double e = expected[i];
    const double limit = tol.atol + tol.rtol * std::fabs(e);
    if (!(std::fabs(g - e) <= limit)) {  // NaN fails too
      if (bad < 5)
        msg << "element " << format_index(i, shape) << ": got " << g << ", expected " << e
            << " (|diff| " << std::fabs(g - e) << " > " << limit << ")\n";
      ++bad;
    }
  }
  if (bad) msg << bad << " of " << got.size() << " elements differ (rtol " << tol.rtol << ", atol " << tol.atol << ")";
  INFO(msg.str());
  CHECK(bad == 0);
}

/// Exact comparison (copies, gathers).
template <class T>
void check_equal(const std::vector<T>& got, const std::vector<double>& expected, const std::vector<Index>& shape) {
  check_close(got, expected, Tol{0.0, 0.0}, shape);
}

}  // namespace th
