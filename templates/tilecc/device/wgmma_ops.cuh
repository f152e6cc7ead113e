// The warpgroup-level tensor-core instructions of sm_90a (wgmma.mma_async) and the fences
// around them, as inline PTX. Only compiled for sm_90a (__CUDA_ARCH_FEAT_SM90_ALL).
//
// wgmma_m64k16<E, N>(d, a_desc, b_desc): d += A (64 x 16, K-major, from a_desc) x
// B (16 x N, N-major, from b_desc: the transpose flag is set), f32 accumulation, for the 128
// threads of a warpgroup; d[N / 2] per thread in the m64nN accumulator layout (see
// dot_wgmma.cuh). PTX names every accumulator register, hence the long operand lists.
// wgmma_m64k32<E, N>: the same for fp8 operands, k32 per instruction, B K-major.
#pragma once

#include "types.cuh"

#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define TILECC_DEV_HAS_WGMMA 1
#else
#define TILECC_DEV_HAS_WGMMA 0
#endif

namespace tilecc {
namespace dev {
namespace detail {

#if TILECC_DEV_HAS_WGMMA

// Shared-memory matrix descriptor: start address, leading and stride byte offsets (all in
// 16-byte units), 128-byte swizzle (mode 1 in bits 62-63). The start must sit in a
// 1024-byte-aligned swizzle pattern (base offset 0).
__device__ __forceinline__ unsigned long long wgmma_desc_sw128(unsigned addr, unsigned lbo, unsigned sbo) {
  return static_cast<unsigned long long>((addr & 0x3FFFF) >> 4) |
         static_cast<unsigned long long>((lbo >> 4) & 0x3FFF) << 16 |
         static_cast<unsigned long long>((sbo >> 4) & 0x3FFF) << 32 | 1ull << 62;
}

__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit() { asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory"); }
template <int N> __device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}
// Generic-proxy writes to shared memory (cp.async) made visible to wgmma's async proxy.
__device__ __forceinline__ void fence_proxy_async_shared() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}
// Keeps the compiler from moving accesses of v across the asynchronous accumulation.
__device__ __forceinline__ void wgmma_pin(float &v) { asm volatile("" : "+f"(v)::"memory"); }

#define TILECC_WG_F8(i)                                                                                       \
  "+f"(d[i]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3]), "+f"(d[i + 4]), "+f"(d[i + 5]), "+f"(d[i + 6]), \
      "+f"(d[i + 7])

#define TILECC_WGMMA_N64(SHAPE_TYPES, TAIL, SCALE_D)                                      \
  asm volatile(                                                                           \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %34, 0;\n"                                        \
      "wgmma.mma_async.sync.aligned." SHAPE_TYPES                                         \
      " "                                                                                 \
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, " \
      "%18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31},"            \
      "%32, %33, p, " TAIL ";\n}\n"                                                       \
      : TILECC_WG_F8(0), TILECC_WG_F8(8), TILECC_WG_F8(16), TILECC_WG_F8(24)              \
      : "l"(a_desc), "l"(b_desc), SCALE_D                                                 \
      : "memory")

#define TILECC_WGMMA_N128(SHAPE_TYPES, TAIL, SCALE_D)                                                             \
  asm volatile(                                                                                                   \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"                                                                \
      "wgmma.mma_async.sync.aligned." SHAPE_TYPES                                                                 \
      " "                                                                                                         \
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, "                         \
      "%18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, "                          \
      "%34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, "                          \
      "%50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63},"                                    \
      "%64, %65, p, " TAIL ";\n}\n"                                                                               \
      : TILECC_WG_F8(0), TILECC_WG_F8(8), TILECC_WG_F8(16), TILECC_WG_F8(24), TILECC_WG_F8(32), TILECC_WG_F8(40), \
        TILECC_WG_F8(48), TILECC_WG_F8(56)                                                                        \
      : "l"(a_desc), "l"(b_desc), SCALE_D                                                                         \
      : "memory")

#define TILECC_WGMMA_N256(SHAPE_TYPES, TAIL, SCALE_D)                                                               \
  asm volatile(                                                                                                     \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"                                                                 \
      "wgmma.mma_async.sync.aligned." SHAPE_TYPES                                                                   \
      " "                                                                                                           \
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, "                           \
      "%18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, "                            \
      "%34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, %48, %49, "                            \
      "%50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, %64, %65, "                            \
      "%66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, %80, %81, "                            \
      "%82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, %96, %97, "                            \
      "%98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, "                                \
      "%111, %112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, "                              \
      "%124, %125, %126, %127},"                                                                                    \
      "%128, %129, p, " TAIL ";\n}\n"                                                                               \
      : TILECC_WG_F8(0), TILECC_WG_F8(8), TILECC_WG_F8(16), TILECC_WG_F8(24), TILECC_WG_F8(32), TILECC_WG_F8(40),   \
        TILECC_WG_F8(48), TILECC_WG_F8(56), TILECC_WG_F8(64), TILECC_WG_F8(72), TILECC_WG_F8(80), TILECC_WG_F8(88), \
        TILECC_WG_F8(96), TILECC_WG_F8(104), TILECC_WG_F8(112), TILECC_WG_F8(120)                                   \
      : "l"(a_desc), "l"(b_desc), SCALE_D                                                                           \
      : "memory")

// The f16/bf16 form reads B N-major (transpose flag 1); scale-a, scale-b 1, A not transposed.
#define TILECC_WGMMA_16BIT(N, TYPE) TILECC_WGMMA_N##N("m64n" #N "k16.f32." TYPE "." TYPE, "1, 1, 0, 1", "n"(1))

template <class E, int N>
__device__ __forceinline__ void wgmma_m64k16(float (&d)[N / 2], unsigned long long a_desc, unsigned long long b_desc) {
  static_assert(N == 64 || N == 128 || N == 256, "wgmma_m64k16: N is 64, 128 or 256");
  static_assert(is_same_v<E, __half> || is_same_v<E, __nv_bfloat16>, "wgmma_m64k16: f16 or bf16");
  constexpr bool f16 = is_same_v<E, __half>;
  if constexpr (N == 64) {
    if constexpr (f16)
      TILECC_WGMMA_16BIT(64, "f16");
    else
      TILECC_WGMMA_16BIT(64, "bf16");
  } else if constexpr (N == 128) {
    if constexpr (f16)
      TILECC_WGMMA_16BIT(128, "f16");
    else
      TILECC_WGMMA_16BIT(128, "bf16");
  } else {
    if constexpr (f16)
      TILECC_WGMMA_16BIT(256, "f16");
    else
      TILECC_WGMMA_16BIT(256, "bf16");
  }
}

// wgmma_m64k32<E, N>(d, a_desc, b_desc, accumulate): d = A (64 x 32, K-major) x B (32 x N,
// K-major: the descriptor walks N rows of k bytes), plus d where accumulate != 0; fp8 operands
// (e4m3 or e5m2). fp8 wgmma has no transpose flags: both operands must lie K-major in shared
// memory.
#define TILECC_WGMMA_FP8(N, TYPE) TILECC_WGMMA_N##N("m64n" #N "k32.f32." TYPE "." TYPE, "1, 1", "r"(accumulate))

template <class E, int N>
__device__ __forceinline__ void wgmma_m64k32(float (&d)[N / 2], unsigned long long a_desc, unsigned long long b_desc,
                                             int accumulate) {
  static_assert(N == 64 || N == 128 || N == 256, "wgmma_m64k32: N is 64, 128 or 256");
  static_assert(is_same_v<E, __nv_fp8_e4m3> || is_same_v<E, __nv_fp8_e5m2>, "wgmma_m64k32: e4m3 or e5m2");
  constexpr bool e4m3 = is_same_v<E, __nv_fp8_e4m3>;
  if constexpr (N == 64) {
    if constexpr (e4m3)
      TILECC_WGMMA_FP8(64, "e4m3");
    else
      TILECC_WGMMA_FP8(64, "e5m2");
  } else if constexpr (N == 128) {
    if constexpr (e4m3)
      TILECC_WGMMA_FP8(128, "e4m3");
    else
      TILECC_WGMMA_FP8(128, "e5m2");
  } else {
    if constexpr (e4m3)
      TILECC_WGMMA_FP8(256, "e4m3");
    else
      TILECC_WGMMA_FP8(256, "e5m2");
  }
}

#undef TILECC_WGMMA_16BIT
#undef TILECC_WGMMA_FP8
#undef TILECC_WGMMA_N64
#undef TILECC_WGMMA_N128
#undef TILECC_WGMMA_N256
#undef TILECC_WG_F8

#endif

} // namespace detail
} // namespace dev
} // namespace tilecc
