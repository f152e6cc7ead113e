// Tile loops and grid loops.
//
// `for (auto tm : tile(m))` walks [0, m) in tiles of a block size; the
// outermost tile/grid loops of a kernel become its launch grid, nested ones
// loops inside the kernel. In eager mode block sizes come from the
// BlockSizeScope in force (so tests can vary them); results never depend on them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "tilecc/lang/tile_value.hpp"

namespace tilecc {

/// One tile of a tile loop: the half-open index range [begin, end).
class TileIndex {
 public:
  TileIndex(std::int64_t begin, std::int64_t end, std::int64_t block_size, std::int64_t id)
      : begin_(begin), end_(end), block_size_(block_size), id_(id) {}

  std::int64_t begin() const { return begin_; }
  std::int64_t end() const { return end_; }
  /// Number of indices in this tile (smaller than block_size() at the edge).
  std::int64_t size() const { return end_ - begin_; }
  std::int64_t block_size() const { return block_size_; }
  /// Position of this tile in its loop: 0, 1, 2, ...
  std::int64_t id() const { return id_; }
  /// The global indices begin..end-1 as a rank-1 tile.
  Tile<std::int64_t> index() const {
    Tile<std::int64_t> t(Shape{size()});
    for (std::int64_t i = 0; i < size(); ++i) t.set(i, begin_ + i);
    return t;
  }

  /// The same tile shifted by `offset` indices: `out[tm, tn + n1] = b[tm, tn]` writes b's
  /// columns after n1 others (concatenation); the tile keeps its loop, size and id.
  friend TileIndex operator+(const TileIndex& t, std::int64_t offset) {
    return {t.begin_ + offset, t.end_ + offset, t.block_size_, t.id_};
  }
  friend TileIndex operator+(std::int64_t offset, const TileIndex& t) { return t + offset; }
  friend TileIndex operator-(const TileIndex& t, std::int64_t offset) { return t + (-offset); }

 private:
  std::int64_t begin_, end_, block_size_, id_;
};

/// The half-open range [begin, end) for tile/grid loops that do not start at 0.
struct Range {
  std::int64_t begin, end;
};
inline Range range(std::int64_t begin, std::int64_t end) { return {begin, end}; }

/// A block size shared by several tile loops (registered once per kernel).
struct BlockSize {
  std::int64_t value;
};

/// Explicit block sizes for a tile loop: integers or registered BlockSizes,
/// one per dimension. `tile(n, block(64))`, `tile(m, n, block(bm, 32))`.
template <int N> struct Block {
  std::array<std::int64_t, N> sizes;
};
namespace detail {
inline std::int64_t block_value(std::int64_t v) { return v; }
inline std::int64_t block_value(BlockSize b) { return b.value; }
}  // namespace detail
template <class... S>
  requires((std::is_integral_v<S> || std::is_same_v<S, BlockSize>) && ...)
Block<sizeof...(S)> block(S... sizes) {
  return {{detail::block_value(sizes)...}};
}

namespace eager {
/// Block sizes eager mode gives tile dimensions, in turn, while in scope.
/// Each tile dimension created takes the next size (cycling), so one scope
/// exercises several sizes, including ones that do not divide the extents.
class BlockSizeScope {
 public:
  explicit BlockSizeScope(std::vector<std::int64_t> sizes) : saved_(std::move(state().sizes)) {
    for (std::int64_t s : sizes)
      if (s < 1) throw ShapeError("tilecc::eager::BlockSizeScope: block sizes must be >= 1");
    state().sizes = std::move(sizes);
    state().next = 0;
  }
  ~BlockSizeScope() {
    state().sizes = std::move(saved_);
    state().next = 0;
  }
  BlockSizeScope(const BlockSizeScope&) = delete;
  BlockSizeScope& operator=(const BlockSizeScope&) = delete;

  /// The block size the next tile dimension gets.
  static std::int64_t next() {
    State& s = state();
    if (s.sizes.empty()) return 64;
    return s.sizes[s.next++ % s.sizes.size()];
  }

