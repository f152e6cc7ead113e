// Kernels that use every elementwise math op of the language: the eager tier runs them against
// plain loops (test/eager/test_math.cpp), the nvrtc tier compiles their generated CUDA.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

// floor, ceil, round (ties to even), trunc and sign of x, one output each.
template <class T>
TILECC_KERNEL void rounding(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> floor_out, tl::Tensor<T, 2> ceil_out,
                            tl::Tensor<T, 2> round_out, tl::Tensor<T, 2> trunc_out, tl::Tensor<T, 2> sign_out) {
  for (auto [tm, tn] : tl::tile(x.size(0), x.size(1))) {
    auto v = x[tm, tn];
    floor_out[tm, tn] = tl::floor(v);
    ceil_out[tm, tn] = tl::ceil(v);
    round_out[tm, tn] = tl::round(v);
    trunc_out[tm, tn] = tl::trunc(v);
    sign_out[tm, tn] = tl::sign(v);
  }
}

// log1p, expm1, sin and cos, computed in float.
template <class T>
TILECC_KERNEL void smooth(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> log1p_out, tl::Tensor<T, 2> expm1_out,
                          tl::Tensor<T, 2> sin_out, tl::Tensor<T, 2> cos_out) {
  for (auto [tm, tn] : tl::tile(x.size(0), x.size(1))) {
    auto v = tl::cast<float>(x[tm, tn]);
    log1p_out[tm, tn] = tl::cast<T>(tl::log1p(tl::abs(v)));
    expm1_out[tm, tn] = tl::cast<T>(tl::expm1(v));
    sin_out[tm, tn] = tl::cast<T>(tl::sin(v));
    cos_out[tm, tn] = tl::cast<T>(tl::cos(v));
  }
}

// fma(x, y, z), clamp to scalar bounds and to the row's bound lo[m], and x % y (fmod).
template <class T>
TILECC_KERNEL void ternary(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<const T, 2> z,
                           tl::Tensor<const T, 1> lo, tl::Tensor<T, 2> fma_out, tl::Tensor<T, 2> clamp_out,
                           tl::Tensor<T, 2> clamp_rows_out, tl::Tensor<T, 2> rem_out) {
  for (auto [tm, tn] : tl::tile(x.size(0), x.size(1))) {
    auto a = x[tm, tn], b = y[tm, tn];
    fma_out[tm, tn] = tl::fma(a, b, z[tm, tn]);
    clamp_out[tm, tn] = tl::clamp(a, -0.5f, 0.75f);
    clamp_rows_out[tm, tn] = tl::clamp(a, tl::unsqueeze(lo[tm], 1), 1.0f);
    rem_out[tm, tn] = a % b;
  }
}

// Integer &, |, ^, ~, <<, >> (counts b & 15), / and % (truncating, C's).
template <class I>
TILECC_KERNEL void bits(tl::Tensor<const I, 2> a, tl::Tensor<const I, 2> b, tl::Tensor<I, 2> and_out,
                        tl::Tensor<I, 2> or_out, tl::Tensor<I, 2> xor_out, tl::Tensor<I, 2> not_out,
                        tl::Tensor<I, 2> shl_out, tl::Tensor<I, 2> shr_out, tl::Tensor<I, 2> div_out,
                        tl::Tensor<I, 2> rem_out) {
  for (auto [tm, tn] : tl::tile(a.size(0), a.size(1))) {
    auto x = a[tm, tn], y = b[tm, tn];
    and_out[tm, tn] = x & y;
    or_out[tm, tn] = x | y;
    xor_out[tm, tn] = x ^ y;
    not_out[tm, tn] = ~x;
    auto count = y & 15;
    shl_out[tm, tn] = x << count;
    shr_out[tm, tn] = x >> count;
    div_out[tm, tn] = x / y;
    rem_out[tm, tn] = x % y;
  }
}

template void rounding<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>, tl::Tensor<float, 2>,
                              tl::Tensor<float, 2>, tl::Tensor<float, 2>, tl::Tensor<float, 2>);
template void rounding<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 2>, tl::Tensor<tl::bf16, 2>,
                                 tl::Tensor<tl::bf16, 2>, tl::Tensor<tl::bf16, 2>, tl::Tensor<tl::bf16, 2>);
template void smooth<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>, tl::Tensor<float, 2>,
                            tl::Tensor<float, 2>, tl::Tensor<float, 2>);
template void smooth<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 2>, tl::Tensor<tl::bf16, 2>,
                               tl::Tensor<tl::bf16, 2>, tl::Tensor<tl::bf16, 2>);
template void ternary<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                             tl::Tensor<const float, 1>, tl::Tensor<float, 2>, tl::Tensor<float, 2>,
                             tl::Tensor<float, 2>, tl::Tensor<float, 2>);
template void bits<tl::i32>(tl::Tensor<const tl::i32, 2>, tl::Tensor<const tl::i32, 2>, tl::Tensor<tl::i32, 2>,
                            tl::Tensor<tl::i32, 2>, tl::Tensor<tl::i32, 2>, tl::Tensor<tl::i32, 2>,
                            tl::Tensor<tl::i32, 2>, tl::Tensor<tl::i32, 2>, tl::Tensor<tl::i32, 2>,
                            tl::Tensor<tl::i32, 2>);
template void bits<tl::i64>(tl::Tensor<const tl::i64, 2>, tl::Tensor<const tl::i64, 2>, tl::Tensor<tl::i64, 2>,
                            tl::Tensor<tl::i64, 2>, tl::Tensor<tl::i64, 2>, tl::Tensor<tl::i64, 2>,
                            tl::Tensor<tl::i64, 2>, tl::Tensor<tl::i64, 2>, tl::Tensor<tl::i64, 2>,
                            tl::Tensor<tl::i64, 2>);
