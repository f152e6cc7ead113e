#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Matrix product with int4 weights: out[m, n] = a[m, k] @ w[k, n], w in [-8, 7] packed two per
// byte along k: packed[i, n] holds w[2i, n] in its low nibble and w[2i + 1, n] in its high one.
// `a` is passed viewed as [m, k / 2, 2] (a row-major [m, k] tensor, no copy), so a[tm, tk, 0]
// and a[tm, tk, 1] are the columns that meet the low and high nibbles of the packed rows tk.
// Each step widens a tile of packed bytes to int32 (sign-extending), takes the nibbles with
// shifts (<< 28 >> 28 sign-extends the low one, >> 4 the high one), converts them to T, which
// holds them exactly, and adds two T x T products, so the dots stay on the tensor cores.
template <class T>
TILECC_KERNEL void int4_gemm(tl::Tensor<const T, 3> a, tl::Tensor<const tl::i8, 2> packed, tl::Tensor<T, 2> out) {
  const auto m = a.size(0), half_k = a.size(1), n = packed.size(1);
  TILECC_CHECK(a.size(2) == 2 && packed.size(0) == half_k);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  // The products of a dot of computed operands go through shared memory into acc's registers:
  // tiles of at most 64 x 64 keep acc and the tensor cores' accumulators within the registers.
  const auto bm = tl::register_block_size(16, 64), bn = tl::register_block_size(16, 64);
  const auto bk = tl::register_block_size(16, 64);
  for (auto [tm, tn] : tl::tile(m, n, tl::block(bm, bn))) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(half_k, bk)) {
      auto bytes = tl::cast<tl::i32>(packed[tk, tn]);
      auto low = tl::cast<T>((bytes << 28) >> 28);
      auto high = tl::cast<T>(bytes >> 4);
      acc = tl::dot(a[tm, tk, 0], low, acc);
      acc = tl::dot(a[tm, tk, 1], high, acc);
    }
    out[tm, tn] = tl::cast<T>(acc);
  }
}

template void int4_gemm<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::i8, 2>, tl::Tensor<tl::bf16, 2>);
template void int4_gemm<tl::f16>(tl::Tensor<const tl::f16, 3>, tl::Tensor<const tl::i8, 2>, tl::Tensor<tl::f16, 2>);
