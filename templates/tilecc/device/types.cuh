// Element types of generated code and the conversions between them.
//
// Generated code uses float, double, __half (f16), __nv_bfloat16 (bf16), __nv_fp8_e4m3 and
// __nv_fp8_e5m2 (fp8), signed char (i8), unsigned char (u8), int (i32), long long (i64) and bool. NVRTC has no standard
// library, so the few type traits the library needs live here. Arithmetic on f16/bf16 happens in float (compute_t) and
// is rounded once, to nearest even, into the result type.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

namespace tilecc {
namespace dev {

using int64_t = long long;
using uint64_t = unsigned long long;

// ---- Minimal type traits -------------------------------------------------------------------

template <class A, class B> struct is_same {
  static constexpr bool value = false;
};
template <class A> struct is_same<A, A> {
  static constexpr bool value = true;
};
template <class A, class B> inline constexpr bool is_same_v = is_same<A, B>::value;

template <bool Cond, class T, class F> struct conditional {
  using type = T;
};
template <class T, class F> struct conditional<false, T, F> {
  using type = F;
};
template <bool Cond, class T, class F> using conditional_t = typename conditional<Cond, T, F>::type;

template <class T> struct remove_cv {
  using type = T;
};
template <class T> struct remove_cv<const T> {
  using type = T;
};
template <class T> using remove_cv_t = typename remove_cv<T>::type;

template <class T> inline constexpr bool is_low_precision_v = is_same_v<T, __half> || is_same_v<T, __nv_bfloat16>;

// fp8 values are stored only: arithmetic converts them to float (tensor-core dots do not take them).
template <class T> inline constexpr bool is_fp8_v = is_same_v<T, __nv_fp8_e4m3> || is_same_v<T, __nv_fp8_e5m2>;

template <class T>
inline constexpr bool is_floating_v =
    is_same_v<T, float> || is_same_v<T, double> || is_low_precision_v<T> || is_fp8_v<T>;

template <class T>
inline constexpr bool is_integral_v =
    is_same_v<T, bool> || is_same_v<T, signed char> || is_same_v<T, char> || is_same_v<T, unsigned char> ||
    is_same_v<T, short> || is_same_v<T, unsigned short> || is_same_v<T, int> || is_same_v<T, unsigned> ||
    is_same_v<T, long> || is_same_v<T, unsigned long> || is_same_v<T, long long> || is_same_v<T, unsigned long long>;

__host__ __device__ constexpr int cmin(int a, int b) { return a < b ? a : b; }
__host__ __device__ constexpr int cmax(int a, int b) { return a < b ? b : a; }
__host__ __device__ constexpr bool is_pow2(int x) { return x >= 1 && (x & (x - 1)) == 0; }
__host__ __device__ constexpr int cmax_of(int a) { return a; }
template <class... Rest> __host__ __device__ constexpr int cmax_of(int a, int b, Rest... rest) {
  return cmax_of(cmax(a, b), rest...);
}

// ---- Compute and accumulator types ---------------------------------------------------------

// The type arithmetic on T happens in: float for f16/bf16, T itself otherwise.
template <class T> struct compute_type {
  using type = T;
  using compute_t = T;
};
template <> struct compute_type<__half> {
  using type = float;
  using compute_t = float;
};
template <> struct compute_type<__nv_bfloat16> {
  using type = float;
  using compute_t = float;
};
template <> struct compute_type<__nv_fp8_e4m3> {
  using type = float;
  using compute_t = float;
};
template <> struct compute_type<__nv_fp8_e5m2> {
  using type = float;
  using compute_t = float;
};
template <class T> using compute_t = typename compute_type<T>::type;

// The type transcendental functions run in: double for double, float for everything else.
template <class T> using math_t = conditional_t<is_same_v<T, double>, double, float>;

// The type reductions accumulate in: float for f16/bf16/float, double for double, long long
// for integers and bool.
template <class T> struct accum_type {
  using type = conditional_t<is_same_v<T, double>, double, conditional_t<is_integral_v<T>, long long, float>>;
};
template <class T> using accum_t = typename accum_type<T>::type;

// ---- Conversions ---------------------------------------------------------------------------

namespace detail {
template <class From> __device__ __forceinline__ bool nonzero(From x) {
  if constexpr (is_fp8_v<From>)
    return static_cast<float>(x) != 0.0f;
  else if constexpr (is_same_v<From, __half>)
    return __half2float(x) != 0.0f;
  else if constexpr (is_same_v<From, __nv_bfloat16>)
    return __bfloat162float(x) != 0.0f;
  else
    return x != From(0);
}
}  // namespace detail

// convert<To>(x): f16/bf16/fp8 go through float (exact), floats round to nearest even into
// f16/bf16/fp8 (fp8: saturating), integers reach f16/bf16 through float, anything becomes bool as `x != 0`.
template <class To, class From> __device__ __forceinline__ To convert(From x) {
  if constexpr (is_same_v<To, From>) {
    return x;
  } else if constexpr (is_same_v<To, bool>) {
    return detail::nonzero(x);
  } else if constexpr (is_same_v<From, __half>) {
    return convert<To>(__half2float(x));
  } else if constexpr (is_same_v<From, __nv_bfloat16>) {
    return convert<To>(__bfloat162float(x));
  } else if constexpr (is_fp8_v<From>) {
    return convert<To>(static_cast<float>(x));
  } else if constexpr (is_fp8_v<To>) {
    // Through float, as eager mode converts; round to nearest even, saturating to the largest
    // finite value (the __NV_SATFINITE constructors), NaN stays NaN.
    return To(static_cast<float>(x));
  } else if constexpr (is_same_v<To, __half>) {
    if constexpr (is_same_v<From, double>)
      return __double2half(x);
    else
      return __float2half_rn(static_cast<float>(x));
  } else if constexpr (is_same_v<To, __nv_bfloat16>) {
    if constexpr (is_same_v<From, double>)
      return __double2bfloat16(x);
    else
      return __float2bfloat16_rn(static_cast<float>(x));
  } else {
    return static_cast<To>(x);
  }
}

// Zero of any element type (a literal 0 does not convert to __half everywhere).
template <class T> __device__ __forceinline__ T zero() { return convert<T>(0); }

// ---- Limits of the accumulator types (identities of max/min) -------------------------------

template <class T> __device__ __forceinline__ T lowest();
template <class T> __device__ __forceinline__ T highest();
template <> __device__ __forceinline__ float lowest<float>() { return __int_as_float(0xff800000); }
template <> __device__ __forceinline__ float highest<float>() { return __int_as_float(0x7f800000); }
template <> __device__ __forceinline__ double lowest<double>() {
  return __longlong_as_double(static_cast<long long>(0xfff0000000000000ull));
}
template <> __device__ __forceinline__ double highest<double>() { return __longlong_as_double(0x7ff0000000000000ll); }
template <> __device__ __forceinline__ long long lowest<long long>() { return -9223372036854775807ll - 1; }
template <> __device__ __forceinline__ long long highest<long long>() { return 9223372036854775807ll; }

template <class T> __device__ __forceinline__ bool is_nan(T x) {
  if constexpr (is_floating_v<T>)
    return x != x;
  else
    return false;
}

}  // namespace dev
}  // namespace tilecc
