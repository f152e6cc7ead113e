// A shape dispatch table: which of a few configs a generated launcher runs for the extents it
// sees. The table is data, decided elsewhere (autotune/dispatch_learn.hpp learns it from tuned
// shapes); the CUDA printer only prints it (codegen/emit_dispatch.hpp), so what a launcher
// picks can be tested without reading C++.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "translator/config/config.hpp"

namespace tilecc::config {

struct ShapeDispatch {
  /// The extents rows test, as host expressions over the launcher's parameters: "x.size(1)", "n".
  std::vector<std::string> features;

  struct Choice {
    Config config;
    std::string note;  // one comment line: where it was best ("best at 1024x512, 8192x512")
    /// Every row taking it holds its whole extents within its full_extent: no looped variant.
    bool holds_its_rows = false;
  };
  /// The tuned configs rows may pick (at most the K asked for), by index.
  std::vector<Choice> configs;
  /// Shapes no row covers run this one (the kernel's default config).
  Config fallback;
  /// What the fallback's launcher comment says it is for, and the comment on its line of the table.
  std::string fallback_note = "the default config, for shapes far from every tuned one";
  std::string fallback_comment = "far from every tuned shape";

  /// [lo, hi) of one feature.
  struct Range {
    std::int64_t lo = 0, hi = 0;
  };
  struct Row {
    std::vector<Range> ranges;  // one per feature
    int config = -1;            // index into configs; -1: the fallback
    std::string comment;        // the tuned shapes it covers and their times
  };
  /// Tried in order; the first whose every range holds its feature is taken.
  std::vector<Row> rows;

  /// Comment lines above the dispatching launcher (where the table came from), without "// ".
  std::vector<std::string> header;

  /// The row a shape takes (-1: none, the fallback runs): what the printed launcher does,
  /// for tests and for a runtime that dispatches on the same table.
  int row_for(const std::vector<std::int64_t>& extents) const {
    for (std::size_t r = 0; r < rows.size(); ++r) {
      bool inside = extents.size() == features.size();
      for (std::size_t f = 0; inside && f < features.size(); ++f)
        inside = extents[f] >= rows[r].ranges[f].lo && extents[f] < rows[r].ranges[f].hi;
      if (inside) return static_cast<int>(r);
    }
    return -1;
  }
};

}  // namespace tilecc::config
