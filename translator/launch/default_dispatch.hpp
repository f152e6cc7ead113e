// The default translation of a row kernel as a small shape dispatch: besides the default config
// (whole rows up to its full_extent), variants fitted to longer rows
// (config::default_row_extents), each taken by the launcher for the rows it holds whole, so
// that rows of 4096 or 16384 elements do not run the looped variant of a config sized for 1024.
// The same table the tuned launcher uses (config/shape_dispatch.hpp), printed the same way.
#pragma once

#include <optional>
#include <string>

#include "translator/config/shape_dispatch.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::launch {

/// The table, or nullopt for a kernel that is not a row kernel (one config, as given).
std::optional<config::ShapeDispatch> default_dispatch(const ir::Kernel& kernel, const std::string& arch);

/// The same table around a given config (--set, --config) of a row kernel that cannot walk its
/// rows in chunks (a scan: no looped variant): the config for the rows it holds, and that config
/// fitted to longer rows for longer ones, so that a configured launcher refuses no row its
/// default would run. nullopt when the config's own looped variant runs every row, or for a
/// kernel that is not a row kernel.
std::optional<config::ShapeDispatch> configured_dispatch(const ir::Kernel& kernel, const config::Config& config);

/// The config of that table a launch with these whole extents (the kernel's guarded extents'
/// values, any order) runs: what a runtime without a tuned config compiles.
config::Config default_config_for_extents(const ir::Kernel& kernel, const std::string& arch,
                                          const std::vector<std::int64_t>& whole_extents);

}  // namespace tilecc::launch
