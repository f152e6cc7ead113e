#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Inclusive scans along rows and down columns:
//   cumsum:      out[i, j] = x[i, 0] + ... + x[i, j]      (torch.cumsum(x, 1))
//   cummax:      out[i, j] = max(x[i, 0], ..., x[i, j])   (torch.cummax(x, 1).values)
//   cumsum_cols: out[i, j] = x[0, j] + ... + x[i, j]      (torch.cumsum(x, 0))
// Rows are held whole (up to the config's full_extent: a scan is not walked in chunks, so a
// longer row is refused at launch). Down columns, each program scans its tiles of rows in
// turn and carries the sum of the rows before into the next tile.
template <class T> TILECC_KERNEL void cumsum(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto m = x.size(0);
  TILECC_CHECK(out.size(0) == m && out.size(1) == x.size(1));
  for (auto tm : tl::tile(m)) out[tm, tl::all] = tl::cast<T>(tl::cumsum(tl::cast<float>(x[tm, tl::all]), 1));
}

template <class T> TILECC_KERNEL void cummax(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto m = x.size(0);
  TILECC_CHECK(out.size(0) == m && out.size(1) == x.size(1));
  for (auto tm : tl::tile(m)) out[tm, tl::all] = tl::cummax(x[tm, tl::all], 1);
}

template <class T> TILECC_KERNEL void cumsum_cols(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto tn : tl::tile(n)) {
    auto carry = tl::zeros<float>(1, tn);
    for (auto tm : tl::tile(m)) {
      auto v = tl::cast<float>(x[tm, tn]);
      out[tm, tn] = tl::cast<T>(tl::cumsum(v, 0) + carry);
      carry = carry + tl::sum(v, 0, true);
    }
  }
}

template void cumsum<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void cumsum<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<tl::bf16, 2>);
template void cummax<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void cummax<tl::i32>(tl::Tensor<const tl::i32, 2>, tl::Tensor<tl::i32, 2>);
template void cumsum_cols<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
