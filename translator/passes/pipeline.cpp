#include "pipeline.hpp"

#include <fmt/format.h>

#include <array>

#include "passes.hpp"

namespace tilecc::passes {

namespace {

// The order matters: each pass reads the decisions of those above it.
constexpr std::array<PassInfo, 16> kPipeline{{
    {"check_supported", check_supported},
    {"number_sites", number_sites},
    {"loop_leading_dims", loop_leading_dims},
    {"fold_transposes", fold_transposes},
    {"specialize", specialize},
    {"tile_loops", tile_loops},
    {"assign_layout", assign_layout},
    {"defer_loop_reductions", defer_loop_reductions},
    {"chunk_reductions", chunk_reductions},
    {"match_dot_loops", match_dot_loops},
    {"map_programs", map_programs},
    {"hoist_program_atomics", hoist_program_atomics},
    {"select_accesses", select_accesses},
    {"schedule_shared_copies", schedule_shared_copies},
    {"plan_reduction_scratch", plan_reduction_scratch},
    {"select_index_compares", select_index_compares},
}};

}  // namespace

void fail(const PassContext& ctx, ir::SourceLoc at, const std::string& what, const std::string& hint) {
  throw LoweringError(fmt::format("{}:{}:{}: error: {}{}", ctx.source_file, at.line, at.column, what,
                                  hint.empty() ? "" : "\n  note: " + hint));
}

std::span<const PassInfo> pipeline() { return kPipeline; }

ir::Kernel lower(const ir::Kernel& kernel, const config::Config& config, const Target& target,
                 const LowerOptions& options) {
  config::validate(config, kernel);
  const PassContext ctx{config, target, options.specialization, kernel.source_file};
  ir::Kernel k = kernel;
  for (const PassInfo& pass : kPipeline) {
    k = pass.run(k, ctx);
    if (options.after_pass) options.after_pass(pass.name, k);
  }
  return k;
}

}  // namespace tilecc::passes
