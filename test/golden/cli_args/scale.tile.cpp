// Input of cli_args.test: needs an include folder (-I) for offset.hpp and SCALE defined (-D).
#include <tilecc/tile.hpp>

#include "offset.hpp"

namespace tl = tilecc;

TILECC_KERNEL void scale(tl::Tensor<const float, 1> x, tl::Tensor<float, 1> out) {
  TILECC_CHECK(out.size(0) == x.size(0));
  for (auto t : tl::tile(x.size(0)))
    out[t] = x[t] * SCALE + OFFSET;
}
