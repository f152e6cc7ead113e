// Tile values: small dense arrays of rank 0-4 that kernels compute with.
//
// In eager mode a tile owns its elements; on the GPU the same value lives in
// registers. Shapes follow the tile sizes exactly (an edge tile is smaller),
// so eager results never depend on block sizes.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "tilecc/lang/dtype.hpp"

namespace tilecc {

inline constexpr int kMaxRank = 4;

/// A shape/indexing error in a kernel, raised by eager mode.
struct ShapeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Extents of a tile, rank 0 (a scalar) to kMaxRank.
struct Shape {
  int rank = 0;
  std::array<std::int64_t, kMaxRank> dims{};

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> d) {
    if (d.size() > kMaxRank) throw ShapeError("tilecc: tiles have at most 4 dimensions");
    for (std::int64_t v : d) dims[rank++] = v;
  }
  std::int64_t operator[](int d) const { return dims[d]; }
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (int d = 0; d < rank; ++d) n *= dims[d];
    return n;
  }
  void push_back(std::int64_t v) {
    if (rank == kMaxRank) throw ShapeError("tilecc: tiles have at most 4 dimensions");
    dims[rank++] = v;
  }
  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.rank != b.rank) return false;
    for (int d = 0; d < a.rank; ++d)
      if (a.dims[d] != b.dims[d]) return false;
    return true;
  }
  std::string str() const {
    std::string s = "[";
    for (int d = 0; d < rank; ++d) s += (d ? ", " : "") + std::to_string(dims[d]);
    return s + "]";
  }
};

namespace detail {
// std::vector<bool> is not a container of bool; tiles of bool store bytes.
template <class T> using storage_t = std::conditional_t<std::is_same_v<T, bool>, std::uint8_t, T>;

inline int normalize_dim(int dim, int rank, const char* what) {
  const int d = dim < 0 ? dim + rank : dim;
  if (d < 0 || d >= rank)
    throw ShapeError(std::string("tilecc: ") + what + ": dim " + std::to_string(dim) + " out of range for a rank-" +
                     std::to_string(rank) + " tile");
  return d;
}
}  // namespace detail

/// A plain C++ number (or f16/bf16) used as an operand next to a tile.
template <class T>
concept plain_number = std::is_arithmetic_v<T> || is_low_precision_v<T>;

/// A tile value of element type T.
template <class T> class Tile {
  static_assert(is_dtype_v<T>, "tilecc::Tile: T must be a tilecc dtype");

 public:
  using value_type = T;

  Tile() = default;
  explicit Tile(Shape shape, T fill = T{})
      : shape_(shape), data_(static_cast<std::size_t>(shape.numel()), store(fill)) {}
  /// A rank-0 tile (scalar).
  static Tile scalar(T v) { return Tile(Shape{}, v); }

  int rank() const { return shape_.rank; }
  const Shape& shape() const { return shape_; }
  std::int64_t size(int dim) const { return shape_[detail::normalize_dim(dim, shape_.rank, "size")]; }
  std::int64_t numel() const { return shape_.numel(); }

  /// Element i in row-major order.
  T at(std::int64_t i) const { return static_cast<T>(data_[static_cast<std::size_t>(i)]); }
  void set(std::int64_t i, T v) { data_[static_cast<std::size_t>(i)] = store(v); }
  /// The value of a one-element tile.
  T item() const {
    if (numel() != 1) throw ShapeError("tilecc: item() of a tile with shape " + shape_.str());
    return at(0);
  }

  // Compound assignment on values (acc += x): same shape after broadcasting.
  template <class U> Tile& operator+=(const Tile<U>& o);
  template <class U> Tile& operator-=(const Tile<U>& o);
  template <class U> Tile& operator*=(const Tile<U>& o);
  template <class U> Tile& operator/=(const Tile<U>& o);
  template <plain_number S> Tile& operator+=(S s) { return *this += Tile<T>::scalar(convert<T>(s)); }
  template <plain_number S> Tile& operator-=(S s) { return *this -= Tile<T>::scalar(convert<T>(s)); }
  template <plain_number S> Tile& operator*=(S s) { return *this *= Tile<T>::scalar(convert<T>(s)); }
  template <plain_number S> Tile& operator/=(S s) { return *this /= Tile<T>::scalar(convert<T>(s)); }

 protected:
  static detail::storage_t<T> store(T v) { return static_cast<detail::storage_t<T>>(v); }
  Shape shape_;
  std::vector<detail::storage_t<T>> data_;
};

