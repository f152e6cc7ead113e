// Element types of the tile language and the rules that combine them.
//
// f16, bf16 and the fp8 types are storage types: eager mode converts them to float
// for arithmetic and rounds back (round-to-nearest-even), as the GPU does.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace tilecc {

/// IEEE 754 binary16.
struct f16 {
  std::uint16_t bits = 0;

  f16() = default;
  f16(float v) : bits(from_float(v)) {}  // NOLINT: implicit, like __half
  operator float() const { return to_float(bits); }

  static std::uint16_t from_float(float f) {
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const std::uint32_t exp = (x >> 23) & 0xffu;
    std::uint32_t mant = x & 0x7fffffu;
    if (exp == 0xffu)  // inf or nan (keep nan quiet)
      return static_cast<std::uint16_t>(sign | 0x7c00u | (mant ? 0x200u : 0u));
    const int e = static_cast<int>(exp) - 127 + 15;
    if (e >= 31) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow
    if (e <= 0) {                                                     // subnormal or zero
      if (e < -10) return static_cast<std::uint16_t>(sign);
      mant |= 0x800000u;
      const int shift = 14 - e;
      std::uint32_t half = mant >> shift;
      const std::uint32_t rest = mant & ((1u << shift) - 1u);
      const std::uint32_t mid = 1u << (shift - 1);
      if (rest > mid || (rest == mid && (half & 1u))) ++half;
      return static_cast<std::uint16_t>(sign | half);
    }
    std::uint32_t half = sign | (static_cast<std::uint32_t>(e) << 10) | (mant >> 13);
    const std::uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;  // may carry into exp: ok
    return static_cast<std::uint16_t>(half);
  }

  static float to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1fu;
    std::uint32_t mant = h & 0x3ffu;
    if (exp == 0x1fu) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));
    if (exp == 0) {
      if (mant == 0) return std::bit_cast<float>(sign);
      const float v = std::ldexp(static_cast<float>(mant), -24);
      return sign ? -v : v;
    }
    return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
  }
};

/// bfloat16: the upper half of a float.
struct bf16 {
  std::uint16_t bits = 0;

  bf16() = default;
  bf16(float v) : bits(from_float(v)) {}  // NOLINT: implicit, like __nv_bfloat16
  operator float() const { return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16); }

  static std::uint16_t from_float(float f) {
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
    const std::uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>((x + rounding) >> 16);
  }
};

namespace detail {
/// An 8-bit float with E exponent bits (bias 2^(E-1) - 1) and M mantissa bits. e4m3 has no
/// infinity and one NaN code per sign (all ones); e5m2 is IEEE-like (infinities, NaNs).
template <int E, int M, bool IEEE> struct Fp8Format {
  static constexpr int bias = (1 << (E - 1)) - 1;
  static constexpr int min_exp = 1 - bias;  // of normal numbers
  static constexpr std::uint8_t max_bits = IEEE ? ((((1u << E) - 2u) << M) | ((1u << M) - 1u)) : 0x7eu;
  static constexpr std::uint8_t nan_bits = IEEE ? 0x7eu : 0x7fu;

  static float to_float(std::uint8_t b) {
    const bool neg = b & 0x80u;
    const int e = (b >> M) & ((1 << E) - 1), m = b & ((1 << M) - 1);
    float v;
    if (IEEE && e == (1 << E) - 1)
      v = m ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
    else if (!IEEE && (b & 0x7fu) == 0x7fu)
      v = std::numeric_limits<float>::quiet_NaN();
    else if (e == 0)
      v = std::ldexp(static_cast<float>(m), min_exp - M);
    else
      v = std::ldexp(static_cast<float>((1 << M) | m), e - bias - M);
    return neg ? -v : v;
  }

  /// Round to nearest, ties to even; beyond the largest finite value (infinities included)
  /// saturate to it; NaN stays NaN. The device's cuda_fp8.h conversions (__NV_SATFINITE) do the same.
  static std::uint8_t from_float(float f) {
    const std::uint8_t sign = std::signbit(f) ? 0x80u : 0u;
    if (std::isnan(f)) return static_cast<std::uint8_t>(sign | nan_bits);
    const double a = std::fabs(static_cast<double>(f));
    if (a == 0) return sign;
    if (std::isinf(a)) return static_cast<std::uint8_t>(sign | max_bits);
    int e = std::ilogb(a);  // a = 1.f * 2^e
    if (e < min_exp) e = min_exp;  // subnormal: steps of 2^(min_exp - M)
    double n = std::nearbyint(std::ldexp(a, M - e));  // exact scaling; ties to even (default mode)
    if (n >= (1 << (M + 1))) {  // rounded up into the next binade
      n /= 2;
      ++e;
    }
    const int biased = n >= (1 << M) ? e + bias : 0;
    const auto bits = static_cast<unsigned>((biased << M) | (static_cast<int>(n) & ((1 << M) - 1)));
    if (biased > ((1 << E) - 1) || bits > max_bits) return static_cast<std::uint8_t>(sign | max_bits);
    return static_cast<std::uint8_t>(sign | bits);
  }
};
}  // namespace detail

