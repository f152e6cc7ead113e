#include <tilecc/tile.hpp>

#include "axpy_params.hpp"

namespace tl = tilecc;

// out = alpha * x + y + AXPY_BIAS over a vector. The bias comes from a header of this
// project, so editing the header re-translates the kernel (tilecc translate --depfile).
TILECC_KERNEL void axpy(float alpha, tl::Tensor<const float, 1> x, tl::Tensor<const float, 1> y,
                        tl::Tensor<float, 1> out) {
  TILECC_CHECK(y.size(0) == x.size(0) && out.size(0) == x.size(0));
  for (auto t : tl::tile(x.size(0)))
    out[t] = alpha * x[t] + y[t] + AXPY_BIAS;
}
