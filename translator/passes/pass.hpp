// What every lowering pass receives, and how a pass refuses a kernel.
#pragma once

#include <stdexcept>
#include <string>

#include "translator/config/config.hpp"
#include "translator/config/specialization.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::passes {

/// The GPU generation lowered for.
struct Target {
  std::string arch = "sm_90a";  // "sm_80", "sm_90a", ...
};

/// The inputs of the pipeline that are not IR.
struct PassContext {
  const config::Config& config;
  Target target;
  config::Specialization specialization;  // facts of the arguments; empty: the generic variant
  std::string source_file;  // for messages
};

/// The kernel uses something the CUDA backend cannot express, or the config cannot apply to
/// it. The message names the source position (file:line:col), what, and what to write instead.
struct LoweringError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Throws LoweringError "file:line:col: error: what" with an optional note.
[[noreturn]] void fail(const PassContext& ctx, ir::SourceLoc at, const std::string& what, const std::string& hint = "");

}  // namespace tilecc::passes