/// fp8 e4m3 (OCP "e4m3fn": bias 7, largest 448, no infinity); a storage type like f16.
struct fp8e4m3 {
  using format = detail::Fp8Format<4, 3, false>;
  std::uint8_t bits = 0;
  fp8e4m3() = default;
  fp8e4m3(float v) : bits(format::from_float(v)) {}  // NOLINT: implicit, like __nv_fp8_e4m3
  operator float() const { return format::to_float(bits); }
};

/// fp8 e5m2 (bias 15, largest 57344, with infinities and NaNs); a storage type like f16.
struct fp8e5m2 {
  using format = detail::Fp8Format<5, 2, true>;
  std::uint8_t bits = 0;
  fp8e5m2() = default;
  fp8e5m2(float v) : bits(format::from_float(v)) {}  // NOLINT: implicit, like __nv_fp8_e5m2
  operator float() const { return format::to_float(bits); }
};

// Short names used in kernels and by the frontend's type mapping.
using f32 = float;
using f64 = double;
using i8 = std::int8_t;
using u8 = std::uint8_t;
using i32 = std::int32_t;
using i64 = std::int64_t;

template <class T>
inline constexpr bool is_low_precision_v =
    std::is_same_v<T, f16> || std::is_same_v<T, bf16> || std::is_same_v<T, fp8e4m3> || std::is_same_v<T, fp8e5m2>;

template <class T> inline constexpr bool is_floating_v = std::is_floating_point_v<T> || is_low_precision_v<T>;

template <class T> inline constexpr bool is_integer_v = std::is_integral_v<T> && !std::is_same_v<T, bool>;

/// Every dtype a tensor or tile may hold.
template <class T>
inline constexpr bool is_dtype_v =
    std::is_same_v<T, float> || std::is_same_v<T, double> || is_low_precision_v<T> || std::is_same_v<T, std::int8_t> ||
    std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t> ||
    std::is_same_v<T, bool>;

/// The type eager mode computes a T in: float for f16/bf16, T otherwise.
template <class T> using compute_t = std::conditional_t<is_low_precision_v<T>, float, T>;

/// The accumulator of a reduction over T values.
template <class T>
using accum_t =
    std::conditional_t<std::is_same_v<T, double>, double, std::conditional_t<is_floating_v<T>, float, std::int64_t>>;

namespace detail {
template <class T> constexpr int float_rank() {
  if constexpr (std::is_same_v<T, double>)
    return 3;
  else if constexpr (std::is_same_v<T, float>)
    return 2;
  else
    return 1;  // f16, bf16
}
}  // namespace detail

/// Result type of a binary op on two tiles (torch-like promotion).
template <class A, class B> struct promote {
  using type = decltype([] {
    if constexpr (std::is_same_v<A, B>)
      return A{};
    else if constexpr (is_floating_v<A> && is_floating_v<B>) {
      if constexpr (detail::float_rank<A>() == 1 && detail::float_rank<B>() == 1)
        return float{};
      else if constexpr (detail::float_rank<A>() >= detail::float_rank<B>())
        return A{};
      else
        return B{};
    } else if constexpr (is_floating_v<A>)
      return A{};
    else if constexpr (is_floating_v<B>)
      return B{};
    else if constexpr (std::is_same_v<A, bool>)
      return B{};
    else if constexpr (std::is_same_v<B, bool>)
      return A{};
    // u8 with i8: i32 holds both (torch gives int16, which tilecc does not have).
    else if constexpr (sizeof(A) == 1 && sizeof(B) == 1)
      return std::int32_t{};
    else if constexpr (sizeof(A) >= sizeof(B))
      return A{};
    else
      return B{};
  }());
};
template <class A, class B> using promote_t = typename promote<A, B>::type;

/// Result type of a tile of T combined with a plain C++ scalar S: the tile's
/// type wins, except that an integer tile with a floating scalar gives float.
template <class T, class S>
using promote_scalar_t =
    std::conditional_t<!is_floating_v<T> && std::is_floating_point_v<S>, float,
                       std::conditional_t<std::is_same_v<T, bool> && is_integer_v<S>, std::int64_t, T>>;

/// Converts between dtypes with C++ semantics, going through float for f16/bf16.
template <class To, class From> constexpr To convert(From v) {
  if constexpr (std::is_same_v<To, From>)
    return v;
  else if constexpr (is_low_precision_v<From>)
    return convert<To>(static_cast<float>(v));
  else if constexpr (is_low_precision_v<To>)
    return To(static_cast<float>(v));
  else if constexpr (std::is_same_v<To, bool>)
    return v != From{};
  else
    return static_cast<To>(v);
}

}  // namespace tilecc