namespace detail {

/// Broadcasts two shapes (numpy rules: align trailing dims; 1 stretches).
inline Shape broadcast_shapes(const Shape& a, const Shape& b) {
  Shape out;
  out.rank = a.rank > b.rank ? a.rank : b.rank;
  for (int i = 0; i < out.rank; ++i) {
    const int da = a.rank - out.rank + i, db = b.rank - out.rank + i;
    const std::int64_t ea = da >= 0 ? a.dims[da] : 1, eb = db >= 0 ? b.dims[db] : 1;
    if (ea != eb && ea != 1 && eb != 1)
      throw ShapeError("tilecc: cannot broadcast tiles of shapes " + a.str() + " and " + b.str());
    out.dims[i] = ea == 1 ? eb : ea;
  }
  return out;
}

/// Walks the elements of `out` in row-major order and yields, for a source
/// of shape `src` broadcast to `out`, the flat index of the source element.
class BroadcastIndexer {
 public:
  BroadcastIndexer(const Shape& src, const Shape& out) : out_(out) {
    std::int64_t stride = 1;
    for (int i = out.rank - 1; i >= 0; --i) {
      const int ds = src.rank - out.rank + i;
      const std::int64_t e = ds >= 0 ? src.dims[ds] : 1;
      strides_[i] = e == 1 ? 0 : stride;
      stride *= e;
    }
  }
  std::int64_t operator()(std::int64_t flat) const {
    std::int64_t off = 0;
    for (int i = out_.rank - 1; i >= 0; --i) {
      off += (flat % out_.dims[i]) * strides_[i];
      flat /= out_.dims[i];
    }
    return off;
  }

 private:
  Shape out_;
  std::array<std::int64_t, kMaxRank> strides_{};
};

/// Broadcasts `t` to `shape` (which must be a broadcast of t's shape).
template <class T> Tile<T> broadcast_to(const Tile<T>& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  if (!(broadcast_shapes(t.shape(), shape) == shape))
    throw ShapeError("tilecc: cannot broadcast a tile of shape " + t.shape().str() + " to " + shape.str());
  Tile<T> out(shape);
  const BroadcastIndexer idx(t.shape(), shape);
  for (std::int64_t i = 0; i < out.numel(); ++i) out.set(i, t.at(idx(i)));
  return out;
}

/// out[i] = f(a[i]) elementwise, computed in compute_t<A>.
template <class R, class A, class F> Tile<R> map1(const Tile<A>& a, F f) {
  Tile<R> out(a.shape());
  for (std::int64_t i = 0; i < a.numel(); ++i) out.set(i, convert<R>(f(convert<compute_t<A>>(a.at(i)))));
  return out;
}

/// out = f(a, b) with broadcasting; both operands converted to C first.
template <class R, class C, class A, class B, class F> Tile<R> map2(const Tile<A>& a, const Tile<B>& b, F f) {
  const Shape shape = broadcast_shapes(a.shape(), b.shape());
  Tile<R> out(shape);
  const BroadcastIndexer ia(a.shape(), shape), ib(b.shape(), shape);
  for (std::int64_t i = 0; i < out.numel(); ++i)
    out.set(i, convert<R>(f(convert<C>(a.at(ia(i))), convert<C>(b.at(ib(i))))));
  return out;
}

}  // namespace detail

// ---- elementwise operators -------------------------------------------------
// Arithmetic happens in the promoted type's compute type (float for f16/bf16)
// and rounds once to the promoted type.

#define TILECC_BINARY_OPERATOR(OP)                                                                     \
  template <class A, class B> Tile<promote_t<A, B>> operator OP(const Tile<A>& a, const Tile<B>& b) {  \
    using R = promote_t<A, B>;                                                                         \
    using C = compute_t<R>;                                                                            \
    return detail::map2<R, C>(a, b, [](C x, C y) { return static_cast<C>(x OP y); });                  \
  }                                                                                                    \
  template <class A, plain_number S> Tile<promote_scalar_t<A, S>> operator OP(const Tile<A>& a, S s) { \
    using R = promote_scalar_t<A, S>;                                                                  \
    return a OP Tile<R>::scalar(convert<R>(s));                                                        \
  }                                                                                                    \
  template <class B, plain_number S> Tile<promote_scalar_t<B, S>> operator OP(S s, const Tile<B>& b) { \
    using R = promote_scalar_t<B, S>;                                                                  \
    return Tile<R>::scalar(convert<R>(s)) OP b;                                                        \
  }
