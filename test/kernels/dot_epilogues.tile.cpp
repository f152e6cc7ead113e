#include <tilecc/tile.hpp>
namespace tl = tilecc;

// Matrix products whose stores are elementwise functions of the accumulator: the CUDA backend
// runs them as the k-loop's fused epilogue, on the products where the tensor cores leave them
// (tilecc::dev::epilogue), rather than through a register tile of the accumulator.
//   linear_residual: out = alpha * (x @ y) + residual + row_bias[:, None]  (a scalar, a 2-D
//                    tile at the output's place, a per-row vector)
//   leaky_matmul:    out = where(x @ y > 0, x @ y, slope * (x @ y))        (compare, select)
//   matmul_add_into: out += scale * (x @ y), atomically                    (the atomic form)
// and whose rows are gathered or scattered through index tensors (the library reads each row's
// index where its copies start, on every path):
//   gathered_matmul:  out[i, :] = x[rows[i], :] @ y                          (a's rows gathered)
//   scattered_leaky:  out[rows[i], :] = leaky(x[i, :] @ y)                   (the output's scattered)
//   gathered_add_into: out[rows[i], :] += scale * (x[rows[i], :] @ y), atomically (both; rows may repeat)
template <class T>
TILECC_KERNEL void linear_residual(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<const T, 2> residual,
                                   tl::Tensor<const float, 1> row_bias, float alpha, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && row_bias.size(0) == m);
  TILECC_CHECK(residual.size(0) == m && residual.size(1) == n && out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(x[tm, tk], y[tk, tn], acc);
    out[tm, tn] = tl::cast<T>(acc * alpha + tl::cast<float>(residual[tm, tn]) + tl::unsqueeze(row_bias[tm], 1));
  }
}

template <class T>
TILECC_KERNEL void leaky_matmul(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, float slope, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(x[tm, tk], y[tk, tn], acc);
    out[tm, tn] = tl::cast<T>(tl::where(acc > 0.0f, acc, acc * slope));
  }
}

template <class T>
TILECC_KERNEL void matmul_add_into(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, float scale,
                                   tl::Tensor<float, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(x[tm, tk], y[tk, tn], acc);
    tl::atomic_add(out[tm, tn], acc * scale);
  }
}

template <class T>
TILECC_KERNEL void gathered_matmul(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<const tl::i64, 1> rows,
                                   tl::Tensor<T, 2> out) {
  const auto m = rows.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && out.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto ids = rows[tm];
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(x[ids, tk], y[tk, tn], acc);
    out[tm, tn] = tl::cast<T>(acc);
  }
}

template <class T>
TILECC_KERNEL void scattered_leaky(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y, tl::Tensor<const tl::i64, 1> rows,
                                   float slope, tl::Tensor<T, 2> out) {
  const auto m = x.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && rows.size(0) == m && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(x[tm, tk], y[tk, tn], acc);
    auto ids = rows[tm];
    out[ids, tn] = tl::cast<T>(tl::where(acc > 0.0f, acc, acc * slope));
  }
}

template <class T>
TILECC_KERNEL void gathered_add_into(tl::Tensor<const T, 2> x, tl::Tensor<const T, 2> y,
                                     tl::Tensor<const tl::i64, 1> rows, float scale, tl::Tensor<float, 2> out) {
  const auto m = rows.size(0), k = x.size(1), n = y.size(1);
  TILECC_CHECK(y.size(0) == k && out.size(0) == x.size(0) && out.size(1) == n);
  const auto bk = tl::register_block_size(16, 128);
  for (auto [tm, tn] : tl::tile(m, n)) {
    auto ids = rows[tm];
    auto acc = tl::zeros<float>(tm, tn);
    for (auto tk : tl::tile(k, bk)) acc = tl::dot(x[ids, tk], y[tk, tn], acc);
    tl::atomic_add(out[ids, tn], acc * scale);
  }
}

template void linear_residual<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                                     tl::Tensor<const float, 1>, float, tl::Tensor<float, 2>);
template void linear_residual<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                        tl::Tensor<const tl::bf16, 2>, tl::Tensor<const float, 1>, float,
                                        tl::Tensor<tl::bf16, 2>);
template void leaky_matmul<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, float, tl::Tensor<float, 2>);
template void leaky_matmul<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>, float,
                                     tl::Tensor<tl::bf16, 2>);
template void matmul_add_into<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, float,
                                     tl::Tensor<float, 2>);
template void matmul_add_into<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>, float,
                                        tl::Tensor<float, 2>);
template void gathered_matmul<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<const tl::i64, 1>,
                                     tl::Tensor<float, 2>);
template void gathered_matmul<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                        tl::Tensor<const tl::i64, 1>, tl::Tensor<tl::bf16, 2>);
template void scattered_leaky<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>, tl::Tensor<const tl::i64, 1>,
                                     float, tl::Tensor<float, 2>);
template void scattered_leaky<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                        tl::Tensor<const tl::i64, 1>, float, tl::Tensor<tl::bf16, 2>);
template void gathered_add_into<float>(tl::Tensor<const float, 2>, tl::Tensor<const float, 2>,
                                       tl::Tensor<const tl::i64, 1>, float, tl::Tensor<float, 2>);
template void gathered_add_into<tl::bf16>(tl::Tensor<const tl::bf16, 2>, tl::Tensor<const tl::bf16, 2>,
                                          tl::Tensor<const tl::i64, 1>, float, tl::Tensor<float, 2>);
