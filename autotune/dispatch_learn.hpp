// Learning a shape dispatch table (config/shape_dispatch.hpp) from tuned shapes: which few
// configs a generated launcher carries, and which extents take which.
//
// The features are the arguments' extents (every tensor size and integer scalar, one per
// distinct column over the tuned shapes). Along each feature the tuned values cut the axis
// at their geometric midpoints, and the outermost cells reach `far` times beyond the extreme
// values; each tuned shape owns the box of its cells, and shapes outside every box run the
// default config. Along an extent the kernel holds whole (rows up to a config's full_extent),
// a box is cut where a carried config stops holding the rows whole: the part holding the
// tuned shape runs its pick, the others the config that holds their rows whole with the
// least to spare (nearest winner first), never a looped variant while a config holds them.
// Where the tuning GPU's L2 is recorded, a part whose rows no config holds with the shape's
// pick but one holds whole, leaving half its lanes idle or more, gets a row before it for
// tensors within L2 ("x.nbytes()"): the config with the shortest chunks walks the rows, its
// second read of a row hitting L2 (at
// 3000x6000 bf16 on an H100, 1.9x faster than the 16384-wide config holding the rows with 63%
// of its lanes idle; at 6000x12000, 144 MB, the chunks' second read goes to DRAM and the
// whole-row config wins by 1.4x). Neighbouring parts taking the same config merge into one row. When more
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
  std::int64_t l2_bytes = 0;  // the tuning GPU's L2 (0: not recorded)
};

/// The tuned shape a database entry records (its details' "args", "default_ms" and
/// "measured"), bound to `kernel`'s parameters. Throws std::invalid_argument naming what is missing.
TunedShape tuned_shape_of(const ir::Kernel& kernel, const DbEntry& entry);

struct DispatchOptions {
  int max_configs = 4;      // tuned configs a launcher carries (the default comes on top)
  double far = 4;           // how far beyond the extreme tuned extents rows reach (factor)
  std::string arch;         // the default config's arch
};

/// The features of a kernel's arguments: each tensor's sizes ("x.size(1)") and bytes
/// ("x.nbytes()") and each integer scalar ("n"), with their values for `bound`.
std::vector<std::pair<std::string, std::int64_t>> shape_features(const ir::Kernel& kernel,
                                                                 const std::vector<ArgSpec>& bound);

/// The table for `shapes` (at least one). Deterministic: the same shapes in any order give the
/// same table. Throws std::invalid_argument when a shape's arguments do not fit the kernel.
config::ShapeDispatch learn_dispatch(const ir::Kernel& kernel, const std::vector<TunedShape>& shapes,
                                     const DispatchOptions& options);

}  // namespace tilecc::autotune