TILECC_BINARY_OPERATOR(+)
TILECC_BINARY_OPERATOR(-)
TILECC_BINARY_OPERATOR(*)
#undef TILECC_BINARY_OPERATOR

namespace detail {
/// What an operator does with two tiles, a tile and a number, or a number and a tile:
/// promote (the scalar rule for plain numbers), compute in C with `f`, round once into R.
#define TILECC_OPERATOR_FORMS(OP, FN)                                                                  \
  template <class A, class B> Tile<promote_t<A, B>> operator OP(const Tile<A>& a, const Tile<B>& b) {  \
    using R = promote_t<A, B>;                                                                         \
    return detail::map2<R, compute_t<R>>(a, b, FN<compute_t<R>>);                                      \
  }                                                                                                    \
  template <class A, plain_number S> Tile<promote_scalar_t<A, S>> operator OP(const Tile<A>& a, S s) { \
    using R = promote_scalar_t<A, S>;                                                                  \
    return a OP Tile<R>::scalar(convert<R>(s));                                                        \
  }                                                                                                    \
  template <class B, plain_number S> Tile<promote_scalar_t<B, S>> operator OP(S s, const Tile<B>& b) { \
    using R = promote_scalar_t<B, S>;                                                                  \
    return Tile<R>::scalar(convert<R>(s)) OP b;                                                        \
  }

/// x / y; integer division truncates toward zero (C, CUDA and torch.div(rounding_mode=
/// "trunc"); not Python's or torch's `//`, which floors). An integer division by zero is
/// undefined on the GPU, so eager mode raises it.
template <class C> C divide(C x, C y) {
  if constexpr (std::is_integral_v<C>) {
    if (y == 0) throw ShapeError("tilecc: integer division by zero in a tile");
    if (y == -1) {  // the lowest value / -1 wraps (in unsigned arithmetic: no overflow)
      using U = std::make_unsigned_t<C>;
      return static_cast<C>(static_cast<U>(U(0) - static_cast<U>(x)));
    }
  }
  return static_cast<C>(x / y);
}
/// x % y with the sign of x: C's % on integers, fmod on floats (torch.fmod; not Python's or
/// torch's remainder, which takes the sign of y). An integer remainder by zero raises.
template <class C> C remainder(C x, C y) {
  if constexpr (std::is_integral_v<C>) {
    if (y == 0) throw ShapeError("tilecc: integer remainder by zero in a tile");
    if (y == -1) return C(0);
    return static_cast<C>(x % y);
  } else {
    return std::fmod(x, y);
  }
}

// Bit operations on integer tiles (two's complement, the promoted type's width).
template <class C> C bit_and(C x, C y) {
  static_assert(std::is_integral_v<C> && !std::is_same_v<C, bool>, "tilecc: & | ^ need integer (or bool) tiles");
  return static_cast<C>(x & y);
}
template <class C> C bit_or(C x, C y) {
  static_assert(std::is_integral_v<C> && !std::is_same_v<C, bool>, "tilecc: & | ^ need integer (or bool) tiles");
  return static_cast<C>(x | y);
}
template <class C> C bit_xor(C x, C y) {
  static_assert(std::is_integral_v<C> && !std::is_same_v<C, bool>, "tilecc: & | ^ need integer (or bool) tiles");
  return static_cast<C>(x ^ y);
}
/// Shifts by 0 .. width-1 bits; >> of a negative value is arithmetic (sign-filling), as in
/// C++20 and CUDA. A count outside that range is undefined on the GPU, so eager mode raises it.
template <class C> void check_shift(C y) {
  static_assert(std::is_integral_v<C> && !std::is_same_v<C, bool>, "tilecc: << and >> need integer tiles");
  if (y < 0 || y >= static_cast<C>(8 * sizeof(C)))
    throw ShapeError("tilecc: shift by " + std::to_string(static_cast<long long>(y)) + " bits of a " +
                     std::to_string(8 * sizeof(C)) + "-bit integer tile");
}
template <class C> C shift_left(C x, C y) {
  check_shift(y);
  using U = std::make_unsigned_t<C>;
  return static_cast<C>(static_cast<U>(static_cast<U>(x) << y));
}
template <class C> C shift_right(C x, C y) {
  check_shift(y);
  return static_cast<C>(x >> y);
}
}  // namespace detail

TILECC_OPERATOR_FORMS(/, detail::divide)
TILECC_OPERATOR_FORMS(%, detail::remainder)
TILECC_OPERATOR_FORMS(<<, detail::shift_left)
TILECC_OPERATOR_FORMS(>>, detail::shift_right)

