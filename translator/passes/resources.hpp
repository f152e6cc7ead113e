// What a lowered kernel needs of the GPU: static and dynamic shared memory, registers of its
// largest fragment, and the config knobs that cannot take effect. Computed from the IR once,
// and used by translate (refusing a config over the limits before printing), the config
// space's check, the tuner and the runtime.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "translator/config/arch.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::passes {

struct Resources {
  int shared_bytes = 0;          // static shared memory of the library calls the kernel makes
  int dynamic_shared_bytes = 0;  // dynamic shared memory the launcher asks for (deep dot pipelines)
  std::string shared_what;       // the largest user of it
  int fragment_registers = 0;    // 32-bit registers per thread of the largest register tile
  std::string fragment_what;     // that tile
  int unspillable_registers = 0; // 32-bit registers per thread of wgmma accumulators (never spilled)
  std::string vector_conflict;   // a load/store the config asks to vectorize that cannot be ('' if none)
  std::string stages_conflict;   // pipeline stages the config asks for that the dot loop cannot have
  // Per tile load / store site: its fragment is one column wide, so it is moved element by
  // element whatever load_vectors / store_vectors say.
  std::vector<bool> load_rows_only, store_rows_only;
  // Per tile store site: written by dot_loop_store straight from the mma registers (no store_tma).
  std::vector<bool> store_from_dot;
  int prefetchable_loads = 0;  // loads a persistent program can issue for the next one (prefetch)
};

/// The resources of a kernel lowered by lower(). `with_second_scratch`: count the second
/// reduction buffer when plan_reduction_scratch has chosen it.
Resources analyze_resources(const ir::Kernel& lowered);

/// Why the lowered kernel cannot run on the arch under this config (shared memory, threads,
/// registers of min_blocks_per_sm, knobs that cannot apply), or nothing.
std::optional<std::string> over_limits(const ir::Kernel& lowered, const Resources& r, const config::ArchLimits& arch);

}  // namespace tilecc::passes
