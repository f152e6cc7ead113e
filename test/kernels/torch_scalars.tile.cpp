// Scalars of every kind an op takes (translate --emit=torch): bf16 and fp32 from a schema float,
// an int32 from a schema int (range-checked), a bool. test/golden/torch.test prints its op,
// test/nvcc/torch_bindings.sh compiles it.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

TILECC_KERNEL void scale_shift(tl::Tensor<const tl::bf16, 1> x, tl::bf16 scale, float shift, tl::i32 repeat,
                               bool check_repeat, tl::Tensor<tl::bf16, 1> out) {
  TILECC_CHECK(out.size(0) == x.size(0) && (!check_repeat || repeat >= 1));
  for (auto t : tl::tile(x.size(0))) out[t] = tl::cast<tl::bf16>(tl::cast<float>(x[t] * scale) * repeat + shift);
}
