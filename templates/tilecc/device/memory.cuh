// Single global accesses, the words tile accesses are made of: 4/8/16-byte vector words, the
// cache hints of a load or store (one PTX ld / st carrying the hint), the bf16 -> f32 unpacking
// of loaded words, and the atomic add of one element. access.cuh builds tile loads and stores
// from them.
//
// Hints (the config knobs load_hints / store_hints):
//   loads:  evict_first  ld.global.L1::evict_first  (streamed data: leave L1 to others)
//           evict_last   ld.global.L1::evict_last   (data reused by the block)
//           cg           ld.global.cg               (cache in L2 only, bypass L1)
//   stores: evict_first  st.global.L1::evict_first
//           cs           st.global.cs               (streaming: likely accessed once)
// Hint none is a plain C++ load or store.
#pragma once

#include "types.cuh"

namespace tilecc {
namespace dev {

enum class LoadHint { none, evict_first, evict_last, cg };
enum class StoreHint { none, evict_first, cs };

namespace detail {

template <int Bytes> struct vector_word;
template <> struct vector_word<4> {
  using type = unsigned;
};
template <> struct vector_word<8> {
  using type = uint2;
};
template <> struct vector_word<16> {
  using type = uint4;
};

// Bytes per access when N adjacent S move together; 0 when they cannot.
template <class S, int N> __host__ __device__ constexpr int vector_unit() {
  constexpr int bytes = N * static_cast<int>(sizeof(S));
  if (N < 2) return 0;
  if (bytes % 16 == 0) return 16;
  if (bytes == 8 || bytes == 4) return bytes;
  return 0;
}

// Whole rows of `bytes` keep accesses of `unit` bytes aligned (unit 0: no vector access).
__host__ __device__ constexpr bool rows_keep_alignment(int bytes, int unit) { return unit != 0 && bytes % unit == 0; }

__device__ __forceinline__ bool aligned_to(const void *p, int bytes) {
  return (reinterpret_cast<unsigned long long>(p) & static_cast<unsigned long long>(bytes - 1)) == 0;
}

// out[k] = the k-th S of the loaded words, converted to T. bf16 -> f32 reads each 32-bit word
// directly (a bf16 is the high half of an f32): one instruction per element, where unpacking
// to 16-bit values first and widening them takes two.
template <class T, class S, int V, class W> __device__ __forceinline__ void unpack_words(const W *words, T *out) {
  if constexpr (is_same_v<S, __nv_bfloat16> && is_same_v<T, float> && V % 2 == 0 && sizeof(W) % 4 == 0) {
    const unsigned *w = reinterpret_cast<const unsigned *>(words);
#pragma unroll
    for (int k = 0; k < V; k += 2) {
      out[k] = __uint_as_float(w[k / 2] << 16);
      out[k + 1] = __uint_as_float(w[k / 2] & 0xffff0000u);
    }
  } else {
    const S *s = reinterpret_cast<const S *>(words);
#pragma unroll
    for (int k = 0; k < V; ++k) out[k] = convert<T>(s[k]);
  }
}

template <class S, int N> __device__ __forceinline__ void load_vector(const S *p, S (&out)[N]) {
  constexpr int unit = vector_unit<S, N>();
  using W = typename vector_word<unit>::type;
  constexpr int words = N * static_cast<int>(sizeof(S)) / unit;
  W w[words];
#pragma unroll
  for (int k = 0; k < words; ++k) w[k] = reinterpret_cast<const W *>(p)[k];
  const S *s = reinterpret_cast<const S *>(w);
#pragma unroll
  for (int k = 0; k < N; ++k) out[k] = s[k];
}

template <class D, int N> __device__ __forceinline__ void store_vector(D *p, const D (&in)[N]) {
  constexpr int unit = vector_unit<D, N>();
  using W = typename vector_word<unit>::type;
  constexpr int words = N * static_cast<int>(sizeof(D)) / unit;
  const W *w = reinterpret_cast<const W *>(in);
#pragma unroll
  for (int k = 0; k < words; ++k) reinterpret_cast<W *>(p)[k] = w[k];
}

// ---- one global access with a hint -----------------------------------------------------------

#define TILECC_DEV_LD_HINTED(H, OP)                                                                             \
  template <> struct ld_hinted<H> {                                                                             \
    __device__ __forceinline__ static unsigned u8(const void *p) {                                              \
      unsigned v;                                                                                               \
      asm volatile(OP ".u8 %0, [%1];" : "=r"(v) : "l"(p));                                                      \
      return v;                                                                                                 \
    }                                                                                                           \
    __device__ __forceinline__ static unsigned short u16(const void *p) {                                       \
      unsigned short v;                                                                                         \
      asm volatile(OP ".u16 %0, [%1];" : "=h"(v) : "l"(p));                                                     \
      return v;                                                                                                 \
    }                                                                                                           \
    __device__ __forceinline__ static unsigned u32(const void *p) {                                             \
      unsigned v;                                                                                               \
      asm volatile(OP ".u32 %0, [%1];" : "=r"(v) : "l"(p));                                                     \
      return v;                                                                                                 \
    }                                                                                                           \
    __device__ __forceinline__ static unsigned long long u64(const void *p) {                                   \
      unsigned long long v;                                                                                     \
      asm volatile(OP ".u64 %0, [%1];" : "=l"(v) : "l"(p));                                                     \
      return v;                                                                                                 \
    }                                                                                                           \
    __device__ __forceinline__ static uint2 v2(const void *p) {                                                 \
      uint2 v;                                                                                                  \
      asm volatile(OP ".v2.u32 {%0, %1}, [%2];" : "=r"(v.x), "=r"(v.y) : "l"(p));                               \
      return v;                                                                                                 \
    }                                                                                                           \
    __device__ __forceinline__ static uint4 v4(const void *p) {                                                 \
      uint4 v;                                                                                                  \
      asm volatile(OP ".v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p)); \
      return v;                                                                                                 \
    }                                                                                                           \
  };

#define TILECC_DEV_ST_HINTED(H, OP)                                                                                   \
  template <> struct st_hinted<H> {                                                                                   \
    __device__ __forceinline__ static void u8(void *p, unsigned v) {                                                  \
      asm volatile(OP ".u8 [%0], %1;" ::"l"(p), "r"(v) : "memory");                                                   \
    }                                                                                                                 \
    __device__ __forceinline__ static void u16(void *p, unsigned short v) {                                           \
      asm volatile(OP ".u16 [%0], %1;" ::"l"(p), "h"(v) : "memory");                                                  \
    }                                                                                                                 \
    __device__ __forceinline__ static void u32(void *p, unsigned v) {                                                 \
      asm volatile(OP ".u32 [%0], %1;" ::"l"(p), "r"(v) : "memory");                                                  \
    }                                                                                                                 \
    __device__ __forceinline__ static void u64(void *p, unsigned long long v) {                                       \
      asm volatile(OP ".u64 [%0], %1;" ::"l"(p), "l"(v) : "memory");                                                  \
    }                                                                                                                 \
    __device__ __forceinline__ static void v2(void *p, uint2 v) {                                                     \
      asm volatile(OP ".v2.u32 [%0], {%1, %2};" ::"l"(p), "r"(v.x), "r"(v.y) : "memory");                             \
    }                                                                                                                 \
    __device__ __forceinline__ static void v4(void *p, uint4 v) {                                                     \
      asm volatile(OP ".v4.u32 [%0], {%1, %2, %3, %4};" ::"l"(p), "r"(v.x), "r"(v.y), "r"(v.z), "r"(v.w) : "memory"); \
    }                                                                                                                 \
  };

template <LoadHint H> struct ld_hinted;
TILECC_DEV_LD_HINTED(LoadHint::evict_first, "ld.global.L1::evict_first")
TILECC_DEV_LD_HINTED(LoadHint::evict_last, "ld.global.L1::evict_last")
TILECC_DEV_LD_HINTED(LoadHint::cg, "ld.global.cg")
template <StoreHint H> struct st_hinted;
TILECC_DEV_ST_HINTED(StoreHint::evict_first, "st.global.L1::evict_first")
TILECC_DEV_ST_HINTED(StoreHint::cs, "st.global.cs")
#undef TILECC_DEV_LD_HINTED
#undef TILECC_DEV_ST_HINTED

// *p for any element or vector word W of 1, 2, 4, 8 or 16 bytes, with hint H.
template <LoadHint H, class W> __device__ __forceinline__ W load_word(const W *p) {
  if constexpr (H == LoadHint::none) {
    return *p;
  } else {
    using D = ld_hinted<H>;
    W out;
    if constexpr (sizeof(W) == 1) {
      const unsigned char b = static_cast<unsigned char>(D::u8(p));
      out = *reinterpret_cast<const W *>(&b);
    } else if constexpr (sizeof(W) == 2) {
      const unsigned short b = D::u16(p);
      out = *reinterpret_cast<const W *>(&b);
    } else if constexpr (sizeof(W) == 4) {
      const unsigned b = D::u32(p);
      out = *reinterpret_cast<const W *>(&b);
    } else if constexpr (sizeof(W) == 8) {
      const unsigned long long b = D::u64(p);
      out = *reinterpret_cast<const W *>(&b);
    } else {
      static_assert(sizeof(W) == 16, "load_word: 1, 2, 4, 8 or 16 bytes");
      const uint4 b = D::v4(p);
      out = *reinterpret_cast<const W *>(&b);
    }
    return out;
  }
}

// *p = v for any element or vector word W of 1, 2, 4, 8 or 16 bytes, with hint H.
template <StoreHint H, class W> __device__ __forceinline__ void store_word(W *p, const W &v) {
  if constexpr (H == StoreHint::none) {
    *p = v;
  } else {
    using D = st_hinted<H>;
    if constexpr (sizeof(W) == 1)
      D::u8(p, *reinterpret_cast<const unsigned char *>(&v));
    else if constexpr (sizeof(W) == 2)
      D::u16(p, *reinterpret_cast<const unsigned short *>(&v));
    else if constexpr (sizeof(W) == 4)
      D::u32(p, *reinterpret_cast<const unsigned *>(&v));
    else if constexpr (sizeof(W) == 8)
      D::u64(p, *reinterpret_cast<const unsigned long long *>(&v));
    else {
      static_assert(sizeof(W) == 16, "store_word: 1, 2, 4, 8 or 16 bytes");
      D::v4(p, *reinterpret_cast<const uint4 *>(&v));
    }
  }
}

__device__ __forceinline__ void atomic_add_element(float *p, float x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(double *p, double x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(int *p, int x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(long long *p, long long x) {
  // Two's complement: an unsigned add is a signed add.
  atomicAdd(reinterpret_cast<unsigned long long *>(p), static_cast<unsigned long long>(x));
}
__device__ __forceinline__ void atomic_add_element(long *p, long x) {
  static_assert(sizeof(long) == sizeof(long long), "atomic_add: long must be 64-bit");
  atomicAdd(reinterpret_cast<unsigned long long *>(p), static_cast<unsigned long long>(x));
}
__device__ __forceinline__ void atomic_add_element(unsigned *p, unsigned x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(unsigned long long *p, unsigned long long x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(__half *p, __half x) { atomicAdd(p, x); }
__device__ __forceinline__ void atomic_add_element(__nv_bfloat16 *p, __nv_bfloat16 x) { atomicAdd(p, x); }
// No byte-wide atomic add exists: compare-and-swap the aligned word around the byte.
__device__ __forceinline__ void atomic_add_element(signed char *p, signed char x) {
  const unsigned long long address = reinterpret_cast<unsigned long long>(p);
  unsigned *word = reinterpret_cast<unsigned *>(address & ~3ull);
  const unsigned shift = static_cast<unsigned>(address & 3ull) * 8u;
  unsigned old = *word, assumed;
  do {
    assumed = old;
    const unsigned sum = ((assumed >> shift) + static_cast<unsigned char>(x)) & 0xffu;
    old = atomicCAS(word, assumed, (assumed & ~(0xffu << shift)) | (sum << shift));
  } while (assumed != old);
}

} // namespace detail
} // namespace dev
} // namespace tilecc
