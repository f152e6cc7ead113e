#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Stores and atomic updates through gathered indices, atomic max / min of tiles, and the
// *_like creators: the language features the moe and histogram-style kernels rely on.
//   scatter_rows:  out[ids[i], :] = x[i, :]      (ids distinct: each row written once)
//   scatter_cols:  out[:, ids[j]] = x[:, j]
//   scatter_add:   out[ids[i], :] += x[i, :]     (repeats accumulate)
//   scatter_max:   out[ids[i], :] = max(out[ids[i], :], x[i, :]), scatter_min likewise
//   tile_max_min:  hi = max(hi, x), lo = min(lo, x) over tiles of x's rows folded into one row
//   like_fill:     out = full_like(x, v) + zeros_like(x)
template <class T>
TILECC_KERNEL void scatter_rows(tl::Tensor<const tl::i64, 1> ids, tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto n = x.size(0), d = x.size(1);
  TILECC_CHECK(ids.size(0) == n && out.size(1) == d);
  for (auto [tn, td] : tl::tile(n, d)) out[ids[tn], td] = x[tn, td];
}

template <class T>
TILECC_KERNEL void scatter_cols(tl::Tensor<const tl::i64, 1> ids, tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(ids.size(0) == n && out.size(0) == m);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto cols = ids[tn];
    out[tm, cols] = x[tm, tn];
  }
}

template <class T>
TILECC_KERNEL void scatter_add(tl::Tensor<const tl::i64, 1> ids, tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto n = x.size(0), d = x.size(1);
  TILECC_CHECK(ids.size(0) == n && out.size(1) == d);
  for (auto [tn, td] : tl::tile(n, d)) tl::atomic_add(out[ids[tn], td], x[tn, td]);
}

template <class T>
TILECC_KERNEL void scatter_max(tl::Tensor<const tl::i64, 1> ids, tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto n = x.size(0), d = x.size(1);
  TILECC_CHECK(ids.size(0) == n && out.size(1) == d);
  for (auto [tn, td] : tl::tile(n, d)) tl::atomic_max(out[ids[tn], td], x[tn, td]);
}

template <class T>
TILECC_KERNEL void scatter_min(tl::Tensor<const tl::i64, 1> ids, tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto n = x.size(0), d = x.size(1);
  TILECC_CHECK(ids.size(0) == n && out.size(1) == d);
  for (auto [tn, td] : tl::tile(n, d)) tl::atomic_min(out[ids[tn], td], x[tn, td]);
}

template <class T> TILECC_KERNEL void tile_max_min(tl::Tensor<const T, 2> x, tl::Tensor<T, 1> hi, tl::Tensor<T, 1> lo) {
  const auto m = x.size(0), d = x.size(1);
  TILECC_CHECK(hi.size(0) == d && lo.size(0) == d);
  for (auto [tm, td] : tl::tile(m, d)) {
    auto v = x[tm, td];
    tl::atomic_max(hi[td], tl::max(v, 0));
    tl::atomic_min(lo[td], tl::min(v, 0));
  }
}

template <class T> TILECC_KERNEL void like_fill(tl::Tensor<const T, 2> x, float v, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto t = x[tm, tn];
    out[tm, tn] = tl::full_like(t, v) + tl::zeros_like(t) * t;
  }
}

template void scatter_rows<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void scatter_cols<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void scatter_add<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void scatter_add<tl::i32>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::i32, 2>, tl::Tensor<tl::i32, 2>);
template void scatter_max<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void scatter_max<tl::bf16>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::bf16, 2>,
                                    tl::Tensor<tl::bf16, 2>);
template void scatter_max<tl::i32>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::i32, 2>, tl::Tensor<tl::i32, 2>);
template void scatter_min<float>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
template void scatter_min<tl::i64>(tl::Tensor<const tl::i64, 1>, tl::Tensor<const tl::i64, 2>, tl::Tensor<tl::i64, 2>);
template void tile_max_min<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 1>, tl::Tensor<float, 1>);
template void like_fill<float>(tl::Tensor<const float, 2>, float, tl::Tensor<float, 2>);
