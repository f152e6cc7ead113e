// Tensors: strided views of memory the kernel reads and writes.
//
// `x[tm, tk]` selects a region (a tile per TileIndex, one index per integer,
// the whole extent per `all`, gathered rows per integer tile) and yields a
// TileRef: a tile value loaded at that point that can also be stored to
// (`out[tm, tn] = v`) or atomically added to. Eager mode checks every index
// against the tensor's sizes; the GPU version masks instead.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "tilecc/lang/loops.hpp"
#include "tilecc/lang/tile_value.hpp"

namespace tilecc {

/// Index meaning "the whole extent of this dimension".
struct All {};
inline constexpr All all{};

template <class T> class TileRef;

namespace detail {
/// Where one dimension of a TileRef reads: an element offset per position.
struct RefDim {
  std::vector<std::int64_t> offsets;
};

[[noreturn]] inline void index_error(int dim, std::int64_t index, std::int64_t size) {
  throw ShapeError("tilecc: index " + std::to_string(index) + " out of range for dimension " + std::to_string(dim) +
                   " of size " + std::to_string(size));
}
}  // namespace detail

/// A strided view of T elements with rank R (1-4). T may be const.
template <class T, int R> class Tensor {
  static_assert(R >= 1 && R <= kMaxRank, "tilecc::Tensor: rank must be 1 to 4");
  static_assert(is_dtype_v<std::remove_const_t<T>>, "tilecc::Tensor: T must be a tilecc dtype");

 public:
  using element_type = T;
  using value_type = std::remove_const_t<T>;
  static constexpr int rank = R;

  Tensor() = default;
  /// A contiguous (row-major) tensor.
  Tensor(T* data, std::array<std::int64_t, R> sizes) : data_(data), sizes_(sizes) {
    std::int64_t s = 1;
    for (int d = R - 1; d >= 0; --d) {
      strides_[d] = s;
      s *= sizes_[d];
    }
    check_sizes();
  }
  /// A tensor with explicit strides, in elements.
  Tensor(T* data, std::array<std::int64_t, R> sizes, std::array<std::int64_t, R> strides)
      : data_(data), sizes_(sizes), strides_(strides) {
    check_sizes();
  }
  /// A mutable tensor converts to a const one.
  template <class U>
    requires(std::is_const_v<T> && std::is_same_v<std::remove_const_t<T>, U>)
  Tensor(const Tensor<U, R>& o) : data_(o.data()), sizes_(o.sizes()), strides_(o.strides()) {}

  T* data() const { return data_; }
  std::int64_t size(int d) const { return sizes_[check_dim(d)]; }
  std::int64_t stride(int d) const { return strides_[check_dim(d)]; }
  const std::array<std::int64_t, R>& sizes() const { return sizes_; }
  const std::array<std::int64_t, R>& strides() const { return strides_; }
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (std::int64_t s : sizes_) n *= s;
    return n;
  }

  /// Selects a region: one index per dimension (TileIndex, integer, all, or
  /// a rank-1 integer tile to gather).
  template <class... I> TileRef<T> operator[](const I&... idx) const {
    static_assert(sizeof...(I) == R, "tilecc::Tensor: index every dimension (use tilecc::all)");
    TileRef<T> ref(data_);
    int d = 0;
    (ref.add_index(d++, idx, sizes_, strides_), ...);
    ref.load();
    return ref;
  }

 private:
  int check_dim(int d) const {
    const int n = d < 0 ? d + R : d;
    if (n < 0 || n >= R)
      throw ShapeError("tilecc: dimension " + std::to_string(d) + " out of range for a rank-" + std::to_string(R) +
                       " tensor");
    return n;
  }
  void check_sizes() const {
    for (std::int64_t s : sizes_)
      if (s < 0) throw ShapeError("tilecc::Tensor: negative size");
  }
  T* data_ = nullptr;
  std::array<std::int64_t, R> sizes_{};
  std::array<std::int64_t, R> strides_{};
};

