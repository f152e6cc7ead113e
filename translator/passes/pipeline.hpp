// lower(): the tile IR of a kernel and a config in, the IR with every lowering decision
// recorded out, for the CUDA printer (translator/codegen) and the analyses (resources.hpp).
#pragma once

#include <functional>
#include <span>
#include <string>

#include "pass.hpp"

namespace tilecc::passes {

struct PassInfo {
  const char* name;  // as --print-ir-after takes it
  ir::Kernel (*run)(const ir::Kernel&, const PassContext&);
};

/// Every pass, in the order lower() runs them.
std::span<const PassInfo> pipeline();

struct LowerOptions {
  config::Specialization specialization;
  /// Called after each pass with its name and result (--print-ir-after-all).
  std::function<void(const char* pass, const ir::Kernel&)> after_pass;
};

/// Runs the pipeline. Throws LoweringError (unsupported code) or config::ConfigError (a
/// config that cannot apply to this kernel or target).
ir::Kernel lower(const ir::Kernel& kernel, const config::Config& config, const Target& target,
                 const LowerOptions& options = {});

}  // namespace tilecc::passes
