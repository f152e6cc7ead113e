// Tile loads and stores: one spelling, load / store with a compile-time access policy.
//
//   load<Access<LoadHint::none>>(f, base, row_stride, col_stride, rows, cols);
//   load<Access<LoadHint::cg, false>>(f, base, row_index, row_stride, col_stride, cols);
//   load<Access<LoadHint::evict_last>>(packed, base, row_stride, col_stride, rows, cols);
//   store<Access<StoreHint::cs>>(base, f, row_stride, col_stride);
//   load<P>(f, base, ..., rows, cols, stage, phase) / store<P>(base, f, ..., stage): through a
//     TMA stage in shared memory (tma.cuh)
//   atomic_add(base, f, row_stride, col_stride)
//
// The policy Access<Hint, Vec = true>:
//   Hint  a LoadHint for load, a StoreHint for store: the cache hint every global access of the
//         tile carries (memory.cuh lists them; none: plain C++ accesses);
//   Vec   true: a thread's vec adjacent elements of a row move as one 4/8/16-byte word where
//         the row is contiguous (col_stride == 1), they are all inside the extents and the
//         address is aligned, element by element elsewhere; false: always element by element.
// The destination and the row addressing are arguments: a Frag<T, R, C, L> (elements converted
// from S to T) or a PackedBf16<R, C, L> (bf16 kept as loaded, packed.cuh); rows 0 .. rows - 1
// of the tile, or the global rows a Frag<I, R, 1, L> of row indices names (a gather).
//
// Meaning, for every policy: `base` points at tile element (0, 0); strides are in elements. Only
// elements inside the extents are read or written; loads leave zero in the others and set the
// destination's rows / cols; stores convert to D and write each element inside f.rows x f.cols
// once (a replicated row or column by one thread).
//
// One loop loads a tile's rows (detail::load_rows) and one stores a row (detail::store_row),
// whatever the policy, destination or row source. A row source says where row i's words and
// elements are read (global memory with the hint; or a TMA stage for the interior, tma.cuh);
// a row target, where they are written; the destination, how loaded words become its registers.
#pragma once

#include "frag.cuh"
#include "memory.cuh"
#include "packed.cuh"
#include "rows.cuh"
#include "types.cuh"

