// Kernels for the --line-directives tests: the driver (main.cu) hands them tensors whose sizes
// claim more memory than was allocated, and the reports must name the lines below.
#include <tilecc/tile.hpp>
namespace tl = tilecc;

// One program per row; thread 0 writes the row's sum: a store written in the kernel itself.
TILECC_KERNEL void row_sums(tl::Tensor<const float, 2> x, tl::Tensor<float, 1> out) {
  for (auto i : tl::grid(x.size(0)))
    out[i] = tl::sum(x[i, tl::all], 0);  // the scalar store
}

// A tile store: the device library's store, inlined into the kernel.
TILECC_KERNEL void copy(tl::Tensor<const float, 1> x, tl::Tensor<float, 1> out) {
  for (auto t : tl::tile(x.size(0)))
    out[t] = x[t];  // the tile store
}

#if defined(__CUDACC__) && defined(TILECC_TEST_BREAK)
int broken = not_declared_anywhere;  // the host error
#endif
