// Operations on tile values: math, casts, selection, creation, reductions,
// matrix products and atomics. Every one has a complete eager meaning here;
// the translator lowers each to the device library.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include "tilecc/lang/loops.hpp"
#include "tilecc/lang/tensor.hpp"
#include "tilecc/lang/tile_value.hpp"

namespace tilecc {

// ---- casts -----------------------------------------------------------------

/// Converts every element to To (rounding to nearest even for f16/bf16).
template <class To, class From> Tile<To> cast(const Tile<From>& t) {
  Tile<To> out(t.shape());
  for (std::int64_t i = 0; i < t.numel(); ++i) out.set(i, convert<To>(t.at(i)));
  return out;
}

namespace detail {
/// The dtype an operand of a tile of A stands for: a tile's own, or a plain number's as it
/// promotes next to a tile of A.
template <class A, class X> struct operand_dtype {
  using type = promote_scalar_t<A, X>;
};
template <class A, class U> struct operand_dtype<A, Tile<U>> {
  using type = U;
};
template <class A, class X> using operand_dtype_t = typename operand_dtype<A, X>::type;

/// A tile operand as it is; a plain number as a rank-0 tile of R.
template <class R, class U> const Tile<U>& as_tile(const Tile<U>& t) { return t; }
template <class R, plain_number S> Tile<R> as_tile(S s) { return Tile<R>::scalar(convert<R>(s)); }

/// Nearest integral value, ties to even, whatever the floating-point environment's mode.
template <class C> C round_half_even(C x) {
  const C r = std::round(x);  // ties away from zero
  if (std::fabs(x - std::trunc(x)) == C(0.5)) return C(2) * std::round(x / C(2));
  return r;
}
}  // namespace detail

// ---- elementwise math --------------------------------------------------------
// Floating tiles only; f16/bf16 are computed in float and rounded once.

#define TILECC_UNARY_MATH(NAME, EXPR)                                                          \
  template <class T> Tile<T> NAME(const Tile<T>& t) {                                          \
    static_assert(is_floating_v<T>, "tilecc::" #NAME                                           \
                                    ": needs a floating-point tile; "                          \
                                    "cast<float>(...) first");                                 \
    return detail::map1<T>(t, [](compute_t<T> x) { return static_cast<compute_t<T>>(EXPR); }); \
  }
TILECC_UNARY_MATH(exp, std::exp(x))
TILECC_UNARY_MATH(exp2, std::exp2(x))
TILECC_UNARY_MATH(log, std::log(x))
TILECC_UNARY_MATH(sqrt, std::sqrt(x))
TILECC_UNARY_MATH(rsqrt, 1 / std::sqrt(x))
TILECC_UNARY_MATH(tanh, std::tanh(x))
TILECC_UNARY_MATH(sigmoid, 1 / (1 + std::exp(-x)))
TILECC_UNARY_MATH(erf, std::erf(x))
TILECC_UNARY_MATH(log1p, std::log1p(x))
TILECC_UNARY_MATH(expm1, std::expm1(x))
TILECC_UNARY_MATH(sin, std::sin(x))
TILECC_UNARY_MATH(cos, std::cos(x))
#undef TILECC_UNARY_MATH

// Rounding to an integral value, in the compute type; integer tiles are returned unchanged
// (as torch.floor and friends do). round() breaks ties to even (torch.round, Triton's
// rint), not away from zero as C's round() does: round(0.5) == 0, round(1.5) == 2.
#define TILECC_ROUNDING(NAME, EXPR)                                                              \
  template <class T> Tile<T> NAME(const Tile<T>& t) {                                            \
    static_assert(!std::is_same_v<T, bool>, "tilecc::" #NAME ": needs a numeric tile");          \
    if constexpr (!is_floating_v<T>)                                                             \
      return t;                                                                                  \
    else                                                                                         \
      return detail::map1<T>(t, [](compute_t<T> x) { return static_cast<compute_t<T>>(EXPR); }); \
  }
TILECC_ROUNDING(floor, std::floor(x))
TILECC_ROUNDING(ceil, std::ceil(x))
TILECC_ROUNDING(trunc, std::trunc(x))
TILECC_ROUNDING(round, detail::round_half_even(x))
#undef TILECC_ROUNDING

/// -1, 0 or 1 by the sign of x, in x's type; sign(-0.0) is -0.0 and sign(NaN) is NaN
/// (torch.sign).
template <class T> Tile<T> sign(const Tile<T>& t) {
  static_assert(!std::is_same_v<T, bool>, "tilecc::sign: needs a numeric tile");
  return detail::map1<T>(t, [](compute_t<T> x) {
    using C = compute_t<T>;
    return x > C(0) ? C(1) : x < C(0) ? C(-1) : x;  // 0, -0 and NaN are themselves
  });
}

/// a * b + c rounded once (std::fma in the compute type: float for f16/bf16, whose result is
/// then rounded to T). Floating tiles; b and c may be tiles or plain numbers.
template <class A, class B, class C> auto fma(const Tile<A>& a, const B& b, const C& c) {
  using R = promote_t<promote_t<A, detail::operand_dtype_t<A, B>>, detail::operand_dtype_t<A, C>>;
  static_assert(is_floating_v<R>, "tilecc::fma: needs floating-point operands; cast<float>(...) first");
  using W = compute_t<R>;
  const Tile<R> ta = cast<R>(a), tb = cast<R>(detail::as_tile<R>(b)), tc = cast<R>(detail::as_tile<R>(c));
  const Shape shape = detail::broadcast_shapes(ta.shape(), detail::broadcast_shapes(tb.shape(), tc.shape()));
  Tile<R> out(shape);
  const detail::BroadcastIndexer ia(ta.shape(), shape), ib(tb.shape(), shape), ic(tc.shape(), shape);
  for (std::int64_t i = 0; i < out.numel(); ++i)
    out.set(i, convert<R>(std::fma(convert<W>(ta.at(ia(i))), convert<W>(tb.at(ib(i))), convert<W>(tc.at(ic(i))))));
  return out;
}

/// |x|; also for integer tiles.
template <class T> Tile<T> abs(const Tile<T>& t) {
  return detail::map1<T>(t, [](compute_t<T> x) { return static_cast<compute_t<T>>(x < 0 ? -x : x); });
}

/// x^y elementwise (floating tiles).
template <class A, class B> Tile<promote_t<A, B>> pow(const Tile<A>& a, const Tile<B>& b) {
  using R = promote_t<A, B>;
  static_assert(is_floating_v<R>, "tilecc::pow: needs floating-point operands");
  using C = compute_t<R>;
  return detail::map2<R, C>(a, b, [](C x, C y) { return static_cast<C>(std::pow(x, y)); });
}
template <class A, plain_number S> Tile<promote_scalar_t<A, S>> pow(const Tile<A>& a, S s) {
  using R = promote_scalar_t<A, S>;
  return pow(a, Tile<R>::scalar(convert<R>(s)));
}

/// Elementwise maximum/minimum of two tiles (or a tile and a scalar).
/// (max/min with a dimension are reductions.)
#define TILECC_ELEMENTWISE_EXTREMUM(NAME, CMP)                                                  \
  template <class A, class B> Tile<promote_t<A, B>> NAME(const Tile<A>& a, const Tile<B>& b) {  \
    using R = promote_t<A, B>;                                                                  \
    using C = compute_t<R>;                                                                     \
    return detail::map2<R, C>(a, b, [](C x, C y) {                                              \
      if (x != x) return x; /* NaN propagates, as in torch.maximum */                           \
      if (y != y) return y;                                                                     \
      return (y CMP x) ? y : x;                                                                 \
    });                                                                                         \
  }                                                                                             \
  template <class A, plain_number S> Tile<promote_scalar_t<A, S>> NAME(const Tile<A>& a, S s) { \
    using R = promote_scalar_t<A, S>;                                                           \
    return NAME(a, Tile<R>::scalar(convert<R>(s)));                                             \
  }                                                                                             \
  template <class B, plain_number S> Tile<promote_scalar_t<B, S>> NAME(S s, const Tile<B>& b) { return NAME(b, s); }
TILECC_ELEMENTWISE_EXTREMUM(maximum, >)
TILECC_ELEMENTWISE_EXTREMUM(minimum, <)
#undef TILECC_ELEMENTWISE_EXTREMUM

/// min(max(x, lo), hi) elementwise: lo and hi are tiles or plain numbers; NaN in any operand
/// propagates, and where lo > hi the result is hi (torch.clamp).
template <class A, class L, class H> auto clamp(const Tile<A>& x, const L& lo, const H& hi) {
  return minimum(maximum(x, lo), hi);
}

/// cond ? a : b elementwise, with broadcasting; a and b may be scalars.
template <class A, class B> Tile<promote_t<A, B>> where(const Tile<bool>& cond, const Tile<A>& a, const Tile<B>& b) {
  using R = promote_t<A, B>;
  const Shape shape = detail::broadcast_shapes(cond.shape(), detail::broadcast_shapes(a.shape(), b.shape()));
  Tile<R> out(shape);
  const detail::BroadcastIndexer ic(cond.shape(), shape), ia(a.shape(), shape), ib(b.shape(), shape);
  for (std::int64_t i = 0; i < out.numel(); ++i)
    out.set(i, cond.at(ic(i)) ? convert<R>(a.at(ia(i))) : convert<R>(b.at(ib(i))));
  return out;
}
template <class A, plain_number S> Tile<promote_scalar_t<A, S>> where(const Tile<bool>& cond, const Tile<A>& a, S b) {
  using R = promote_scalar_t<A, S>;
  return where(cond, a, Tile<R>::scalar(convert<R>(b)));
}
template <class B, plain_number S> Tile<promote_scalar_t<B, S>> where(const Tile<bool>& cond, S a, const Tile<B>& b) {
  using R = promote_scalar_t<B, S>;
  return where(cond, Tile<R>::scalar(convert<R>(a)), b);
}

// ---- shape -----------------------------------------------------------------

/// Inserts a dimension of size 1 at `dim` (like x[:, None]).
template <class T> Tile<T> unsqueeze(const Tile<T>& t, int dim) {
  const int d = detail::normalize_dim(dim, t.rank() + 1, "unsqueeze");
  Shape s;
  for (int i = 0; i < t.rank() + 1; ++i) s.push_back(i == d ? 1 : t.shape()[i < d ? i : i - 1]);
  Tile<T> out(s);
  for (std::int64_t i = 0; i < t.numel(); ++i) out.set(i, t.at(i));
  return out;
}

/// The transpose of a rank-2 tile: trans(t)[j, i] == t[i, j] (t.T in PyTorch). The CUDA
/// backend takes it as an operand of dot: `tl::dot(q, tl::trans(k))`.
template <class T> Tile<T> trans(const Tile<T>& t) {
  if (t.rank() != 2) throw ShapeError("tilecc: trans: needs a rank-2 tile, got rank " + std::to_string(t.rank()));
  const std::int64_t r = t.shape()[0], c = t.shape()[1];
  Tile<T> out(Shape{c, r});
  for (std::int64_t i = 0; i < r; ++i)
    for (std::int64_t j = 0; j < c; ++j) out.set(j * r + i, t.at(i * c + j));
  return out;
}

namespace detail {
/// Row-major strides of a shape.
inline std::array<std::int64_t, kMaxRank> strides_of(const Shape& s) {
  std::array<std::int64_t, kMaxRank> st{};
  std::int64_t n = 1;
  for (int d = s.rank; d-- > 0;) {
    st[d] = n;
    n *= s[d];
  }
  return st;
}
/// Calls f(flat index, multi-index) for every element of shape s in row-major order.
template <class F> void for_each_index(const Shape& s, F f) {
  std::array<std::int64_t, kMaxRank> idx{};
  for (std::int64_t i = 0; i < s.numel(); ++i) {
    f(i, idx);
    for (int d = s.rank; d-- > 0;) {
      if (++idx[d] < s[d]) break;
      idx[d] = 0;
    }
  }
}
}  // namespace detail

/// The tile with its dimensions reordered: permute(t, {2, 0, 1})[i, j, k] == t[j, k, i]
/// (dimension d of the result is dimension dims[d] of t, as torch.permute).
template <class T> Tile<T> permute(const Tile<T>& t, std::initializer_list<int> dims) {
  if (static_cast<int>(dims.size()) != t.rank())
    throw ShapeError("tilecc: permute: " + std::to_string(dims.size()) + " dimensions for a tile of rank " +
                     std::to_string(t.rank()));
  std::array<int, kMaxRank> from{};
  std::array<bool, kMaxRank> seen{};
  Shape s;
  int d = 0;
  for (int v : dims) {
    const int n = detail::normalize_dim(v, t.rank(), "permute");
    if (seen[n]) throw ShapeError("tilecc: permute: dimension " + std::to_string(n) + " named twice");
    seen[n] = true;
    from[d++] = n;
    s.push_back(t.shape()[n]);
  }
  const auto st = detail::strides_of(t.shape());
  Tile<T> out(s);
  detail::for_each_index(s, [&](std::int64_t i, const std::array<std::int64_t, kMaxRank>& idx) {
    std::int64_t src = 0;
    for (int k = 0; k < s.rank; ++k) src += idx[k] * st[from[k]];
    out.set(i, t.at(src));
  });
  return out;
}

/// The same elements in row-major order under another shape of as many elements (torch.reshape);
/// one extent may be -1 (inferred).
template <class T> Tile<T> reshape(const Tile<T>& t, std::initializer_list<std::int64_t> extents) {
  Shape s;
  int inferred = -1;
  std::int64_t known = 1;
  for (std::int64_t e : extents) {
    if (e == -1) {
      if (inferred >= 0) throw ShapeError("tilecc: reshape: more than one extent is -1");
      inferred = s.rank;
    } else if (e < 0) {
      throw ShapeError("tilecc: reshape: negative extent " + std::to_string(e));
    } else {
      known *= e;
    }
    s.push_back(e);
  }
  if (inferred >= 0) {
    if (known == 0 || t.numel() % known != 0)
      throw ShapeError("tilecc: reshape: cannot infer an extent of " + s.str() + " for " + t.shape().str());
    s.dims[inferred] = t.numel() / known;
  }
  if (s.numel() != t.numel())
    throw ShapeError("tilecc: reshape: " + t.shape().str() + " has " + std::to_string(t.numel()) + " elements, " +
                     s.str() + " holds " + std::to_string(s.numel()));
  Tile<T> out(s);
  for (std::int64_t i = 0; i < t.numel(); ++i) out.set(i, t.at(i));
  return out;
}

/// a and b joined along `dim` (torch.cat): their other extents must match.
template <class T> Tile<T> cat(const Tile<T>& a, const Tile<T>& b, int dim) {
  if (a.rank() != b.rank() || a.rank() == 0)
    throw ShapeError("tilecc: cat: tiles of shapes " + a.shape().str() + " and " + b.shape().str());
  const int d = detail::normalize_dim(dim, a.rank(), "cat");
  Shape s = a.shape();
  for (int k = 0; k < a.rank(); ++k)
    if (k != d && a.shape()[k] != b.shape()[k])
      throw ShapeError("tilecc: cat: shapes " + a.shape().str() + " and " + b.shape().str() + " differ off dimension " +
                       std::to_string(d));
  s.dims[d] = a.shape()[d] + b.shape()[d];
  const auto sa = detail::strides_of(a.shape()), sb = detail::strides_of(b.shape());
  Tile<T> out(s);
  detail::for_each_index(s, [&](std::int64_t i, std::array<std::int64_t, kMaxRank> idx) {
    const bool first = idx[d] < a.shape()[d];
    if (!first) idx[d] -= a.shape()[d];
    std::int64_t src = 0;
    for (int k = 0; k < s.rank; ++k) src += idx[k] * (first ? sa[k] : sb[k]);
    out.set(i, first ? a.at(src) : b.at(src));
  });
  return out;
}

/// The two halves of t along `dim` (its extent must be even): the inverse of cat(a, b, dim).
template <class T> std::pair<Tile<T>, Tile<T>> split(const Tile<T>& t, int dim) {
  const int d = detail::normalize_dim(dim, t.rank(), "split");
  if (t.shape()[d] % 2 != 0)
    throw ShapeError("tilecc: split: dimension " + std::to_string(d) + " of " + t.shape().str() + " is odd");
  Shape s = t.shape();
  s.dims[d] /= 2;
  const auto st = detail::strides_of(t.shape());
  std::pair<Tile<T>, Tile<T>> out{Tile<T>(s), Tile<T>(s)};
  detail::for_each_index(s, [&](std::int64_t i, const std::array<std::int64_t, kMaxRank>& idx) {
    std::int64_t src = 0;
    for (int k = 0; k < s.rank; ++k) src += idx[k] * st[k];
    out.first.set(i, t.at(src));
    out.second.set(i, t.at(src + s[d] * st[d]));
  });
  return out;
}

// ---- creation ----------------------------------------------------------------

namespace detail {
inline std::int64_t extent(std::int64_t n) { return n; }
inline std::int64_t extent(const TileIndex& t) { return t.size(); }
template <class T>
concept DimSpec = std::is_integral_v<T> || std::is_same_v<T, TileIndex>;
}  // namespace detail

/// A tile of the given extents (integers or tiles) filled with `value`.
template <class T, detail::DimSpec... D> Tile<T> full(T value, const D&... dims) {
  return Tile<T>(Shape{detail::extent(dims)...}, value);
}
/// A tile of zeros: `zeros<float>(tm, tn)`.
template <class T, detail::DimSpec... D> Tile<T> zeros(const D&... dims) { return full<T>(T{}, dims...); }
/// 0, 1, ..., n-1 as a rank-1 tile.
template <class T = std::int64_t> Tile<T> arange(std::int64_t n) {
  Tile<T> t(Shape{n});
  for (std::int64_t i = 0; i < n; ++i) t.set(i, convert<T>(i));
  return t;
}

/// A tile of zeros with t's shape and element type.
template <class T> Tile<T> zeros_like(const Tile<T>& t) { return Tile<T>(t.shape(), T{}); }
/// A tile with t's shape and element type filled with `value` (converted to T).
template <class T, plain_number S> Tile<T> full_like(const Tile<T>& t, S value) {
  return Tile<T>(t.shape(), convert<T>(value));
}

// ---- reductions ----------------------------------------------------------------

namespace detail {
/// Shape of t with dimension d removed (or kept as 1).
inline Shape reduced_shape(const Shape& s, int d, bool keepdim) {
  Shape out;
  for (int i = 0; i < s.rank; ++i) {
    if (i != d)
      out.push_back(s[i]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

/// Folds dimension `dim` of t with `step(acc, value, position)`; `finish`
/// maps the accumulator to the result element.
template <class R, class Acc, class T, class Step, class Finish>
Tile<R> reduce(const Tile<T>& t, int dim, bool keepdim, const char* what, Acc init, Step step, Finish finish) {
  const int d = normalize_dim(dim, t.rank(), what);
  const std::int64_t n = t.shape()[d];
  if (n == 0) throw ShapeError(std::string("tilecc::") + what + ": reduction over an empty dimension");
  std::int64_t inner = 1;
  for (int i = d + 1; i < t.rank(); ++i) inner *= t.shape()[i];
  const std::int64_t outer = t.numel() / (n * inner);
  Tile<R> out(reduced_shape(t.shape(), d, keepdim));
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t in = 0; in < inner; ++in) {
      Acc acc = init;
      for (std::int64_t k = 0; k < n; ++k) step(acc, t.at((o * n + k) * inner + in), k);
      out.set(o * inner + in, finish(acc, n));
    }
  return out;
}

/// Identity of max (min): -inf (+inf) where the type has infinities, so that
/// a row of -inf reduces to -inf rather than to the lowest finite value.
template <class C> constexpr C max_identity() {
  if constexpr (std::numeric_limits<C>::has_infinity)
    return -std::numeric_limits<C>::infinity();
  else
    return std::numeric_limits<C>::lowest();
}
template <class C> constexpr C min_identity() {
  if constexpr (std::numeric_limits<C>::has_infinity)
    return std::numeric_limits<C>::infinity();
  else
    return std::numeric_limits<C>::max();
}

template <class T> struct ArgAcc {
  compute_t<T> value;
  std::int64_t index = -1;
};
}  // namespace detail

/// Sum over `dim` (accumulated in float for f16/bf16/f32, double for f64).
template <class T> Tile<T> sum(const Tile<T>& t, int dim, bool keepdim = false) {
  using A = accum_t<T>;
  return detail::reduce<T>(
      t, dim, keepdim, "sum", A{}, [](A& a, T v, std::int64_t) { a += convert<A>(v); },
      [](A a, std::int64_t) { return convert<T>(a); });
}

/// Mean over `dim` (floating tiles).
template <class T> Tile<T> mean(const Tile<T>& t, int dim, bool keepdim = false) {
  static_assert(is_floating_v<T>, "tilecc::mean: needs a floating-point tile");
  using A = accum_t<T>;
  return detail::reduce<T>(
      t, dim, keepdim, "mean", A{}, [](A& a, T v, std::int64_t) { a += convert<A>(v); },
      [](A a, std::int64_t n) { return convert<T>(a / static_cast<A>(n)); });
}

#define TILECC_EXTREMUM_REDUCTION(NAME, CMP, INIT)                                                   \
  template <class T> Tile<T> NAME(const Tile<T>& t, int dim, bool keepdim = false) {                 \
    using C = compute_t<T>;                                                                          \
    return detail::reduce<T>(                                                                        \
        t, dim, keepdim, #NAME, C(INIT),                                                             \
        [](C& a, T v, std::int64_t) {                                                                \
          const C x = convert<C>(v);                                                                 \
          if (x != x || x CMP a) a = x;                                                              \
        },                                                                                           \
        [](C a, std::int64_t) { return convert<T>(a); });                                            \
  }                                                                                                  \
  template <class T> Tile<std::int64_t> arg##NAME(const Tile<T>& t, int dim, bool keepdim = false) { \
    using C = compute_t<T>;                                                                          \
    return detail::reduce<std::int64_t>(                                                             \
        t, dim, keepdim, "arg" #NAME, detail::ArgAcc<T>{C(INIT), -1},                                \
        [](detail::ArgAcc<T>& a, T v, std::int64_t k) {                                              \
          const C x = convert<C>(v);                                                                 \
          const bool a_nan = a.value != a.value, x_nan = x != x; /* NaN wins, first kept */          \
          if (a.index < 0 || (!a_nan && (x_nan || x CMP a.value))) {                                 \
            a.value = x;                                                                             \
            a.index = k;                                                                             \
          }                                                                                          \
        },                                                                                           \
        [](const detail::ArgAcc<T>& a, std::int64_t) { return a.index; });                           \
  }
TILECC_EXTREMUM_REDUCTION(max, >, detail::max_identity<C>())
TILECC_EXTREMUM_REDUCTION(min, <, detail::min_identity<C>())
#undef TILECC_EXTREMUM_REDUCTION

// ---- scans --------------------------------------------------------------------

namespace detail {
/// Inclusive scan along `dim`: out[.., k, ..] = fold of t[.., 0..k, ..] with `step`.
template <class Acc, class T, class Step>
Tile<T> scan(const Tile<T>& t, int dim, const char* what, Acc init, Step step) {
  const int d = normalize_dim(dim, t.rank(), what);
  const std::int64_t n = t.shape()[d];
  std::int64_t inner = 1;
  for (int i = d + 1; i < t.rank(); ++i) inner *= t.shape()[i];
  const std::int64_t outer = n == 0 ? 0 : t.numel() / (n * inner);
  Tile<T> out(t.shape());
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t in = 0; in < inner; ++in) {
      Acc acc = init;
      for (std::int64_t k = 0; k < n; ++k) {
        const std::int64_t at = (o * n + k) * inner + in;
        step(acc, t.at(at));
        out.set(at, convert<T>(acc));
      }
    }
  return out;
}
}  // namespace detail

/// Inclusive running sum along `dim` (torch.cumsum), accumulated as tl::sum accumulates (float
/// for f16/bf16/f32) and rounded to T at each position.
template <class T> Tile<T> cumsum(const Tile<T>& t, int dim) {
  static_assert(!std::is_same_v<T, bool>, "tilecc::cumsum: needs a numeric tile");
  using A = accum_t<T>;
  return detail::scan<A>(t, dim, "cumsum", A{}, [](A& a, T v) { a += convert<A>(v); });
}

/// Inclusive running maximum along `dim` (the values of torch.cummax); a NaN stays from where
/// it first appears.
template <class T> Tile<T> cummax(const Tile<T>& t, int dim) {
  static_assert(!std::is_same_v<T, bool>, "tilecc::cummax: needs a numeric tile");
  using C = compute_t<T>;
  return detail::scan<C>(t, dim, "cummax", detail::max_identity<C>(), [](C& a, T v) {
    const C x = convert<C>(v);
    if (a == a && (x != x || x > a)) a = x;
  });
}

// ---- matrix products -------------------------------------------------------------

/// The accumulator type of dot(a, b): float for f16/bf16/f32, double for f64.
template <class A, class B> using dot_accum_t = accum_t<promote_t<A, B>>;

/// acc + a @ b for a [M, K] and b [K, N]; products and sums in the
/// accumulator's type (fp32 for f16/bf16 inputs, as tensor cores do).
template <class A, class B, class C> Tile<C> dot(const Tile<A>& a, const Tile<B>& b, const Tile<C>& acc) {
  static_assert(is_floating_v<A> && is_floating_v<B>, "tilecc::dot: needs floating-point tiles");
  static_assert(std::is_same_v<C, dot_accum_t<A, B>>,
                "tilecc::dot: the accumulator must be float (double for f64 inputs)");
  if (a.rank() != 2 || b.rank() != 2 || acc.rank() != 2) throw ShapeError("tilecc::dot: needs rank-2 tiles");
  const std::int64_t m = a.shape()[0], k = a.shape()[1], n = b.shape()[1];
  if (b.shape()[0] != k || acc.shape()[0] != m || acc.shape()[1] != n)
    throw ShapeError("tilecc::dot: shapes " + a.shape().str() + " @ " + b.shape().str() + " into " + acc.shape().str() +
                     " do not match");
  Tile<C> out = acc;
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      C s = out.at(i * n + j);
      for (std::int64_t p = 0; p < k; ++p) s += convert<C>(a.at(i * k + p)) * convert<C>(b.at(p * n + j));
      out.set(i * n + j, s);
    }
  return out;
}
/// a @ b with a fresh accumulator.
template <class A, class B> Tile<dot_accum_t<A, B>> dot(const Tile<A>& a, const Tile<B>& b) {
  if (a.rank() != 2 || b.rank() != 2) throw ShapeError("tilecc::dot: needs rank-2 tiles");
  return dot(a, b, zeros<dot_accum_t<A, B>>(a.shape()[0], b.shape()[1]));
}

// ---- atomics -------------------------------------------------------------------

/// target += value, atomically per element on the GPU: `atomic_add(out[tm], v)`.
template <class T, class U> void atomic_add(TileRef<T> target, const Tile<U>& value) { target.add_in_place(value); }
template <class T, plain_number S> void atomic_add(TileRef<T> target, S value) {
  target.add_in_place(Tile<std::remove_const_t<T>>::scalar(convert<std::remove_const_t<T>>(value)));
}

/// target = maximum(target, value) (minimum), atomically per element on the GPU; a NaN in
/// memory or in the value wins, as in tl::maximum. Through gathered indices
/// (`atomic_max(out[ids, td], v)`) a position named twice takes the extreme of all its values.
template <class T, class U> void atomic_max(TileRef<T> target, const Tile<U>& value) {
  target.extremum_in_place(value, true);
}
template <class T, plain_number S> void atomic_max(TileRef<T> target, S value) {
  target.extremum_in_place(Tile<std::remove_const_t<T>>::scalar(convert<std::remove_const_t<T>>(value)), true);
}
template <class T, class U> void atomic_min(TileRef<T> target, const Tile<U>& value) {
  target.extremum_in_place(value, false);
}
template <class T, plain_number S> void atomic_min(TileRef<T> target, S value) {
  target.extremum_in_place(Tile<std::remove_const_t<T>>::scalar(convert<std::remove_const_t<T>>(value)), false);
}

}  // namespace tilecc
