// Tile loads and stores with a chosen access width and cache hint (the config knobs
// load_vectors / load_hints, store_vectors / store_hints).
//
//   load_hinted<LoadHint::evict_first, true>(f, base, row_stride, col_stride, rows, cols)
//   load_gather_rows_hinted<H, Vec>(f, base, row_index, row_stride, col_stride, cols)
//   store_hinted<StoreHint::cs, false>(base, f, row_stride, col_stride)
//
// Same meaning as memory.cuh's load / load_gather_rows / store (masked, converting, zeros
// outside the extents), but every global access is issued as a PTX ld / st carrying the hint:
//   loads:  evict_first  ld.global.L1::evict_first  (streamed data: leave L1 to others)
//           evict_last   ld.global.L1::evict_last   (data reused by the block)
//           cg           ld.global.cg               (cache in L2 only, bypass L1)
//   stores: evict_first  st.global.L1::evict_first
//           cs           st.global.cs               (streaming: likely accessed once)
// Vec = false moves every element on its own (no 4/8/16-byte vector access, even when the row
// is contiguous and aligned); Vec = true takes vectors where memory.cuh would. Hint none with
// Vec = true is exactly memory.cuh's access (plain C++ loads and stores).
#pragma once

#include "frag.cuh"
#include "memory.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

enum class LoadHint { none, evict_first, evict_last, cg };
enum class StoreHint { none, evict_first, cs };

namespace detail {

// ---- one global access with a hint -----------------------------------------------------------

#define TILECC_DEV_LD_HINTED(H, OP)                                                              \
  template <> struct ld_hinted<H> {                                                                \
    __device__ __forceinline__ static unsigned u8(const void *p) {                               \
      unsigned v;                                                                                  \
      asm volatile(OP ".u8 %0, [%1];" : "=r"(v) : "l"(p));                                         \
      return v;                                                                                    \
    }                                                                                              \
    __device__ __forceinline__ static unsigned short u16(const void *p) {                        \
      unsigned short v;                                                                            \
      asm volatile(OP ".u16 %0, [%1];" : "=h"(v) : "l"(p));                                        \
      return v;                                                                                    \
    }                                                                                              \
    __device__ __forceinline__ static unsigned u32(const void *p) {                              \
      unsigned v;                                                                                  \
      asm volatile(OP ".u32 %0, [%1];" : "=r"(v) : "l"(p));                                        \
      return v;                                                                                    \
    }                                                                                              \
    __device__ __forceinline__ static unsigned long long u64(const void *p) {                    \
      unsigned long long v;                                                                        \
      asm volatile(OP ".u64 %0, [%1];" : "=l"(v) : "l"(p));                                        \
      return v;                                                                                    \
    }                                                                                              \
    __device__ __forceinline__ static uint2 v2(const void *p) {                                  \
      uint2 v;                                                                                     \
      asm volatile(OP ".v2.u32 {%0, %1}, [%2];" : "=r"(v.x), "=r"(v.y) : "l"(p));                  \
      return v;                                                                                    \
    }                                                                                              \
    __device__ __forceinline__ static uint4 v4(const void *p) {                                  \
      uint4 v;                                                                                     \
      asm volatile(OP ".v4.u32 {%0, %1, %2, %3}, [%4];"                                           \
                   : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)                                    \
                   : "l"(p));                                                                      \
      return v;                                                                                    \
    }                                                                                              \
  };

#define TILECC_DEV_ST_HINTED(H, OP)                                                              \
  template <> struct st_hinted<H> {                                                                \
    __device__ __forceinline__ static void u8(void *p, unsigned v) {                             \
      asm volatile(OP ".u8 [%0], %1;" ::"l"(p), "r"(v) : "memory");                                \
    }                                                                                              \
    __device__ __forceinline__ static void u16(void *p, unsigned short v) {                      \
      asm volatile(OP ".u16 [%0], %1;" ::"l"(p), "h"(v) : "memory");                               \
    }                                                                                              \
    __device__ __forceinline__ static void u32(void *p, unsigned v) {                            \
      asm volatile(OP ".u32 [%0], %1;" ::"l"(p), "r"(v) : "memory");                               \
    }                                                                                              \
    __device__ __forceinline__ static void u64(void *p, unsigned long long v) {                  \
      asm volatile(OP ".u64 [%0], %1;" ::"l"(p), "l"(v) : "memory");                               \
    }                                                                                              \
    __device__ __forceinline__ static void v2(void *p, uint2 v) {                                \
      asm volatile(OP ".v2.u32 [%0], {%1, %2};" ::"l"(p), "r"(v.x), "r"(v.y) : "memory");          \
    }                                                                                              \
    __device__ __forceinline__ static void v4(void *p, uint4 v) {                                \
      asm volatile(OP ".v4.u32 [%0], {%1, %2, %3, %4};" ::"l"(p), "r"(v.x), "r"(v.y), "r"(v.z),     \
                   "r"(v.w)                                                                        \
                   : "memory");                                                                    \
    }                                                                                              \
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

// memory.cuh's load_rows (two phases: every vector in flight, then unpack) with hint H and,
// when !Vec, no vector accesses.
template <LoadHint H, bool Vec, class T, int R, int C, class L, class S, class RowPtr, class RowOk>
__device__ __forceinline__ void load_rows_hinted(Frag<T, R, C, L> &f, RowPtr row_ptr, RowOk row_ok,
                                                 long long col_stride, int cols) {
  using F = Frag<T, R, C, L>;
  constexpr int V = F::vec, G = F::ec / V;
  constexpr int unit = Vec ? vector_unit<S, V>() : 0;
  constexpr int words = unit != 0 ? V * static_cast<int>(sizeof(S)) / unit : 1;
  using W = typename vector_word<unit != 0 ? unit : 4>::type;
  W raw[F::er][G][words];
  bool vec_ok[F::er][G];
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
    const S *p = row_ptr(i);
    const bool ok_row = unit != 0 && row_ok(i) && col_stride == 1 && aligned_to(p, unit != 0 ? unit : 1);
#pragma unroll
    for (int g = 0; g < G; ++g) {
      const int c0 = f.col(g * V);
      vec_ok[i][g] = ok_row && c0 + V <= cols;
#pragma unroll
      for (int k = 0; k < words; ++k)
        raw[i][g][k] = vec_ok[i][g] ? load_word<H>(reinterpret_cast<const W *>(p + c0) + k) : W{};
    }
  }
#pragma unroll
  for (int i = 0; i < F::er; ++i) {
#pragma unroll
    for (int g = 0; g < G; ++g) {
      if (vec_ok[i][g]) {
        unpack_words<T, S, V>(raw[i][g], &f.v[i][g * V]);
      } else {
        const S *p = row_ptr(i);
        const bool ok = row_ok(i);
#pragma unroll
        for (int k = 0; k < V; ++k) {
          const int c = f.col(g * V + k);
          f.v[i][g * V + k] = (ok && c < cols && c < C)
                                  ? convert<T>(load_word<H>(p + static_cast<long long>(c) * col_stride))
                                  : zero<T>();
        }
      }
    }
  }
}

