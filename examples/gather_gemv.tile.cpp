#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Matrix-vector products with gathered matrices: out[i, :] = w[idx[i]] @ x for a stack of
// square matrices w [batch, s, s], indices idx (negative ones count from the end, as in
// torch indexing) and a vector x [s]. Each program owns one index and a tile of output rows;
// the matrix is selected by a single element of idx read as a number, and the row tiles walk
// k, summing the products in float.
template <class T>
TILECC_KERNEL void gather_gemv(tl::Tensor<const T, 3> w, tl::Tensor<const tl::i64, 1> idx, tl::Tensor<const T, 1> x,
                               tl::Tensor<T, 2> out) {
  const auto batch = w.size(0), s = w.size(1), count = idx.size(0);
  TILECC_CHECK(w.size(2) == s && x.size(0) == s);
  TILECC_CHECK(out.size(0) == count && out.size(1) == s);
  for (auto i : tl::grid(count)) {
    for (auto tj : tl::tile(s)) {
      const std::int64_t raw = idx[i];
      const std::int64_t b = raw < 0 ? raw + batch : raw;
      auto acc = tl::zeros<float>(tj);
      for (auto tk : tl::tile(s))
        acc += tl::sum(tl::cast<float>(w[b, tj, tk]) * tl::cast<float>(x[tk]), 1);
      out[i, tj] = tl::cast<T>(acc);
    }
  }
}

template void gather_gemv<float>(tl::Tensor<const float, 3>, tl::Tensor<const tl::i64, 1>, tl::Tensor<const float, 1>,
                                 tl::Tensor<float, 2>);
template void gather_gemv<tl::bf16>(tl::Tensor<const tl::bf16, 3>, tl::Tensor<const tl::i64, 1>,
                                    tl::Tensor<const tl::bf16, 1>, tl::Tensor<tl::bf16, 2>);
