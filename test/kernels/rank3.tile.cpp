#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Tiles of rank 3 and 4 inside the kernel (the CUDA backend runs each leading tile dimension
// as a loop over its positions):
//   scale_add3:  out[b, m, n] = x[b, m, n] * s + y[b, m, n]
//   row_sum3:    out[b, m] = sum over n of x[b, m, n]          (along the last dimension)
//   col_max3:    out[b, n] = max over m of x[b, m, n]          (along the middle dimension)
//   batch_mean3: out[m, n] = mean over b of x[b, m, n]         (along the leading dimension)
//   bias_add4:   out[a, b, m, n] = relu(x[a, b, m, n] + bias[m, n])
//   sum_first4:  out[b, m, n] = sum over a of x[a, b, m, n]    (along a rank-4 tile's first dimension)
//   softmax3:    out[b, m, :] = softmax of x[b, m, :]          (a row reduction and a broadcast)
//   transpose3:  out[b, n, m] = x[b, m, n] * 2 + y[b, n, m]    (tl::permute {0, 2, 1} of a load)
//   rotate3:     out[n, b, m] = x[b, m, n]                     (tl::permute {2, 0, 1} of a load)
//   cumsum3:     out[b, m, :] = running sum of x[b, m, :]      (a scan along the last dimension)
template <class T>
TILECC_KERNEL void scale_add3(tl::Tensor<const T, 3> x, tl::Tensor<const T, 3> y, float s, tl::Tensor<T, 3> out) {
  const auto b = x.size(0), m = x.size(1), n = x.size(2);
  TILECC_CHECK(y.size(0) == b && y.size(1) == m && y.size(2) == n);
  for (auto [tb, tm, tn] : tl::tile(b, m, n)) out[tb, tm, tn] = x[tb, tm, tn] * s + y[tb, tm, tn];
}

template <class T> TILECC_KERNEL void row_sum3(tl::Tensor<const T, 3> x, tl::Tensor<float, 2> out) {
  const auto b = x.size(0), m = x.size(1);
  TILECC_CHECK(out.size(0) == b && out.size(1) == m);
  for (auto [tb, tm] : tl::tile(b, m)) out[tb, tm] = tl::sum(tl::cast<float>(x[tb, tm, tl::all]), 2);
}

template <class T> TILECC_KERNEL void col_max3(tl::Tensor<const T, 3> x, tl::Tensor<T, 2> out) {
  const auto b = x.size(0), n = x.size(2);
  TILECC_CHECK(out.size(0) == b && out.size(1) == n);
  for (auto [tb, tn] : tl::tile(b, n)) out[tb, tn] = tl::max(x[tb, tl::all, tn], 1);
}

template <class T> TILECC_KERNEL void batch_mean3(tl::Tensor<const T, 3> x, tl::Tensor<float, 2> out) {
  const auto b = x.size(0), m = x.size(1), n = x.size(2);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tb : tl::tile(b)) acc = acc + tl::sum(tl::cast<float>(x[tb, tm, tn]), 0);
    out[tm, tn] = acc / b;
  }
}

template <class T>
TILECC_KERNEL void bias_add4(tl::Tensor<const T, 4> x, tl::Tensor<const T, 2> bias, tl::Tensor<T, 4> out) {
  const auto a = x.size(0), b = x.size(1), m = x.size(2), n = x.size(3);
  TILECC_CHECK(bias.size(0) == m && bias.size(1) == n);
  for (auto [ta, tb] : tl::tile(a, b))
    for (auto [tm, tn] : tl::tile(m, n)) out[ta, tb, tm, tn] = tl::maximum(x[ta, tb, tm, tn] + bias[tm, tn], 0);
}

template <class T> TILECC_KERNEL void sum_first4(tl::Tensor<const T, 4> x, tl::Tensor<T, 3> out) {
  const auto a = x.size(0), b = x.size(1), m = x.size(2), n = x.size(3);
  TILECC_CHECK(out.size(0) == b && out.size(1) == m && out.size(2) == n);
  for (auto [tb, tm, tn] : tl::tile(b, m, n))
    for (auto ta : tl::tile(a)) tl::atomic_add(out[tb, tm, tn], tl::sum(x[ta, tb, tm, tn], 0));
}

template <class T> TILECC_KERNEL void softmax3(tl::Tensor<const T, 3> x, tl::Tensor<T, 3> out) {
  const auto b = x.size(0), m = x.size(1);
  for (auto [tb, tm] : tl::tile(b, m)) {
    auto v = tl::cast<float>(x[tb, tm, tl::all]);
    auto e = tl::exp(v - tl::max(v, 2, true));
    out[tb, tm, tl::all] = e / tl::sum(e, 2, true);
  }
}

template <class T>
TILECC_KERNEL void transpose3(tl::Tensor<const T, 3> x, tl::Tensor<const T, 3> y, tl::Tensor<T, 3> out) {
  const auto b = x.size(0), m = x.size(1), n = x.size(2);
  TILECC_CHECK(y.size(0) == b && y.size(1) == n && y.size(2) == m);
  for (auto [tb, tm, tn] : tl::tile(b, m, n))
    out[tb, tn, tm] = tl::permute(x[tb, tm, tn], {0, 2, 1}) * 2 + y[tb, tn, tm];
}

template <class T> TILECC_KERNEL void rotate3(tl::Tensor<const T, 3> x, tl::Tensor<T, 3> out) {
  const auto b = x.size(0), m = x.size(1), n = x.size(2);
  TILECC_CHECK(out.size(0) == n && out.size(1) == b && out.size(2) == m);
  for (auto [tb, tm, tn] : tl::tile(b, m, n)) out[tn, tb, tm] = tl::permute(x[tb, tm, tn], {2, 0, 1});
}

template <class T> TILECC_KERNEL void cumsum3(tl::Tensor<const T, 3> x, tl::Tensor<T, 3> out) {
  const auto b = x.size(0), m = x.size(1);
  for (auto [tb, tm] : tl::tile(b, m)) out[tb, tm, tl::all] = tl::cumsum(x[tb, tm, tl::all], 2);
}

template void scale_add3<float>(tl::Tensor<const float, 3>, tl::Tensor<const float, 3>, float, tl::Tensor<float, 3>);
template void scale_add3<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::bf16, 3>, float,
                                   tl::Tensor<tl::bf16, 3>);
template void row_sum3<float>(tl::Tensor<const float, 3>, tl::Tensor<float, 2>);
template void col_max3<float>(tl::Tensor<const float, 3>, tl::Tensor<float, 2>);
template void batch_mean3<float>(tl::Tensor<const float, 3>, tl::Tensor<float, 2>);
template void bias_add4<float>(tl::Tensor<const float, 4>, tl::Tensor<const float, 2>, tl::Tensor<float, 4>);
template void softmax3<float>(tl::Tensor<const float, 3>, tl::Tensor<float, 3>);
template void transpose3<float>(tl::Tensor<const float, 3>, tl::Tensor<const float, 3>, tl::Tensor<float, 3>);
template void transpose3<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::bf16, 3>,
                                   tl::Tensor<tl::bf16, 3>);
template void rotate3<float>(tl::Tensor<const float, 3>, tl::Tensor<float, 3>);
template void cumsum3<float>(tl::Tensor<const float, 3>, tl::Tensor<float, 3>);
template void sum_first4<float>(tl::Tensor<const float, 4>, tl::Tensor<float, 3>);
