// Elementwise math on fragments, with broadcasting.
//
// Operands are Frags or plain scalars. A Frag with R == 1 (C == 1) supplies row 0 (column 0)
// to every row (column) of the result; a scalar supplies itself everywhere. The result has the
// largest R and C of the operands and the largest extents of its Frag operands; all Frag
// operands share one Layout. Arithmetic ops take the result type first (add<float>(a, b)) and
// compute in compute_t<RT> (float for f16/bf16), rounding once into RT. Transcendental
// functions use the accurate libm functions (expf, ..., or the double ones for double),
// except two that sit in the inner loop of every softmax and normalization: float exp and
// float division use the hardware approximations (__expf: 2 + 1.16|x| ulp; __fdividef:
// 2 ulp), as Triton's tl.exp and `/` do, and float exp2 is ex2.approx.ftz (2 ulp, subnormal
// results flushed to zero), attention's exponential. Measured on an H100 (bench/NOTES.md): bf16 softmax
// 8192x4096 from 67.9% to 72.5% of copy bandwidth. -DTILECC_PRECISE_MATH restores expf and
// IEEE division.
#pragma once

#include "frag.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {
namespace detail {

// What an operand of an elementwise op looks like: its element type, tile shape, and how to
// read the element that lines up with result element (i, j).
template <class X> struct operand {
  static constexpr bool is_frag = false;
  static constexpr int R = 1, C = 1;
  using value_type = X;
  using layout = void;
  __device__ __forceinline__ static X at(const X &x, int, int) { return x; }
  __device__ __forceinline__ static int rows(const X &) { return 0; }
  __device__ __forceinline__ static int cols(const X &) { return 0; }
};
template <class T, int R_, int C_, class L> struct operand<Frag<T, R_, C_, L>> {
  static constexpr bool is_frag = true;
  static constexpr int R = R_, C = C_;
  using value_type = T;
  using layout = L;
  __device__ __forceinline__ static T at(const Frag<T, R_, C_, L> &x, int i, int j) {
    return x.v[R_ == 1 ? 0 : i][C_ == 1 ? 0 : j];
  }
  __device__ __forceinline__ static int rows(const Frag<T, R_, C_, L> &x) { return x.rows; }
  __device__ __forceinline__ static int cols(const Frag<T, R_, C_, L> &x) { return x.cols; }
};

template <class X> using value_t = typename operand<X>::value_type;

template <class... X> struct first_layout {
  using type = void;
};
template <class X, class... Rest> struct first_layout<X, Rest...> {
  using type = conditional_t<operand<X>::is_frag, typename operand<X>::layout, typename first_layout<Rest...>::type>;
};

__device__ __forceinline__ int imax(int a) { return a; }
template <class... Rest> __device__ __forceinline__ int imax(int a, int b, Rest... rest) {
  return imax(a < b ? b : a, rest...);
}

// The result of a broadcasting op over operands X... with element type RT.
template <class RT, class... X> struct broadcast {
  using L = typename first_layout<X...>::type;
  static constexpr bool any_frag = (operand<X>::is_frag || ...);
  static constexpr int R = cmax_of(operand<X>::R...);
  static constexpr int C = cmax_of(operand<X>::C...);
  static_assert(((operand<X>::R == 1 || operand<X>::R == R) && ...), "broadcast: row extents must match or be 1");
  static_assert(((operand<X>::C == 1 || operand<X>::C == C) && ...), "broadcast: column extents must match or be 1");
  static_assert(((!operand<X>::is_frag || is_same_v<typename operand<X>::layout, L>)&&...),
                "broadcast: all fragments must share one Layout");
  using type = conditional_t<any_frag, Frag<RT, R, C, L>, RT>;
};

// out(i, j) = fn(x(i, j)...) with broadcasting; a plain value when no operand is a Frag.
template <class RT, class Fn, class... X>
__device__ __forceinline__ typename broadcast<RT, X...>::type map(Fn fn, const X &...x) {
  using B = broadcast<RT, X...>;
  if constexpr (!B::any_frag) {
    return fn(x...);
  } else {
    typename B::type out;
    out.rows = imax(operand<X>::rows(x)...);
    out.cols = imax(operand<X>::cols(x)...);
#pragma unroll
    for (int i = 0; i < out.er; ++i)
#pragma unroll
      for (int j = 0; j < out.ec; ++j) out.v[i][j] = fn(operand<X>::at(x, i, j)...);
    return out;
  }
}

// Binary arithmetic: convert both to compute_t<RT>, apply, round once into RT.
template <class RT, class Op> struct arith2 {
  template <class A, class B> __device__ __forceinline__ RT operator()(A a, B b) const {
    using CT = compute_t<RT>;
    return convert<RT>(Op{}(convert<CT>(a), convert<CT>(b)));
  }
};
// Unary math: convert to the op's working type W<compute_t<RT>>, apply, round into RT.
template <class RT, class Op, bool Transcendental> struct arith1 {
  template <class A> __device__ __forceinline__ RT operator()(A a) const {
    using CT = compute_t<RT>;
    using W = conditional_t<Transcendental, math_t<CT>, CT>;
    return convert<RT>(Op{}(convert<W>(a)));
  }
};
// Comparison in the common type of both compute types.
template <class Op> struct compare2 {
  template <class A, class B> __device__ __forceinline__ bool operator()(A a, B b) const {
    using CT = decltype(compute_t<A>() + compute_t<B>());
    return Op{}(convert<CT>(a), convert<CT>(b));
  }
};

struct op_add {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return a + b; }
};
struct op_sub {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return a - b; }
};
struct op_mul {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return a * b; }
};
struct op_div {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return a / b; }
#ifndef TILECC_PRECISE_MATH
  __device__ __forceinline__ float operator()(float a, float b) const { return __fdividef(a, b); }
