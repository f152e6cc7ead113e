// --emit=torch refuses a kernel without tensor parameters: its op would have no tensor to take
// the device (and so the CUDA stream) from.
#include <tilecc/tile.hpp>
namespace tl = tilecc;
TILECC_KERNEL void count(std::int64_t n) {
  TILECC_CHECK(n >= 0);
  for (auto t : tl::tile(n)) {
    auto i = t.index();
  }
}