// memory.cuh's store_row with hint H and, when !Vec, no vector accesses.
template <StoreHint H, bool Vec, class D, class T, int R, int C, class L>
__device__ __forceinline__ void store_row_hinted(D *row_ptr, const Frag<T, R, C, L> &f, int i,
                                                 bool row_own, long long col_stride) {
  using F = Frag<T, R, C, L>;
  constexpr int V = F::vec;
  constexpr int unit = Vec ? vector_unit<D, V>() : 0;
  const bool col_home = C != 1 || L::tx() == 0;
#pragma unroll
  for (int g = 0; g < F::ec / V; ++g) {
    const int c0 = f.col(g * V);
    bool done = false;
    if constexpr (unit != 0) {
      D *p = row_ptr + c0;
      if (col_stride == 1 && row_own && c0 + V <= f.cols && aligned_to(p, unit)) {
        using W = typename vector_word<unit>::type;
        constexpr int words = V * static_cast<int>(sizeof(D)) / unit;
        D tmp[V];
#pragma unroll
        for (int k = 0; k < V; ++k)
          tmp[k] = convert<D>(f.v[i][g * V + k]);
#pragma unroll
        for (int k = 0; k < words; ++k)
          store_word<H>(reinterpret_cast<W *>(p) + k, reinterpret_cast<const W *>(tmp)[k]);
        done = true;
      }
    }
    if (!done) {
#pragma unroll
      for (int k = 0; k < V; ++k) {
        const int c = f.col(g * V + k);
        if (row_own && col_home && c < f.cols && c < C)
          store_word<H>(row_ptr + static_cast<long long>(c) * col_stride, convert<D>(f.v[i][g * V + k]));
      }
    }
  }
}

} // namespace detail

// load(f, base, …) with hint H; Vec = false: element by element.
template <LoadHint H, bool Vec, class T, int R, int C, class L, class S>
__device__ __forceinline__ void load_hinted(Frag<T, R, C, L> &f, const S *base, long long row_stride,
                                            long long col_stride, int rows, int cols) {
  f.rows = rows;
  f.cols = cols;
  detail::load_rows_hinted<H, Vec, T, R, C, L, S>(
      f, [&](int i) { return base + static_cast<long long>(f.row(i)) * row_stride; },
      [&](int i) { return f.row(i) < rows && f.row(i) < R; }, col_stride, cols);
}

// load_gather_rows(f, base, row_index, …) with hint H; Vec = false: element by element.
template <LoadHint H, bool Vec, class T, int R, int C, class L, class I, class S>
__device__ __forceinline__ void
load_gather_rows_hinted(Frag<T, R, C, L> &f, const S *base, const Frag<I, R, 1, L> &row_index,
                        long long row_stride, long long col_stride, int cols) {
  f.rows = row_index.rows;
  f.cols = cols;
  auto row_ok = [&](int i) { return f.row(i) < row_index.rows && f.row(i) < R; };
  detail::load_rows_hinted<H, Vec, T, R, C, L, S>(
      f,
      [&](int i) {
        const long long global_row = row_ok(i) ? static_cast<long long>(row_index.v[i][0]) : 0;
        return base + global_row * row_stride;
      },
      row_ok, col_stride, cols);
}

// store(base, f, …) with hint H; Vec = false: element by element.
template <StoreHint H, bool Vec, class D, class T, int R, int C, class L>
__device__ __forceinline__ void store_hinted(D *base, const Frag<T, R, C, L> &f, long long row_stride,
                                             long long col_stride) {
#pragma unroll
  for (int i = 0; i < f.er; ++i) {
    const int r = f.row(i);
    const bool row_own = r < f.rows && r < R && (R != 1 || L::ty() == 0);
    detail::store_row_hinted<H, Vec>(base + static_cast<long long>(r) * row_stride, f, i, row_own,
                                     col_stride);
  }
}

} // namespace dev
} // namespace tilecc
