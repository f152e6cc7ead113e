#include "arch.hpp"

#include <fmt/format.h>

#include "config.hpp"

namespace tilecc::config {

ArchLimits arch_limits(const std::string& arch) {
  ArchLimits a;
  a.name = arch;
  if (arch == "sm_90" || arch == "sm_90a") return a;
  if (arch == "sm_80") {
    a.dynamic_shared_bytes = 163 * 1024;
    return a;
  }
  if (arch == "sm_86" || arch == "sm_89") {
    a.max_threads_per_sm = 1536;
    a.dynamic_shared_bytes = 99 * 1024;
    return a;
  }
  throw ConfigError(fmt::format("arch '{}': not one of sm_80, sm_86, sm_89, sm_90, sm_90a", arch));
}

}  // namespace tilecc::config
