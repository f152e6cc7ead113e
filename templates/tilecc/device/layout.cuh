// How a block's threads are arranged over a tile, and which tile a block works on.
//
// Layout<NT, TC>: NT threads (threadIdx.x) as tr = NT / TC rows by tc = TC columns; thread t
// sits at column tx = t % TC and row ty = t / TC, so the tc threads of a row are consecutive
// lanes (a row of up to 32 threads lies within one warp). VW (default 8) is the most columns
// one thread holds contiguously (Frag::vec): the load/store width knob. It is the same for
// every element type so that fragments of different types line up element for element.
#pragma once

#include "types.cuh"

namespace tilecc {
namespace dev {

template <int NT, int TC, int VW = 8> struct Layout {
  static_assert(NT >= 32 && NT % 32 == 0, "Layout: the thread count must be a multiple of 32");
  static_assert(NT <= 1024, "Layout: at most 1024 threads per block");
  static_assert(is_pow2(TC) && TC <= NT, "Layout: tc must be a power of two no larger than NT");

  static_assert(is_pow2(VW) && VW <= 16, "Layout: the vector width must be a power of two <= 16");

  static constexpr int threads = NT, tc = TC, tr = NT / TC, vw = VW;

  __device__ __forceinline__ static int tid() { return static_cast<int>(threadIdx.x); }
  __device__ __forceinline__ static int tx() { return static_cast<int>(threadIdx.x) % TC; }
  __device__ __forceinline__ static int ty() { return static_cast<int>(threadIdx.x) / TC; }
};

// The block's index along grid axis 0, 1 or 2.
__device__ __forceinline__ long long program_id(int axis) {
  return axis == 0   ? static_cast<long long>(blockIdx.x)
         : axis == 1 ? static_cast<long long>(blockIdx.y)
                     : static_cast<long long>(blockIdx.z);
}

// The grid's extent along axis 0, 1 or 2.
__device__ __forceinline__ long long num_programs(int axis) {
  return axis == 0   ? static_cast<long long>(gridDim.x)
         : axis == 1 ? static_cast<long long>(gridDim.y)
                     : static_cast<long long>(gridDim.z);
}

} // namespace dev
} // namespace tilecc
