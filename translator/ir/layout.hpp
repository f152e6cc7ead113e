// Where a tile's elements lie once assign_layout has decided the kernel's Layout: which
// tile dimensions run down fragment rows and which along columns, and the compile-time
// extent of each. Pure functions of the IR; passes, analyses and the printer share them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ir.hpp"

namespace tilecc::ir {

/// The Layout::axes key of a dimension: its loop variable, or "<whole>" for whole extents.
inline std::string axis_key(const Dim& d) { return d.kind == Dim::Kind::Tile ? d.var : "<whole>"; }

/// The axis a dimension lies on; dimensions no 2-D tile places lie along columns.
inline Axis axis_of(const Layout& l, const Dim& d) {
  const auto it = l.axes.find(axis_key(d));
  return it == l.axes.end() ? Axis::Col : it->second;
}

/// The compile-time extent of a dimension: its block, the whole extent, or 1.
inline std::int64_t extent_of(const Layout& l, const Dim& d) {
  switch (d.kind) {
    case Dim::Kind::Tile: return l.blocks.at(d.var);
    case Dim::Kind::Full:
    case Dim::Kind::Expr: return l.whole_extent;
    case Dim::Kind::One: return 1;
  }
  return 1;
}

/// The physical (rows, cols) of a fragment holding a tile of this shape (rank <= 2).
inline std::pair<std::int64_t, std::int64_t> physical(const Layout& l, const std::vector<Dim>& s) {
  if (s.empty()) return {1, 1};
  if (s.size() == 1) {
    if (s[0].kind == Dim::Kind::One) return {1, 1};
    return axis_of(l, s[0]) == Axis::Row ? std::pair{extent_of(l, s[0]), std::int64_t{1}}
                                         : std::pair{std::int64_t{1}, extent_of(l, s[0])};
  }
  if (s.size() == 2) return {extent_of(l, s[0]), extent_of(l, s[1])};
  throw std::logic_error("ir::physical: a tile of rank 3 or more (assign_layout refuses these)");
}

/// 32-bit registers per thread of an r x c fragment of t (Frag's elements per thread).
inline std::int64_t fragment_registers(const Layout& l, DType t, std::int64_t r, std::int64_t c) {
  const std::int64_t tc = l.threads_per_row, tr = std::max<std::int64_t>(1, l.threads / tc);
  const std::int64_t er = r >= tr ? r / tr : 1, ec = c >= tc ? c / tc : 1;
  return (er * ec * size_bytes(t) + 3) / 4;
}

/// Elements one thread holds contiguously along a row of an r x c fragment (Frag::vec).
inline std::int64_t fragment_vector(const Layout& l, std::int64_t c) {
  const std::int64_t tc = l.threads_per_row;
  return c >= tc ? std::min<std::int64_t>(8, c / tc) : 1;
}

}  // namespace tilecc::ir