#define TILECC_COMPARISON_OPERATOR(OP)                                                     \
  template <class A, class B> Tile<bool> operator OP(const Tile<A>& a, const Tile<B>& b) { \
    using C = compute_t<promote_t<A, B>>;                                                  \
    return detail::map2<bool, C>(a, b, [](C x, C y) { return x OP y; });                   \
  }                                                                                        \
  template <class A, plain_number S> Tile<bool> operator OP(const Tile<A>& a, S s) {       \
    using R = promote_scalar_t<A, S>;                                                      \
    return a OP Tile<R>::scalar(convert<R>(s));                                            \
  }                                                                                        \
  template <class B, plain_number S> Tile<bool> operator OP(S s, const Tile<B>& b) {       \
    using R = promote_scalar_t<B, S>;                                                      \
    return Tile<R>::scalar(convert<R>(s)) OP b;                                            \
  }
TILECC_COMPARISON_OPERATOR(<)
TILECC_COMPARISON_OPERATOR(<=)
TILECC_COMPARISON_OPERATOR(>)
TILECC_COMPARISON_OPERATOR(>=)
TILECC_COMPARISON_OPERATOR(==)
TILECC_COMPARISON_OPERATOR(!=)
#undef TILECC_COMPARISON_OPERATOR

/// Logical and/or of boolean tiles.
inline Tile<bool> operator&(const Tile<bool>& a, const Tile<bool>& b) {
  return detail::map2<bool, bool>(a, b, [](bool x, bool y) { return x && y; });
}
inline Tile<bool> operator|(const Tile<bool>& a, const Tile<bool>& b) {
  return detail::map2<bool, bool>(a, b, [](bool x, bool y) { return x || y; });
}
inline Tile<bool> operator!(const Tile<bool>& a) {
  return detail::map1<bool>(a, [](bool x) { return !x; });
}

// & | ^ of integer tiles are bitwise (of bool tiles, & and | above are logical).
TILECC_OPERATOR_FORMS(&, detail::bit_and)
TILECC_OPERATOR_FORMS(|, detail::bit_or)
TILECC_OPERATOR_FORMS(^, detail::bit_xor)
#undef TILECC_OPERATOR_FORMS

/// Bitwise complement of an integer tile.
template <class T> Tile<T> operator~(const Tile<T>& a) {
  static_assert(is_integer_v<T>, "tilecc: ~ needs an integer tile; use operator! on bool tiles");
  return detail::map1<T>(a, [](T x) { return static_cast<T>(~x); });
}

template <class T> Tile<T> operator-(const Tile<T>& a) {
  static_assert(!std::is_same_v<T, bool>, "tilecc: negation of a bool tile; use operator!");
  return detail::map1<T>(a, [](compute_t<T> x) { return static_cast<compute_t<T>>(-x); });
}

#define TILECC_COMPOUND_ASSIGN(OP)                                                                         \
  template <class T> template <class U> Tile<T>& Tile<T>::operator OP##=(const Tile<U>& o) {               \
    Tile<T> r = detail::broadcast_to(*this, detail::broadcast_shapes(shape_, o.shape()));                  \
    using C = compute_t<promote_t<T, U>>;                                                                  \
    r = detail::map2<T, C>(r, o, [](C x, C y) { return static_cast<C>(x OP y); });                         \
    if (!(r.shape() == shape_))                                                                            \
      throw ShapeError("tilecc: " #OP "= would change the shape of a tile from " + shape_.str() + " to " + \
                       r.shape().str());                                                                   \
    *this = std::move(r);                                                                                  \
    return *this;                                                                                          \
  }
TILECC_COMPOUND_ASSIGN(+)
TILECC_COMPOUND_ASSIGN(-)
TILECC_COMPOUND_ASSIGN(*)
#undef TILECC_COMPOUND_ASSIGN

template <class T> template <class U> Tile<T>& Tile<T>::operator/=(const Tile<U>& o) {
  Tile<T> r = detail::broadcast_to(*this, detail::broadcast_shapes(shape_, o.shape()));
  using C = compute_t<promote_t<T, U>>;
  r = detail::map2<T, C>(r, o, detail::divide<C>);
  if (!(r.shape() == shape_))
    throw ShapeError("tilecc: /= would change the shape of a tile from " + shape_.str() + " to " + r.shape().str());
  *this = std::move(r);
  return *this;
}

}  // namespace tilecc
