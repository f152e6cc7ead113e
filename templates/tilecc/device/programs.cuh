// Arithmetic on program (tile) counts, shared by kernels and launchers.
#pragma once

namespace tilecc {
namespace dev {

/// Number of tiles of size b covering a (0 when a <= 0).
__host__ __device__ __forceinline__ long long ceil_div(long long a, long long b) {
  return a <= 0 ? 0 : (a + b - 1) / b;
}

}  // namespace dev
}  // namespace tilecc