 private:
  struct State {
    std::vector<std::int64_t> sizes;
    std::size_t next = 0;
  };
  static State& state() {
    thread_local State s;
    return s;
  }
  std::vector<std::int64_t> saved_;
};
}  // namespace eager

/// Declares a block size shared by several tile loops; the tuner picks a
/// power of two in [min, max].
inline BlockSize register_block_size(std::int64_t min = 16, std::int64_t max = 256) {
  if (min < 1 || max < min) throw ShapeError("tilecc::register_block_size: need 1 <= min <= max");
  return {std::clamp(eager::BlockSizeScope::next(), min, max)};
}

namespace detail {

/// One dimension of a loop: its range and block size (1 for grid loops).
struct LoopDim {
  std::int64_t begin, end, block;
  std::int64_t tiles() const { return end <= begin ? 0 : (end - begin + block - 1) / block; }
};

inline LoopDim loop_dim(std::int64_t n) { return {0, n, 1}; }
inline LoopDim loop_dim(Range r) { return {r.begin, r.end, 1}; }

/// Iterates the cartesian product of tile indices, first dimension outermost.
template <int N, class Element> class LoopSpace {
 public:
  explicit LoopSpace(std::array<LoopDim, N> dims) : dims_(dims) {}

  class iterator {
   public:
    iterator(const LoopSpace* s, std::int64_t flat) : space_(s), flat_(flat) {}
    Element operator*() const { return space_->at(flat_); }
    iterator& operator++() {
      ++flat_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return flat_ != o.flat_; }

   private:
    const LoopSpace* space_;
    std::int64_t flat_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const {
    std::int64_t n = 1;
    for (const LoopDim& d : dims_) n *= d.tiles();
    return {this, n};
  }

 private:
  Element at(std::int64_t flat) const {
    std::array<std::int64_t, N> ids{};
    for (int d = N - 1; d >= 0; --d) {
      const std::int64_t t = dims_[d].tiles();
      ids[d] = flat % t;
      flat /= t;
    }
    if constexpr (std::is_same_v<Element, TileIndex>)
      return make(dims_[0], ids[0]);
    else if constexpr (std::is_same_v<Element, std::int64_t>)
      return dims_[0].begin + ids[0];
    else
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return Element{make_elem<typename Element::value_type>(dims_[I], ids[I])...};
      }(std::make_index_sequence<N>{});
  }
  template <class E> static E make_elem(const LoopDim& d, std::int64_t id) {
    if constexpr (std::is_same_v<E, TileIndex>)
      return make(d, id);
    else
      return d.begin + id;
  }
  static TileIndex make(const LoopDim& d, std::int64_t id) {
    const std::int64_t b = d.begin + id * d.block;
    return TileIndex(b, std::min(b + d.block, d.end), d.block, id);
  }
  std::array<LoopDim, N> dims_;
};

template <class T>
concept Extent = std::is_integral_v<T> || std::is_same_v<T, Range>;

template <class... A> auto make_tile_space(std::array<LoopDim, sizeof...(A)> dims) {
  constexpr int n = sizeof...(A);
  if constexpr (n == 1)
    return LoopSpace<1, TileIndex>(dims);
  else
    return LoopSpace<n, std::array<TileIndex, n>>(dims);
}
}  // namespace detail

/// Tile loop over 1-4 extents (an integer n means [0, n); range(b, e) means
/// [b, e)), optionally followed by block(...) with one size per extent.
/// `for (auto tm : tile(m))`, `for (auto [tm, tn] : tile(m, n))`.
template <detail::Extent... E>
  requires(sizeof...(E) >= 1 && sizeof...(E) <= 4)
auto tile(E... extents) {
  std::array<detail::LoopDim, sizeof...(E)> dims{detail::loop_dim(extents)...};
  for (auto& d : dims) d.block = eager::BlockSizeScope::next();
  return detail::make_tile_space<E...>(dims);
}

namespace detail {
template <int N, class Tuple, std::size_t... I> auto tile_with_block(const Tuple& t, std::index_sequence<I...>) {
  const auto& blk = std::get<sizeof...(I)>(t);
  std::array<LoopDim, N> dims{loop_dim(std::get<I>(t))...};
  for (int d = 0; d < N; ++d) {
    if (blk.sizes[d] < 1) throw ShapeError("tilecc::tile: block sizes must be >= 1");
    dims[d].block = blk.sizes[d];
  }
  if constexpr (N == 1)
    return LoopSpace<1, TileIndex>(dims);
  else
    return LoopSpace<N, std::array<TileIndex, N>>(dims);
}
}  // namespace detail

/// Tile loop with explicit block sizes: `tile(n, block(64))`, `tile(n, bs)`.
template <detail::Extent E, class B>
  requires(std::is_same_v<B, BlockSize> || std::is_same_v<B, Block<1>>)
auto tile(E e, B b) {
  Block<1> blk{};
  if constexpr (std::is_same_v<B, BlockSize>)
    blk.sizes[0] = b.value;
  else
    blk = b;
  return detail::tile_with_block<1>(std::tuple<E, Block<1>>(e, blk), std::make_index_sequence<1>{});
}
template <detail::Extent E0, detail::Extent E1> auto tile(E0 e0, E1 e1, Block<2> b) {
  return detail::tile_with_block<2>(std::tuple(e0, e1, b), std::make_index_sequence<2>{});
}
template <detail::Extent E0, detail::Extent E1, detail::Extent E2> auto tile(E0 e0, E1 e1, E2 e2, Block<3> b) {
  return detail::tile_with_block<3>(std::tuple(e0, e1, e2, b), std::make_index_sequence<3>{});
}

/// Scalar loop: `for (auto b : grid(batch))` yields each index; as the
/// outermost loop it becomes a launch-grid dimension of block size 1.
template <detail::Extent... E>
  requires(sizeof...(E) >= 1 && sizeof...(E) <= 3)
auto grid(E... extents) {
  constexpr int n = sizeof...(E);
  std::array<detail::LoopDim, n> dims{detail::loop_dim(extents)...};
  if constexpr (n == 1)
    return detail::LoopSpace<1, std::int64_t>(dims);
  else
    return detail::LoopSpace<n, std::array<std::int64_t, n>>(dims);
}

}  // namespace tilecc