#endif
};
// NaN propagates: a NaN on either side is the result. Floats use max.NaN / min.NaN (sm_80),
// one instruction where the compare-and-select spelling takes three.
struct op_maximum {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return (a > b || is_nan(a)) ? a : b; }
  __device__ __forceinline__ float operator()(float a, float b) const {
    float r;
    asm("max.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
    return r;
  }
};
struct op_minimum {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return (a < b || is_nan(a)) ? a : b; }
  __device__ __forceinline__ float operator()(float a, float b) const {
    float r;
    asm("min.NaN.f32 %0, %1, %2;" : "=f"(r) : "f"(a), "f"(b));
    return r;
  }
};
struct op_pow {
  __device__ __forceinline__ float operator()(float a, float b) const { return ::powf(a, b); }
  __device__ __forceinline__ double operator()(double a, double b) const { return ::pow(a, b); }
  // Integers: exact repeated squaring; negative exponents give 1 / a^-b truncated.
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const {
    if (b < 0) return a == 1 ? U(1) : a == -1 ? ((-b) % 2 == 0 ? U(1) : U(-1)) : U(0);
    U result = 1;
    while (b > 0) {
      if (b & 1) result *= a;
      a *= a;
      b >>= 1;
    }
    return result;
  }
};

struct op_lt {
  template <class U> __device__ __forceinline__ bool operator()(U a, U b) const { return a < b; }
};
struct op_le {
  template <class U> __device__ __forceinline__ bool operator()(U a, U b) const { return a <= b; }
};
struct op_gt {
  template <class U> __device__ __forceinline__ bool operator()(U a, U b) const { return a > b; }
};
struct op_ge {
  template <class U> __device__ __forceinline__ bool operator()(U a, U b) const { return a >= b; }
};
struct op_eq {
  template <class U> __device__ __forceinline__ bool operator()(U a, U b) const { return a == b; }
};
struct op_ne {
  template <class U> __device__ __forceinline__ bool operator()(U a, U b) const { return a != b; }
};

struct op_neg {
  template <class U> __device__ __forceinline__ U operator()(U a) const { return -a; }
  __device__ __forceinline__ bool operator()(bool a) const { return a; }
};
struct op_abs {
  __device__ __forceinline__ float operator()(float a) const { return ::fabsf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::fabs(a); }
  template <class U> __device__ __forceinline__ U operator()(U a) const { return a < 0 ? -a : a; }
};
struct op_exp {
#ifndef TILECC_PRECISE_MATH
  __device__ __forceinline__ float operator()(float a) const { return __expf(a); }
#else
  __device__ __forceinline__ float operator()(float a) const { return ::expf(a); }
#endif
  __device__ __forceinline__ double operator()(double a) const { return ::exp(a); }
};
struct op_exp2 {
#ifndef TILECC_PRECISE_MATH
  // ex2.approx.ftz: one MUFU.EX2 (2 ulp; subnormal results flush to zero), where exp2f adds
  // range scaling around it (attention's probabilities: 32 per thread per key tile).
  __device__ __forceinline__ float operator()(float a) const {
    float r;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(a));
    return r;
  }
