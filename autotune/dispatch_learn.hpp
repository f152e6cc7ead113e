// Learning a shape dispatch table (config/shape_dispatch.hpp) from tuned shapes: which few
// configs a generated launcher carries, and which extents take which.
//
// The features are the arguments' extents (every tensor size and integer scalar, one per
// distinct column over the tuned shapes). Along each feature the tuned values cut the axis
// at their geometric midpoints, and the outermost cells reach `far` times beyond the extreme
// values; each tuned shape owns the box of its cells, and shapes outside every box run the
// default config. Along an extent the kernel holds whole (rows up to a config's full_extent),
// a box is cut where a carried config stops holding the rows whole, and where it would fill
// less than half its lanes: the part holding the tuned shape runs its pick, the others the
// config that holds their rows whole with the least to spare (nearest winner first). Rows
// that config would fill less than half are walked by the carried config with the shortest
// chunks instead (one that marks no load evict-first first, then the nearest winner), each
// row read twice, the second time from L2 (bf16 layer_norm on an H100: at 3000x6000 and
// 12000x6000 a 1024-wide config walking is 2.2x and 2.3x faster than the 16384-wide one
// holding the rows; at 6000x12000 and 1500x12000, 73% full, holding wins).
// Neighbouring parts taking the same config merge into one row. When more
// distinct configs won than `max_configs`, configs are chosen greedily to lose the least time
// over the tuned shapes (measured cross times where the tuner took them), and each shape takes
// the fastest chosen one, or the default when that is faster.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "autotune/database.hpp"
#include "autotune/launch.hpp"
#include "translator/config/shape_dispatch.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::autotune {

/// One tuned shape, as the database records it.
struct TunedShape {
  std::vector<ArgSpec> args;  // bound to the kernel's parameters (in their order)
  nlohmann::json best_config;
  double best_ms = 0;
  double default_ms = 0;          // the tuner's default config measured in the same run (0: not measured)
  nlohmann::json default_config;  // that config (its full_extent fitted to the shape: not always the fallback)
  /// Other configs measured at this shape (the other shapes' bests), with their times.
  std::vector<std::pair<nlohmann::json, double>> measured;
};

/// The tuned shape a database entry records (its details' "args", "default_ms" and
/// "measured"), bound to `kernel`'s parameters. Throws std::invalid_argument naming what is missing.
TunedShape tuned_shape_of(const ir::Kernel& kernel, const DbEntry& entry);

struct DispatchOptions {
  int max_configs = 4;      // tuned configs a launcher carries (the default comes on top)
  double far = 4;           // how far beyond the extreme tuned extents rows reach (factor)
  std::string arch;         // the default config's arch
};

/// The features of a kernel's arguments: each tensor's sizes ("x.size(1)") and each integer
/// scalar ("n"), with their values for `bound`.
std::vector<std::pair<std::string, std::int64_t>> shape_features(const ir::Kernel& kernel,
                                                                 const std::vector<ArgSpec>& bound);

/// The table for `shapes` (at least one). Deterministic: the same shapes in any order give the
/// same table. Throws std::invalid_argument when a shape's arguments do not fit the kernel.
config::ShapeDispatch learn_dispatch(const ir::Kernel& kernel, const std::vector<TunedShape>& shapes,
                                     const DispatchOptions& options);

}  // namespace tilecc::autotune
