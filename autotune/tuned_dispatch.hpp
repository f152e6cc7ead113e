// `translate --tuned` over several tuned shapes: the database's shapes of a kernel, the
// dispatch table learned from them (dispatch_learn.hpp) and its header comment.
#pragma once

#include <optional>
#include <string>

#include "autotune/database.hpp"
#include "translator/config/shape_dispatch.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::autotune {

struct TunedDispatch {
  config::ShapeDispatch table;
  std::string comment;  // "// tilecc: tuned shapes from <db> ...", lines ending in '\n'
};

/// The dispatch for `kernel` when the database holds at least two of its shapes (see
/// find_tuned_shapes), with at most `max_configs` tuned configs; nullopt otherwise (one
/// shape or none: find_tuned's single config). Throws std::invalid_argument (a damaged
/// entry) or DbError.
std::optional<TunedDispatch> find_tuned_dispatch(const ir::Kernel& kernel, const TuningDb& db, const std::string& arch,
                                                 const std::string& deploy, const std::string& spec_filter,
                                                 int max_configs);

}  // namespace tilecc::autotune