#else
  __device__ __forceinline__ float operator()(float a) const { return ::exp2f(a); }
#endif
  __device__ __forceinline__ double operator()(double a) const { return ::exp2(a); }
};
struct op_log {
  __device__ __forceinline__ float operator()(float a) const { return ::logf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::log(a); }
};
struct op_sqrt {
  __device__ __forceinline__ float operator()(float a) const { return ::sqrtf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::sqrt(a); }
};
struct op_rsqrt {
  __device__ __forceinline__ float operator()(float a) const { return ::rsqrtf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::rsqrt(a); }
};
struct op_tanh {
  __device__ __forceinline__ float operator()(float a) const { return ::tanhf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::tanh(a); }
};
struct op_sigmoid {
  __device__ __forceinline__ float operator()(float a) const { return 1.0f / (1.0f + ::expf(-a)); }
  __device__ __forceinline__ double operator()(double a) const { return 1.0 / (1.0 + ::exp(-a)); }
};
struct op_erf {
  __device__ __forceinline__ float operator()(float a) const { return ::erff(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::erf(a); }
};

struct op_logical_and {
  template <class A, class B> __device__ __forceinline__ bool operator()(A a, B b) const {
    return convert<bool>(a) && convert<bool>(b);
  }
};
struct op_logical_or {
  template <class A, class B> __device__ __forceinline__ bool operator()(A a, B b) const {
    return convert<bool>(a) || convert<bool>(b);
  }
};
struct op_logical_not {
  template <class A> __device__ __forceinline__ bool operator()(A a) const { return !convert<bool>(a); }
};
template <class RT> struct op_where {
  template <class Cnd, class A, class B> __device__ __forceinline__ RT operator()(Cnd c, A a, B b) const {
    return convert<bool>(c) ? convert<RT>(a) : convert<RT>(b);
  }
};
template <class To> struct op_cast {
  template <class A> __device__ __forceinline__ To operator()(A a) const { return convert<To>(a); }
};

// Rounding to an integral value (floats; integers are already integral). round breaks ties to
// even (rintf), as torch.round does.
struct op_floor {
  __device__ __forceinline__ float operator()(float a) const { return ::floorf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::floor(a); }
  template <class U> __device__ __forceinline__ U operator()(U a) const { return a; }
};
struct op_ceil {
  __device__ __forceinline__ float operator()(float a) const { return ::ceilf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::ceil(a); }
  template <class U> __device__ __forceinline__ U operator()(U a) const { return a; }
};
struct op_trunc {
  __device__ __forceinline__ float operator()(float a) const { return ::truncf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::trunc(a); }
  template <class U> __device__ __forceinline__ U operator()(U a) const { return a; }
};
struct op_round {
  __device__ __forceinline__ float operator()(float a) const { return ::rintf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::rint(a); }
  template <class U> __device__ __forceinline__ U operator()(U a) const { return a; }
};
// -1, 0 or 1; zeros (either sign) and NaN are returned as they are.
struct op_sign {
  template <class U> __device__ __forceinline__ U operator()(U a) const {
    return a > U(0) ? U(1) : a < U(0) ? U(-1) : a;
  }
};
struct op_log1p {
  __device__ __forceinline__ float operator()(float a) const { return ::log1pf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::log1p(a); }
};
struct op_expm1 {
  __device__ __forceinline__ float operator()(float a) const { return ::expm1f(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::expm1(a); }
};
struct op_sin {
  __device__ __forceinline__ float operator()(float a) const { return ::sinf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::sin(a); }
};
struct op_cos {
  __device__ __forceinline__ float operator()(float a) const { return ::cosf(a); }
  __device__ __forceinline__ double operator()(double a) const { return ::cos(a); }
};

// Integer bit operations, in the result type's width. Shifts take counts 0 .. width-1 (others
// are undefined, as in C++); >> of a negative value fills with the sign bit.
template <class U> struct unsigned_of {
  using type = unsigned;
};
template <> struct unsigned_of<long long> {
  using type = unsigned long long;
};
template <> struct unsigned_of<unsigned long long> {
  using type = unsigned long long;
};
struct op_bit_not {
  template <class U> __device__ __forceinline__ U operator()(U a) const { return static_cast<U>(~a); }
};
struct op_bit_and {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return static_cast<U>(a & b); }
};
struct op_bit_or {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return static_cast<U>(a | b); }
};
struct op_bit_xor {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return static_cast<U>(a ^ b); }
};
struct op_shl {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const {
    using W = typename unsigned_of<U>::type;
    return static_cast<U>(static_cast<W>(a) << b);
  }
};
struct op_shr {
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const { return static_cast<U>(a >> b); }
};
// The remainder with the sign of a: % on integers, fmod on floats (torch.fmod).
struct op_rem {
  __device__ __forceinline__ float operator()(float a, float b) const { return ::fmodf(a, b); }
  __device__ __forceinline__ double operator()(double a, double b) const { return ::fmod(a, b); }
  template <class U> __device__ __forceinline__ U operator()(U a, U b) const {
    return b == U(-1) ? U(0) : static_cast<U>(a % b);  // lowest % -1 would trap
  }
};

