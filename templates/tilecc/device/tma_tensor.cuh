// Tensor-map TMA (sm_90+): 2-D tiled copies global -> shared described by a tensor map the
// host encoded (cuTensorMapEncodeTiled; include/tilecc/tma_map.hpp), completing on an mbarrier.
//
// A kernel receives each map as a `const __grid_constant__ TensorMap` parameter: the driver's
// 128-byte CUtensorMap, then a flag saying whether the host could encode it (a tensor whose
// base, row stride or shape a map cannot describe gets valid = 0, and the kernel takes its
// cp.async path) and the tensor's extents. The copy engine reads the map through the
// parameter's address.
//
// Elements of a box outside the tensor are written as zeros and still count towards the
// barrier's transaction bytes, so a partial tile needs no masks.
#pragma once

#include "types.cuh"

namespace tilecc {
namespace dev {

// The driver's CUtensorMap in its first 128 bytes; then whether the host could encode it and
// the extents of the tensor it describes (a k-loop over fewer columns than the tensor has must
// not read the rest through it: zero fill stops only at the tensor's edge).
struct alignas(64) TensorMap {
  unsigned long long map[16];
  int valid;
  long long rows, cols;
};

namespace detail {

#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900

__device__ __forceinline__ unsigned shared_addr(const void *p) {
  return static_cast<unsigned>(__cvta_generic_to_shared(p));
}
__device__ __forceinline__ void mbar_init(unsigned bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;" ::"r"(bar), "r"(count) : "memory");
}
// Makes the initializations visible to the copy engine and the other threads' waits.
__device__ __forceinline__ void mbar_init_fence() { asm volatile("fence.mbarrier_init.release.cluster;" ::: "memory"); }
// Ends a barrier's life, so that its memory may be initialized again.
__device__ __forceinline__ void mbar_inval(unsigned bar) {
  asm volatile("mbarrier.inval.shared::cta.b64 [%0];" ::"r"(bar) : "memory");
}
__device__ __forceinline__ void mbar_arrive(unsigned bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];" ::"r"(bar) : "memory");
}
__device__ __forceinline__ void mbar_arrive_expect_tx(unsigned bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;" ::"r"(bar), "r"(bytes) : "memory");
}
// Spins until the barrier's phase of the given parity has completed.
__device__ __forceinline__ void mbar_wait(unsigned bar, unsigned parity) {
  asm volatile(
      "{\n .reg .pred done;\n"
      "wait_%=:\n"
      " mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
      " @!done bra wait_%=;\n}" ::"r"(bar),
      "r"(parity)
      : "memory");
}
// Box at (c0 innermost, c1) of the map's tensor into shared memory at dst, completing on bar.
__device__ __forceinline__ void tma_load_2d(unsigned dst, const TensorMap &m, int c0, int c1, unsigned bar) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%0], [%1, {%2, %3}], "
      "[%4];" ::"r"(dst),
      "l"(reinterpret_cast<unsigned long long>(&m)), "r"(c0), "r"(c1), "r"(bar)
      : "memory");
}
// Brings the map's descriptor into the copy engine's cache ahead of the first copy.
__device__ __forceinline__ void tma_prefetch_map(const TensorMap &m) {
  asm volatile("prefetch.tensormap [%0];" ::"l"(reinterpret_cast<unsigned long long>(&m)) : "memory");
}

#endif

} // namespace detail
} // namespace dev
} // namespace tilecc
