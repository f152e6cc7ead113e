// A kernel's config: the choices codegen makes that do not change results.
//
// JSON form: {"block_sizes": [64, 32], "num_warps": 4, "full_extent": 4096}
// - block_sizes: one power of two per tunable tile dimension (the kernel's
//   block_sizes slots, in order);
// - num_warps: warps per block (1-32, power of two);
// - full_extent: compile-time bound (power of two) on every whole-dimension
//   tile (`x[tm, tl::all]`) and arange; the launcher refuses larger inputs;
// - min_blocks_per_sm: 0, or the blocks per SM to leave registers for (a
//   register cap through __launch_bounds__);
// - pid: "flat" (one block per program) or "persistent" (SM count x
//   programs_per_sm blocks loop over the programs; with prefetch, loads of
//   const tensors for the next program are issued before this one computes);
// - threads_per_row: threads laid across a tile row (power of two, at most the
//   block's threads); 0 lets codegen choose (one 16-byte vector per thread
//   across the widest row). 32 gives a warp per row: reductions need no
//   shared memory.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "translator/ir/ir.hpp"

namespace tilecc::codegen {

/// An invalid config; the message names the field.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  std::vector<std::int64_t> block_sizes;
  int num_warps = 4;
  std::int64_t full_extent = 1024;
  int min_blocks_per_sm = 0;
  bool persistent = false;   // "pid": "persistent" (else "flat")
  int programs_per_sm = 2;   // persistent grid: SM count x this
  bool prefetch = true;      // persistent: load the next program's tiles early
  int threads_per_row = 0;   // 0: chosen by codegen

  std::string to_json() const;
};

/// Parses and validates a config against the kernel's block-size slots.
Config parse_config(const std::string& json, const ir::Kernel& kernel);
/// Validates field by field; throws ConfigError naming the first bad field.
void validate(const Config& c, const ir::Kernel& kernel);
/// A reasonable default: square-ish 2-D tiles, long rows for 1-D, 4 warps.
Config default_config(const ir::Kernel& kernel);

}  // namespace tilecc::codegen