// a * b + c rounded once, in compute_t<RT>.
struct op_fma {
  __device__ __forceinline__ float operator()(float a, float b, float c) const { return ::fmaf(a, b, c); }
  __device__ __forceinline__ double operator()(double a, double b, double c) const { return ::fma(a, b, c); }
};
template <class RT, class Op> struct arith3 {
  template <class A, class B, class C> __device__ __forceinline__ RT operator()(A a, B b, C c) const {
    using CT = compute_t<RT>;
    return convert<RT>(Op{}(convert<CT>(a), convert<CT>(b), convert<CT>(c)));
  }
};

} // namespace detail

// ---- Binary arithmetic: op<RT>(a, b) -------------------------------------------------------

#define TILECC_DEV_BINARY(name)                                                                        \
  template <class RT, class A, class B> __device__ __forceinline__ auto name(const A &a, const B &b) { \
    return detail::map<RT>(detail::arith2<RT, detail::op_##name>{}, a, b);                             \
  }
TILECC_DEV_BINARY(add)
TILECC_DEV_BINARY(sub)
TILECC_DEV_BINARY(mul)
TILECC_DEV_BINARY(div)
TILECC_DEV_BINARY(maximum)
TILECC_DEV_BINARY(minimum)
TILECC_DEV_BINARY(pow)
#undef TILECC_DEV_BINARY

// ---- A loop's partial accumulator: accumulate_op<RT>(acc, x) --------------------------------
// acc op x where x's elements are valid, acc elsewhere; the result keeps acc's extents. A loop
// that adds each tile into one accumulator of the tile's shape (defer_loop_reductions) must not
// fold in the elements past a ragged tile's edge: loads fill them, ops then compute on the fill.
// A full tile (all_valid, uniform over the block) drops the masks.
namespace detail {
template <class Op, class RT, int R, int C, class L, class X>
__device__ __forceinline__ Frag<RT, R, C, L> accumulate(const Frag<RT, R, C, L> &acc, const X &x) {
  static_assert(operand<X>::R == R && operand<X>::C == C, "accumulate: the tile and its accumulator have one shape");
  Frag<RT, R, C, L> out = acc;
  const arith2<RT, Op> op{};
  const bool all = x.all_valid();
#pragma unroll
  for (int i = 0; i < out.er; ++i)
#pragma unroll
    for (int j = 0; j < out.ec; ++j)
      if (all || x.valid(i, j)) out.v[i][j] = op(acc.v[i][j], x.v[i][j]);
  return out;
}
} // namespace detail
template <class RT, int R, int C, class L, class X>
__device__ __forceinline__ Frag<RT, R, C, L> accumulate_add(const Frag<RT, R, C, L> &acc, const X &x) {
  return detail::accumulate<detail::op_add, RT>(acc, x);
}
template <class RT, int R, int C, class L, class X>
__device__ __forceinline__ Frag<RT, R, C, L> accumulate_maximum(const Frag<RT, R, C, L> &acc, const X &x) {
  return detail::accumulate<detail::op_maximum, RT>(acc, x);
}
template <class RT, int R, int C, class L, class X>
__device__ __forceinline__ Frag<RT, R, C, L> accumulate_minimum(const Frag<RT, R, C, L> &acc, const X &x) {
  return detail::accumulate<detail::op_minimum, RT>(acc, x);
}

// ---- Comparisons: Frag<bool, ...> ----------------------------------------------------------

#define TILECC_DEV_COMPARE(name)                                                             \
  template <class A, class B> __device__ __forceinline__ auto name(const A &a, const B &b) { \
    return detail::map<bool>(detail::compare2<detail::op_##name>{}, a, b);                   \
  }
TILECC_DEV_COMPARE(lt)
TILECC_DEV_COMPARE(le)
TILECC_DEV_COMPARE(gt)
TILECC_DEV_COMPARE(ge)
TILECC_DEV_COMPARE(eq)
TILECC_DEV_COMPARE(ne)
#undef TILECC_DEV_COMPARE

template <class A, class B> __device__ __forceinline__ auto logical_and(const A &a, const B &b) {
  return detail::map<bool>(detail::op_logical_and{}, a, b);
}
template <class A, class B> __device__ __forceinline__ auto logical_or(const A &a, const B &b) {
  return detail::map<bool>(detail::op_logical_or{}, a, b);
}
template <class A> __device__ __forceinline__ auto logical_not(const A &a) {
  return detail::map<bool>(detail::op_logical_not{}, a);
}

// ---- Unary math: op<RT>(a) -----------------------------------------------------------------

#define TILECC_DEV_UNARY(name, transcendental)                                          \
  template <class RT, class A> __device__ __forceinline__ auto name(const A &a) {       \
    return detail::map<RT>(detail::arith1<RT, detail::op_##name, transcendental>{}, a); \
  }
TILECC_DEV_UNARY(neg, false)
TILECC_DEV_UNARY(abs, false)
TILECC_DEV_UNARY(exp, true)
TILECC_DEV_UNARY(exp2, true)
TILECC_DEV_UNARY(log, true)
TILECC_DEV_UNARY(sqrt, true)
TILECC_DEV_UNARY(rsqrt, true)
TILECC_DEV_UNARY(tanh, true)
TILECC_DEV_UNARY(sigmoid, true)
TILECC_DEV_UNARY(erf, true)
#undef TILECC_DEV_UNARY

// c ? a : b elementwise, each side converted to RT.
template <class RT, class C, class A, class B>
__device__ __forceinline__ auto where(const C &c, const A &a, const B &b) {
  return detail::map<RT>(detail::op_where<RT>{}, c, a, b);
}

// where(index_compare<Op, R, C, L>(a_begin, b_begin, rows, cols), a, b): on a tile where the
// compare holds everywhere (a causal mask's tiles below the diagonal), `a` as it is, with no
// compare or select an element. The test is the same for the whole block, so no warp diverges.
template <class RT, IndexCmp Op, int R, int C, class L, class A, class B>
__device__ __forceinline__ auto where_index(long long a_begin, long long b_begin, int rows, int cols, const A &a,
                                            const B &b) {
  using Out = decltype(where<RT>(index_compare<Op, R, C, L>(a_begin, b_begin, rows, cols), a, b));
  if constexpr (is_same_v<A, Out>) {
    if (index_compare_everywhere<Op, R, C>(a_begin, b_begin)) return a;
  }
  return where<RT>(index_compare<Op, R, C, L>(a_begin, b_begin, rows, cols), a, b);
}

// Elementwise conversion to To; shape and extents unchanged.
template <class To, class F> __device__ __forceinline__ auto cast(const F &f) {
  constexpr bool to_low = is_same_v<To, __nv_bfloat16> || is_same_v<To, __half>;
  if constexpr (detail::operand<F>::is_frag && to_low && is_same_v<detail::value_t<F>, float>) {
    if constexpr (F::ec % 2 == 0) {
      // float -> f16/bf16 two at a time: one packed conversion (cvt.rn.*x2.f32, the same
      // rounding as one by one) per pair of a thread's neighbouring elements.
      Frag<To, F::tile_rows, F::tile_cols, typename F::layout> out;
      out.rows = f.rows;
      out.cols = f.cols;
#pragma unroll
      for (int i = 0; i < F::er; ++i)
#pragma unroll
        for (int j = 0; j < F::ec; j += 2) {
          const float2 pair = make_float2(f.v[i][j], f.v[i][j + 1]);
          if constexpr (is_same_v<To, __nv_bfloat16>) {
            const __nv_bfloat162 p = __float22bfloat162_rn(pair);
            out.v[i][j] = p.x;
            out.v[i][j + 1] = p.y;
          } else {
            const __half2 p = __float22half2_rn(pair);
            out.v[i][j] = p.x;
            out.v[i][j + 1] = p.y;
          }
        }
      return out;
    }
  }
  return detail::map<To>(detail::op_cast<To>{}, f);
}

// ---- The same ops on plain values: scalar_op<RT>(a[, b]) -----------------------------------
// (Every op above also takes plain values; these names say so where no Frag is involved.)

#define TILECC_DEV_SCALAR_UNARY(name) \
  template <class RT, class A> __device__ __forceinline__ RT scalar_##name(const A &a) { return name<RT>(a); }
TILECC_DEV_SCALAR_UNARY(neg)
TILECC_DEV_SCALAR_UNARY(abs)
TILECC_DEV_SCALAR_UNARY(exp)
TILECC_DEV_SCALAR_UNARY(exp2)
TILECC_DEV_SCALAR_UNARY(log)
TILECC_DEV_SCALAR_UNARY(sqrt)
TILECC_DEV_SCALAR_UNARY(rsqrt)
TILECC_DEV_SCALAR_UNARY(tanh)
TILECC_DEV_SCALAR_UNARY(sigmoid)
TILECC_DEV_SCALAR_UNARY(erf)
#undef TILECC_DEV_SCALAR_UNARY

#define TILECC_DEV_SCALAR_BINARY(name)                                                                        \
  template <class RT, class A, class B> __device__ __forceinline__ RT scalar_##name(const A &a, const B &b) { \
    return name<RT>(a, b);                                                                                    \
  }
TILECC_DEV_SCALAR_BINARY(add)
TILECC_DEV_SCALAR_BINARY(sub)
TILECC_DEV_SCALAR_BINARY(mul)
TILECC_DEV_SCALAR_BINARY(div)
TILECC_DEV_SCALAR_BINARY(maximum)
TILECC_DEV_SCALAR_BINARY(minimum)
TILECC_DEV_SCALAR_BINARY(pow)
#undef TILECC_DEV_SCALAR_BINARY

// ---- Rounding, sign, more math, bit operations, remainder, fma ------------------------------

#define TILECC_DEV_UNARY(name, transcendental)                                          \
  template <class RT, class A> __device__ __forceinline__ auto name(const A &a) {       \
    return detail::map<RT>(detail::arith1<RT, detail::op_##name, transcendental>{}, a); \
  }                                                                                     \
  template <class RT, class A> __device__ __forceinline__ RT scalar_##name(const A &a) { return name<RT>(a); }
TILECC_DEV_UNARY(floor, false)
TILECC_DEV_UNARY(ceil, false)
TILECC_DEV_UNARY(round, false)
TILECC_DEV_UNARY(trunc, false)
TILECC_DEV_UNARY(sign, false)
TILECC_DEV_UNARY(log1p, true)
TILECC_DEV_UNARY(expm1, true)
TILECC_DEV_UNARY(sin, true)
TILECC_DEV_UNARY(cos, true)
TILECC_DEV_UNARY(bit_not, false)
#undef TILECC_DEV_UNARY

#define TILECC_DEV_BINARY(name)                                                                               \
  template <class RT, class A, class B> __device__ __forceinline__ auto name(const A &a, const B &b) {        \
    return detail::map<RT>(detail::arith2<RT, detail::op_##name>{}, a, b);                                    \
  }                                                                                                           \
  template <class RT, class A, class B> __device__ __forceinline__ RT scalar_##name(const A &a, const B &b) { \
    return name<RT>(a, b);                                                                                    \
  }
TILECC_DEV_BINARY(bit_and)
TILECC_DEV_BINARY(bit_or)
TILECC_DEV_BINARY(bit_xor)
TILECC_DEV_BINARY(shl)
TILECC_DEV_BINARY(shr)
TILECC_DEV_BINARY(rem)
#undef TILECC_DEV_BINARY

template <class RT, class A, class B, class C> __device__ __forceinline__ auto fma(const A &a, const B &b, const C &c) {
  return detail::map<RT>(detail::arith3<RT, detail::op_fma>{}, a, b, c);
}
template <class RT, class A, class B, class C>
__device__ __forceinline__ RT scalar_fma(const A &a, const B &b, const C &c) {
  return fma<RT>(a, b, c);
}

} // namespace dev
} // namespace tilecc