#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Grouped matrix products over a packed list of problems: group g owns rows
// offsets[g] .. offsets[g + 1] - 1 of `a` (a [total rows, k] tensor, the groups' inputs one
// after another), and
//   out[offsets[g] + i, :] = a[offsets[g] + i, :] @ b
// with b shared by every group. Each program takes one group and a tile of output columns;
// the bounds of its row loop are single elements read from `offsets`, so groups of any size
// (empty ones included) share one launch.
template <class T>
TILECC_KERNEL void grouped_gemm(tl::Tensor<const T, 2> a, tl::Tensor<const T, 2> b,
                                tl::Tensor<const tl::i64, 1> offsets, tl::Tensor<T, 2> out) {
  const auto rows = a.size(0), k = a.size(1), n = b.size(1), groups = offsets.size(0) - 1;
  TILECC_CHECK(groups >= 0 && b.size(0) == k && out.size(0) == rows && out.size(1) == n);
  const auto bm = tl::register_block_size(16, 128), bn = tl::register_block_size(16, 128);
  const auto bk = tl::register_block_size(16, 64);
  for (auto g : tl::grid(groups)) {
    for (auto tn : tl::tile(n, bn)) {
      const std::int64_t begin = offsets[g], end = offsets[g + 1];
      for (auto tm : tl::tile(tl::range(begin, end), bm)) {
        auto acc = tl::zeros<float>(tm, tn);
        for (auto tk : tl::tile(k, bk)) acc = tl::dot(a[tm, tk], b[tk, tn], acc);
        out[tm, tn] = tl::cast<T>(acc);
      }
    }
  }
}

template void grouped_gemm<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<const tl::i64, 1>,
                                  tl::Tensor<float, 2>);
template void grouped_gemm<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                     tl::Tensor<const tl::i64, 1>, tl::Tensor<tl::bf16, 2>);
