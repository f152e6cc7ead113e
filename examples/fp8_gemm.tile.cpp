#include <tilecc/tile.hpp>
namespace tl = tilecc;

// fp8 matrix product with per-tensor scales (torch._scaled_mm's tensor-wise form):
//   out[m, n] = (a[m, k] @ b[k, n]) * scale_a * scale_b,
// a and b in e4m3 (quantized as a / scale_a and b / scale_b), products accumulated in float and
// scaled once at the end. On the GPU the dot of e4m3 tiles runs on the tensor cores (sm_89 and
// later); its products are exact in float, so only the accumulation order differs from eager.
// Pass b column-major (strides {1, k}, the layout torch._scaled_mm takes): sm_90a's fp8 wgmma
// reads both operands along k, so that is the layout its fast path runs on; a row-major b
// runs on mma.sync. The scale is applied to the products where the tensor cores leave them.
template <class T>
TILECC_KERNEL void fp8_gemm(tl::Tensor<const tl::fp8e4m3, 2> a, tl::Tensor<const tl::fp8e4m3, 2> b, float scale_a,
                            float scale_b, tl::Tensor<T, 2> out) {
  const auto m = a.size(0), k = a.size(1), n = b.size(1);
  TILECC_CHECK(b.size(0) == k);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(32, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(a[tm, tk], b[tk, tn], acc);
    out[tm, tn] = tl::cast<T>(acc * (scale_a * scale_b));
  }
}

template void fp8_gemm<float>(tl::Tensor<const tl::fp8e4m3, 2>, tl::Tensor<const tl::fp8e4m3, 2>, float, float,
                              tl::Tensor<float, 2>);
template void fp8_gemm<tl::bf16>(tl::Tensor<const tl::fp8e4m3, 2>, tl::Tensor<const tl::fp8e4m3, 2>, float, float,
                                 tl::Tensor<tl::bf16, 2>);
