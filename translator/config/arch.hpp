// What each GPU generation allows a kernel: threads, shared memory, registers. The
// resource analysis refuses configs over these limits; the config space samples within them.
#pragma once

#include <string>

namespace tilecc::config {

/// What a GPU generation allows; limits used by the resource analysis and the config space.
struct ArchLimits {
  std::string name;                         // "sm_80", "sm_90a"
  int max_threads_per_block = 1024;
  int max_threads_per_sm = 2048;
  int static_shared_bytes = 48 * 1024;      // static __shared__ per block
  int dynamic_shared_bytes = 227 * 1024;    // shared memory per block a kernel may opt in to
  int max_registers_per_thread = 255;
  int registers_per_sm = 64 * 1024;         // the register file min_blocks_per_sm divides
};
/// Limits of "sm_80" or "sm_90a" (also "sm_86", "sm_89", "sm_90"); throws ConfigError otherwise.
ArchLimits arch_limits(const std::string& arch);

}  // namespace tilecc::config
