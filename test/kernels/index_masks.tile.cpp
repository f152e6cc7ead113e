#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Masks that compare a tile's row indices with its column indices, written inline (the CUDA
// backend selects tilecc::dev::index_compare for them: 32-bit compares against the tiles'
// offsets; index tiles held in variables take the generic elementwise compare):
//   band:  out[i, j] = x[i, j] where j - lo <= i < j + hi (written column term first), else 0
//   upper: out[i, j] = x[i, j] where i < j, else 0
template <class T>
TILECC_KERNEL void band(tl::Tensor<const T, 2> x, long long lo, long long hi, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto v = x[tm, tn];
    auto below = tl::where(tl::unsqueeze(tm.index(), 1) < hi + tl::unsqueeze(tn.index(), 0), v, T(0));
    out[tm, tn] = tl::where(tl::unsqueeze(tn.index(), 0) - lo <= tl::unsqueeze(tm.index(), 1), below, T(0));
  }
}

template <class T> TILECC_KERNEL void upper(tl::Tensor<const T, 2> x, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), n = x.size(1);
  TILECC_CHECK(out.size(0) == m && out.size(1) == n);
  for (auto [tm, tn] : tl::tile(m, n))
    out[tm, tn] = tl::where(tl::unsqueeze(tm.index(), 1) < tl::unsqueeze(tn.index(), 0), x[tm, tn], T(0));
}

template void band<float>(tl::Tensor<const float, 2>, long long, long long, tl::Tensor<float, 2>);
template void upper<float>(tl::Tensor<const float, 2>, tl::Tensor<float, 2>);