/// A region of a tensor: the tile value read from it, plus where it lives.
template <class T> class TileRef : public Tile<std::remove_const_t<T>> {
  using V = std::remove_const_t<T>;
  using Base = Tile<V>;

 public:
  TileRef(const TileRef&) = default;

  /// Stores a tile (broadcast to this region's shape, converted to T).
  template <class U> TileRef& operator=(const Tile<U>& v) {
    static_assert(!std::is_const_v<T>, "tilecc: cannot store into a Tensor<const T>");
    const Tile<U> b = detail::broadcast_to(v, this->shape_);
    for (std::int64_t i = 0; i < this->numel(); ++i) {
      const V x = convert<V>(b.at(i));
      *address(i) = x;
      this->set(i, x);
    }
    return *this;
  }
  TileRef& operator=(const TileRef& v) { return *this = static_cast<const Base&>(v); }
  template <plain_number S> TileRef& operator=(S s) { return *this = Tile<V>::scalar(convert<V>(s)); }
  template <class U> TileRef& operator+=(const Tile<U>& v) { return *this = static_cast<const Base&>(*this) + v; }
  template <class U> TileRef& operator-=(const Tile<U>& v) { return *this = static_cast<const Base&>(*this) - v; }
  template <class U> TileRef& operator*=(const Tile<U>& v) { return *this = static_cast<const Base&>(*this) * v; }
  template <class U> TileRef& operator/=(const Tile<U>& v) { return *this = static_cast<const Base&>(*this) / v; }
  template <plain_number S> TileRef& operator+=(S s) { return *this += Tile<V>::scalar(convert<V>(s)); }
  template <plain_number S> TileRef& operator-=(S s) { return *this -= Tile<V>::scalar(convert<V>(s)); }
  template <plain_number S> TileRef& operator*=(S s) { return *this *= Tile<V>::scalar(convert<V>(s)); }
  template <plain_number S> TileRef& operator/=(S s) { return *this /= Tile<V>::scalar(convert<V>(s)); }

  /// The element a read of single elements holds (`offsets[i]`), usable where a number is:
  /// loop bounds (`tl::range(offsets[i], offsets[i + 1])`) and index arithmetic.
  operator V() const {
    if (this->numel() != 1)
      throw ShapeError("tilecc: a tile of " + std::to_string(this->numel()) +
                       " elements is used as a number; index every dimension with a number");
    return this->at(0);
  }

  /// Keeps the larger (greater) or smaller value of memory and v element by element, NaN
  /// winning (what atomic_max / atomic_min do in eager mode).
  template <class U> void extremum_in_place(const Tile<U>& v, bool greater) {
    static_assert(!std::is_const_v<T>, "tilecc: cannot atomic_max / atomic_min into a Tensor<const T>");
    const Tile<U> b = detail::broadcast_to(v, this->shape_);
    using C = compute_t<promote_t<V, U>>;
    for (std::int64_t i = 0; i < this->numel(); ++i) {
      V* p = address(i);
      const C old = convert<C>(*p), x = convert<C>(b.at(i));
      if (old == old && (x != x || (greater ? x > old : x < old))) *p = convert<V>(x);
    }
  }

  /// Adds v into memory element by element (what atomic_add does in eager mode). A position a
  /// gathered index names twice receives both values.
  template <class U> void add_in_place(const Tile<U>& v) {
    static_assert(!std::is_const_v<T>, "tilecc: cannot atomic_add into a Tensor<const T>");
    const Tile<U> b = detail::broadcast_to(v, this->shape_);
    using C = compute_t<promote_t<V, U>>;
    for (std::int64_t i = 0; i < this->numel(); ++i) {
      V* p = address(i);
      *p = convert<V>(convert<C>(*p) + convert<C>(b.at(i)));
    }
  }

 private:
  template <class, int> friend class Tensor;
  explicit TileRef(T* base) : base_(base) {}

  template <std::size_t R>
  void add_index(int d, const TileIndex& t, const std::array<std::int64_t, R>& sizes,
                 const std::array<std::int64_t, R>& strides) {
    if (t.begin() < 0 || t.end() > sizes[d]) detail::index_error(d, t.end() - 1, sizes[d]);
    add_dim(t.begin(), t.size(), strides[d]);
  }
  template <std::size_t R>
  void add_index(int d, All, const std::array<std::int64_t, R>& sizes, const std::array<std::int64_t, R>& strides) {
    add_dim(0, sizes[d], strides[d]);
  }
  template <class I, std::size_t R>
    requires std::is_integral_v<I>
  void add_index(int d, I i, const std::array<std::int64_t, R>& sizes, const std::array<std::int64_t, R>& strides) {
    const auto idx = static_cast<std::int64_t>(i);
    if (idx < 0 || idx >= sizes[d]) detail::index_error(d, idx, sizes[d]);
    base_ += idx * strides[d];
  }
  template <class I, std::size_t R>
    requires is_integer_v<I>
  void add_index(int d, const Tile<I>& t, const std::array<std::int64_t, R>& sizes,
                 const std::array<std::int64_t, R>& strides) {
    if (t.rank() != 1) throw ShapeError("tilecc: a tile used as an index must have rank 1");
    detail::RefDim dim;
    for (std::int64_t i = 0; i < t.numel(); ++i) {
      const auto idx = static_cast<std::int64_t>(t.at(i));
      if (idx < 0 || idx >= sizes[d]) detail::index_error(d, idx, sizes[d]);
      dim.offsets.push_back(idx * strides[d]);
    }
    push(std::move(dim));
  }
  void add_dim(std::int64_t begin, std::int64_t n, std::int64_t stride) {
    detail::RefDim dim;
    dim.offsets.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) dim.offsets.push_back((begin + i) * stride);
    push(std::move(dim));
  }
  void push(detail::RefDim dim) {
    if (rank_ == kMaxRank) throw ShapeError("tilecc: tiles have at most 4 dimensions");
    dims_[rank_++] = std::move(dim);
  }
  void load() {
    Shape shape;
    for (int d = 0; d < rank_; ++d) shape.push_back(static_cast<std::int64_t>(dims_[d].offsets.size()));
    static_cast<Base&>(*this) = Base(shape);
    for (std::int64_t i = 0; i < this->numel(); ++i) this->set(i, *address(i));
  }
  T* address(std::int64_t flat) const {
    std::int64_t off = 0;
    for (int d = rank_ - 1; d >= 0; --d) {
      const auto n = static_cast<std::int64_t>(dims_[d].offsets.size());
      off += dims_[d].offsets[static_cast<std::size_t>(flat % n)];
      flat /= n;
    }
    return base_ + off;
  }

  T* base_;
  int rank_ = 0;
  std::array<detail::RefDim, kMaxRank> dims_{};
};

}  // namespace tilecc