namespace tilecc {
namespace dev {

template <auto Hint, bool Vec = true> struct Access {
  static_assert(is_same_v<decltype(Hint), LoadHint> || is_same_v<decltype(Hint), StoreHint>,
                "Access<Hint, Vec>: Hint is a LoadHint (for load) or a StoreHint (for store)");
  static constexpr decltype(Hint) hint = Hint;
  static constexpr bool vectors = Vec;
};

namespace detail {

// Which accesses a policy is for: a load's P must hold a LoadHint, a store's a StoreHint.
template <class P> struct access_kind {
  static constexpr bool load = false, store = false;
};
template <LoadHint H, bool V> struct access_kind<Access<H, V>> {
  static constexpr bool load = true, store = false;
};
template <StoreHint H, bool V> struct access_kind<Access<H, V>> {
  static constexpr bool load = false, store = true;
};

// ---- destinations: how load_rows fills a Frag or a PackedBf16 -------------------------------

template <class Dst> struct load_sink;

template <class T, int R, int C, class L> struct load_sink<Frag<T, R, C, L>> {
  using Shape = Frag<T, R, C, L>; // where element (i, j) lies: Shape::row(i), Shape::col(j)
  using Dst = Frag<T, R, C, L>;
  static constexpr bool row_once = false;
  template <class S> static constexpr bool vectors = true;
  // Vector g of thread row i from its loaded words.
  template <class S, int V, class W>
  __device__ __forceinline__ static void vector(Dst &f, int i, int g, const W *words) {
    unpack_words<T, S, V>(words, &f.v[i][g * V]);
  }
  // Element (i, j): read() where inside, zero elsewhere (read is called only where inside).
  template <class Read> __device__ __forceinline__ static void element(Dst &f, int i, int j, bool inside, Read &&read) {
    f.v[i][j] = inside ? convert<T>(read()) : zero<T>();
  }
};

template <int R, int C, class L> struct load_sink<PackedBf16<R, C, L>> {
  using Shape = typename PackedBf16<R, C, L>::Shape;
  using Dst = PackedBf16<R, C, L>;
  static constexpr bool row_once = true;
  // A vector's words are copied as they are, so it must fill whole 32-bit words.
  template <class S> static constexpr bool vectors = is_same_v<S, __nv_bfloat16> && (Shape::vec % 2 == 0);
  template <class S, int V, class W>
  __device__ __forceinline__ static void vector(Dst &f, int i, int g, const W *words) {
    const unsigned *u = reinterpret_cast<const unsigned *>(words);
#pragma unroll
    for (int k = 0; k < V / 2; ++k) f.w[i][g * V / 2 + k] = u[k];
  }
  // Into the pair element j belongs to (pairs may span vectors when vec is odd).
  template <class Read> __device__ __forceinline__ static void element(Dst &f, int i, int j, bool inside, Read &&read) {
    const unsigned bits = inside ? __bfloat16_as_ushort(read()) : 0u;
    unsigned &word = f.w[i][j / 2];
    word = j % 2 == 0 ? bits : (word | bits << 16);
  }
};

// ---- row sources and targets -------------------------------------------------------------
//
// load_rows reads thread row i of a tile from rows.at(i), a row source; store_row writes it to a
// row target. Both give
//   vector(c0)            the vec elements from column c0, as words: .aligned(unit) (their
//                         address is aligned to `unit`-byte words) and .word<W>(k) (read) /
//                         .word(k, w) (write) of the k-th word
//   element(c)            column c (read) / element(c, v) (write)
// a source also ok(): the row is inside the tile's rows. Where a vector may move as words they
// say in one of two ways (Rows::staged):
//   false, global rows: the row is contiguous() (col_stride == 1) and (a source) its column 0
//                       aligned(unit) / (a target) the vector aligned;
//   true, a TMA stage:  the vector is whole(c0, bytes) in the stage (inside the bulk copy) and
//                       aligned there.
// Each answers one question, so that the loops spell every condition as one && chain: the same
// code as the conditions written out by hand.

// Row source: thread row i of a tile in global memory, at p (tile column 0), read with hint H.
template <LoadHint H, class S, class Rows> struct GlobalRowIn {
  struct Vector {
    const S *q;
    __device__ __forceinline__ bool aligned(int unit) const { return aligned_to(q, unit); }
    template <class W> __device__ __forceinline__ W word(int k) const {
      return load_word<H>(reinterpret_cast<const W *>(q) + k);
    }
  };
  const Rows *rows;
  int i;
  const S *p;
  __device__ __forceinline__ bool ok() const { return rows->row_ok(i); }
  __device__ __forceinline__ bool contiguous() const { return rows->col_stride == 1; }
  __device__ __forceinline__ bool aligned(int unit) const { return aligned_to(p, unit); }
  __device__ __forceinline__ Vector vector(int c0) const { return {p + c0}; }
  __device__ __forceinline__ S element(int c) const {
    return load_word<H>(p + static_cast<long long>(c) * rows->col_stride);
  }
};

// The rows of a tile at base: thread row i is tile row F::row(i), inside the tile below rows.
// Sources are plain data (no lambdas): the compiler keeps them in registers like scalar
// arguments, where lambdas held in a struct made it spill in the tensor-core k-loop.
template <LoadHint H, class S, class F> struct RangeRowsIn {
  using value_type = S;
  static constexpr bool staged = false;
  const S *base;
  long long row_stride, col_stride;
  int rows;
  __device__ __forceinline__ const S *row_ptr(int i) const {
    return base + static_cast<long long>(F::row(i)) * row_stride;
  }
  __device__ __forceinline__ bool row_ok(int i) const { return F::row(i) < rows && F::row(i) < F::tile_rows; }
  __device__ __forceinline__ GlobalRowIn<H, S, RangeRowsIn> at(int i) const { return {this, i, row_ptr(i)}; }
};

// Gathered rows: thread row i is global row index.v[i][0] (inside the tile below index.rows).
template <LoadHint H, class S, class F, class Index> struct GatherRowsIn {
  using value_type = S;
  static constexpr bool staged = false;
  const S *base;
  const Index *index;
  long long row_stride, col_stride;
  __device__ __forceinline__ bool row_ok(int i) const { return F::row(i) < index->rows && F::row(i) < F::tile_rows; }
  __device__ __forceinline__ const S *row_ptr(int i) const {
    const long long global_row = row_ok(i) ? static_cast<long long>(index->v[i][0]) : 0;
    return base + global_row * row_stride;
  }
  __device__ __forceinline__ GlobalRowIn<H, S, GatherRowsIn> at(int i) const { return {this, i, row_ptr(i)}; }
};

// Rows through a row map (rows.cuh): thread row i is global row map(F::row(i)) (inside the
// tile below rows; the map is not asked for the others).
template <LoadHint H, class S, class F, class Map> struct MappedRowsIn {
  using value_type = S;
  static constexpr bool staged = false;
  const S *base;
  Map map;
  long long row_stride, col_stride;
  int rows;
  __device__ __forceinline__ bool row_ok(int i) const { return F::row(i) < rows && F::row(i) < F::tile_rows; }
  __device__ __forceinline__ const S *row_ptr(int i) const {
    return base + (row_ok(i) ? map(F::row(i)) : 0LL) * row_stride;
  }
  __device__ __forceinline__ GlobalRowIn<H, S, MappedRowsIn> at(int i) const { return {this, i, row_ptr(i)}; }
};

// Row target: a tile row in global memory at p (tile column 0), written with hint H.
template <StoreHint H, class D> struct GlobalRowOut {
  using value_type = D;
  static constexpr bool staged = false;
  D *p;
  long long col_stride;
  struct Vector {
    D *q;
    __device__ __forceinline__ bool aligned(int unit) const { return aligned_to(q, unit); }
    template <class W> __device__ __forceinline__ void word(int k, const W &w) const {
      store_word<H>(reinterpret_cast<W *>(q) + k, w);
    }
  };
  __device__ __forceinline__ bool contiguous() const { return col_stride == 1; }
  __device__ __forceinline__ Vector vector(int c0) const { return {p + c0}; }
  __device__ __forceinline__ void element(int c, const D &v) const {
    store_word<H>(p + static_cast<long long>(c) * col_stride, v);
  }
};

// ---- the loops ----------------------------------------------------------------------------

// Vector g of thread row i element by element from `row`, zero outside the extents (ok: the row
// is inside the tile's rows): the reads at ragged edges, misaligned and strided rows.
template <class Sink, int V, class Dst, class Row>
__device__ __forceinline__ void load_elements(Dst &f, const Row &row, bool ok, int i, int g, int cols) {
  using F = typename Sink::Shape;
#pragma unroll
  for (int k = 0; k < V; ++k) {
    const int j = g * V + k, c = F::col(j);
    Sink::element(f, i, j, ok && c < cols && c < F::tile_cols, [&] { return row.element(c); });
  }
}

// Loads every row of f from `rows`. Two phases, so that a thread has all its loads in flight at
// once: first every vector inside the extents whose row and address allow it is loaded as raw
// words (predicated, branch-free), then the words are unpacked into f, with element-by-element
// reads only for vectors at a ragged edge, a misaligned row or a strided row. (Unpacking right
// after each load made every load wait for the one before it: a thread had one 16-byte load in
// flight.) A TMA stage is near (shared memory): its vectors are read in the second phase, each
// right before it is unpacked, which keeps fewer words alive.
template <class P, class Dst, class Rows>
__device__ __forceinline__ void load_rows(Dst &f, const Rows &rows, int cols) {
  using Sink = load_sink<Dst>;
  using F = typename Sink::Shape;
  using S = typename Rows::value_type;
  constexpr int V = F::vec, G = F::ec / V;
  constexpr int unit = P::vectors && Sink::template vectors<S> ? vector_unit<S, V>() : 0;
  constexpr int bytes = V * static_cast<int>(sizeof(S)), u = unit != 0 ? unit : 1;
  constexpr int words = unit != 0 ? bytes / unit : 1;
  using W = typename vector_word<unit != 0 ? unit : 4>::type;
  W raw[F::er][G][words];
  bool vec_ok[F::er][G];
  if constexpr (!Rows::staged) {
#pragma unroll
    for (int i = 0; i < F::er; ++i) {
      const auto row = rows.at(i);
      const bool ok_row = unit != 0 && row.ok() && row.contiguous() && row.aligned(u);
#pragma unroll
      for (int g = 0; g < G; ++g) {
        const int c0 = F::col(g * V);
        vec_ok[i][g] = ok_row && c0 + V <= cols;
#pragma unroll
        for (int k = 0; k < words; ++k) raw[i][g][k] = vec_ok[i][g] ? row.vector(c0).template word<W>(k) : W{};
      }
    }
  }
  // The second phase works out a thread row's source once per row for a PackedBf16, and once
  // per vector read element by element for a Frag: the same values either way; each destination
  // takes the placement the compiler turns into the leaner code for it (fewer registers on the
  // example kernels).
  if constexpr (Sink::row_once) {
    static_assert(!Rows::staged, "load_rows: a staged source fills Frags only");
#pragma unroll
    for (int i = 0; i < F::er; ++i) {
      const auto row = rows.at(i);
      const bool ok = row.ok();
#pragma unroll
      for (int g = 0; g < G; ++g) {
        if (vec_ok[i][g])
          Sink::template vector<S, V>(f, i, g, raw[i][g]);
        else
          load_elements<Sink, V>(f, row, ok, i, g, cols);
      }
    }
  } else {
#pragma unroll
    for (int i = 0; i < F::er; ++i) {
#pragma unroll
      for (int g = 0; g < G; ++g) {
        const int c0 = F::col(g * V);
        bool vector;
        if constexpr (Rows::staged) {
          // A stage is near (shared memory): each vector is read right before it is unpacked.
          const auto row = rows.at(i);
          const auto vec = row.vector(c0);
          vector = unit != 0 && row.ok() && c0 + V <= cols && row.whole(c0, bytes) && vec.aligned(u);
#pragma unroll
          for (int k = 0; k < words; ++k) raw[i][g][k] = vector ? vec.template word<W>(k) : W{};
        } else {
          vector = vec_ok[i][g];
        }
        if (vector) {
          Sink::template vector<S, V>(f, i, g, raw[i][g]);
        } else {
          const auto row = rows.at(i);
          load_elements<Sink, V>(f, row, row.ok(), i, g, cols);
        }
      }
    }
  }
}

// Stores the owned elements of thread row i of f to `out` (that row's target; row_own: the row
// is inside f.rows and this thread writes it).
template <class P, class T, int R, int C, class L, class Row>
__device__ __forceinline__ void store_row(const Row &out, const Frag<T, R, C, L> &f, int i, bool row_own) {
  using F = Frag<T, R, C, L>;
  using D = typename Row::value_type;
  constexpr int V = F::vec, bytes = V * static_cast<int>(sizeof(D));
  constexpr int unit = P::vectors ? vector_unit<D, V>() : 0;
  const bool col_home = C != 1 || L::tx() == 0;
#pragma unroll
  for (int g = 0; g < F::ec / V; ++g) {
    const int c0 = F::col(g * V);
    bool done = false;
    if constexpr (unit != 0) {
      const auto vec = out.vector(c0);
      bool vector;
      if constexpr (Row::staged)
        vector = row_own && c0 + V <= f.cols && out.whole(c0, bytes) && vec.aligned(unit);
      else
        vector = out.contiguous() && row_own && c0 + V <= f.cols && vec.aligned(unit);
      if (vector) {
        using W = typename vector_word<unit>::type;
        D tmp[V];
#pragma unroll
        for (int k = 0; k < V; ++k) tmp[k] = convert<D>(f.v[i][g * V + k]);
#pragma unroll
        for (int k = 0; k < bytes / unit; ++k) vec.word(k, reinterpret_cast<const W *>(tmp)[k]);
        done = true;
      }
    }
    if (!done) {
#pragma unroll
      for (int k = 0; k < V; ++k) {
        const int c = F::col(g * V + k);
        if (row_own && col_home && c < f.cols && c < C) out.element(c, convert<D>(f.v[i][g * V + k]));
      }
    }
  }
}

// Thread row i of an R-row tile is inside f.rows and this thread writes it (a replicated row,
// R == 1, by the threads of layout row 0).
template <class T, int R, int C, class L> __device__ __forceinline__ bool row_owned(const Frag<T, R, C, L> &f, int i) {
  const int r = f.row(i);
  return r < f.rows && r < R && (R != 1 || L::ty() == 0);
}

} // namespace detail

// f = rows 0 .. rows - 1, columns 0 .. cols - 1 of the tile at base (converted from S to T).
template <class P, class T, int R, int C, class L, class S>
__device__ __forceinline__ void load(Frag<T, R, C, L> &f, const S *base, long long row_stride, long long col_stride,
                                     int rows, int cols) {
  static_assert(detail::access_kind<P>::load,
                "load<P>: P must be Access<LoadHint::..., Vec> (a StoreHint is for store)");
  f.rows = rows;
  f.cols = cols;
  detail::load_rows<P>(f, detail::RangeRowsIn<P::hint, S, Frag<T, R, C, L>>{base, row_stride, col_stride, rows}, cols);
}

// Gather: row i of the tile is global row row_index(i); f.rows = row_index.rows, f.cols = cols.
template <class P, class T, int R, int C, class L, class I, class S>
__device__ __forceinline__ void load(Frag<T, R, C, L> &f, const S *base, const Frag<I, R, 1, L> &row_index,
                                     long long row_stride, long long col_stride, int cols) {
  static_assert(detail::access_kind<P>::load,
                "load<P>: P must be Access<LoadHint::..., Vec> (a StoreHint is for store)");
  f.rows = row_index.rows;
  f.cols = cols;
  detail::load_rows<P>(
      f, detail::GatherRowsIn<P::hint, S, Frag<T, R, C, L>, Frag<I, R, 1, L>>{base, &row_index, row_stride, col_stride},
      cols);
}

// Rows through a row map: row i of the tile (i < rows) is global row rows_map(i) (rows.cuh);
// f.rows = rows, f.cols = cols.
template <class P, class T, int R, int C, class L, class S, class Map>
__device__ __forceinline__ void load(Frag<T, R, C, L> &f, const S *base, const Map &rows_map, long long row_stride,
                                     long long col_stride, int rows, int cols) {
  static_assert(detail::access_kind<P>::load,
                "load<P>: P must be Access<LoadHint::..., Vec> (a StoreHint is for store)");
  f.rows = rows;
  f.cols = cols;
  if constexpr (Map::dense)
    detail::load_rows<P>(f, detail::RangeRowsIn<P::hint, S, Frag<T, R, C, L>>{base, row_stride, col_stride, rows},
                         cols);
  else
    detail::load_rows<P>(
        f, detail::MappedRowsIn<P::hint, S, Frag<T, R, C, L>, Map>{base, rows_map, row_stride, col_stride, rows}, cols);
}

// A bf16 tile into packed words (PackedBf16): every aligned in-range vector is one access,
// element by element elsewhere.
template <class P, int R, int C, class L>
__device__ __forceinline__ void load(PackedBf16<R, C, L> &f, const __nv_bfloat16 *base, long long row_stride,
                                     long long col_stride, int rows, int cols) {
  static_assert(detail::access_kind<P>::load,
                "load<P>: P must be Access<LoadHint::..., Vec> (a StoreHint is for store)");
  f.rows = rows;
  f.cols = cols;
  detail::load_rows<P>(f,
                       detail::RangeRowsIn<P::hint, __nv_bfloat16, typename PackedBf16<R, C, L>::Shape>{
                           base, row_stride, col_stride, rows},
                       cols);
}

// Writes the elements of f inside f.rows x f.cols (converted from T to D) to the tile at base.
template <class P, class D, class T, int R, int C, class L>
__device__ __forceinline__ void store(D *base, const Frag<T, R, C, L> &f, long long row_stride, long long col_stride) {
  static_assert(detail::access_kind<P>::store,
                "store<P>: P must be Access<StoreHint::..., Vec> (a LoadHint is for load)");
#pragma unroll
  for (int i = 0; i < f.er; ++i)
    detail::store_row<P>(detail::GlobalRowOut<P::hint, D>{base + static_cast<long long>(f.row(i)) * row_stride,
                                                          col_stride},
                         f, i, detail::row_owned(f, i));
}

// atomicAdd of each owned element of f (converted from T to D) into base, element by element.
template <class D, class T, int R, int C, class L>
__device__ __forceinline__ void atomic_add(D *base, const Frag<T, R, C, L> &f, long long row_stride,
                                           long long col_stride) {
#pragma unroll
  for (int i = 0; i < f.er; ++i)
#pragma unroll
    for (int j = 0; j < f.ec; ++j)
      if (f.owner(i, j))
        detail::atomic_add_element(base + static_cast<long long>(f.row(i)) * row_stride +
                                       static_cast<long long>(f.col(j)) * col_stride,
                                   convert<D>(f.v[i][j]));
}

} // namespace dev
} // namespace tilecc
