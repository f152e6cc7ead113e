// tl::permute runs eagerly; the CUDA backend refuses it, naming what to write instead.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void permute_tile(tl::Tensor<const float, 3> x, tl::Tensor<float, 3> out) {
  for (auto [tb, tm, tn] : tl::tile(x.size(0), x.size(1), x.size(2)))
    out[tn, tb, tm] = tl::permute(x[tb, tm, tn], {2, 0, 1});
}
