// Kernels over the 8-bit dtypes: fp8 quantization and dequantization with a scale (e4m3 and
// e5m2), and uint8 bit arithmetic. The eager tier runs them (test/eager/test_dtypes.cpp), the
// nvrtc tier compiles their generated CUDA.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

// q = fp8(x * scale), rounded to nearest even and saturated to the largest finite value.
template <class Q>
TILECC_KERNEL void quantize(tl::Tensor<const float, 2> x, float scale, tl::Tensor<Q, 2> q) {
  TILECC_CHECK(q.size(0) == x.size(0) && q.size(1) == x.size(1));
  for (auto [tm, tn] : tl::tile(x.size(0), x.size(1))) q[tm, tn] = tl::cast<Q>(x[tm, tn] * scale);
}

// y = float(q) / scale.
template <class Q>
TILECC_KERNEL void dequantize(tl::Tensor<const Q, 2> q, float scale, tl::Tensor<float, 2> y) {
  TILECC_CHECK(q.size(0) == y.size(0) && q.size(1) == y.size(1));
  for (auto [tm, tn] : tl::tile(q.size(0), q.size(1))) y[tm, tn] = tl::cast<float>(q[tm, tn]) / scale;
}

// mixed = a ^ 0x5a (uint8), widened = int32(a) * 3 - b (int32).
TILECC_KERNEL void bytes(tl::Tensor<const tl::u8, 2> a, tl::Tensor<const tl::u8, 2> b, tl::Tensor<tl::u8, 2> mixed,
                         tl::Tensor<tl::i32, 2> widened) {
  for (auto [tm, tn] : tl::tile(a.size(0), a.size(1))) {
    auto x = a[tm, tn];
    mixed[tm, tn] = x ^ 0x5a;
    widened[tm, tn] = tl::cast<tl::i32>(x) * 3 - tl::cast<tl::i32>(b[tm, tn]);
  }
}

template void quantize<tl::fp8e4m3>(tl::Tensor<const float, 2>, float, tl::Tensor<tl::fp8e4m3, 2>);
template void quantize<tl::fp8e5m2>(tl::Tensor<const float, 2>, float, tl::Tensor<tl::fp8e5m2, 2>);
template void dequantize<tl::fp8e4m3>(tl::Tensor<const tl::fp8e4m3, 2>, float, tl::Tensor<float, 2>);
template void dequantize<tl::fp8e5m2>(tl::Tensor<const tl::fp8e5m2, 2>, float, tl::Tensor<float, 2>);
