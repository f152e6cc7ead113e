// Planted faults: a test hook that makes chosen candidates misbehave inside the bench
// worker, so a test can show that the tuner survives each way a real candidate can fail.
//
// Only the bench worker reads it, from $TILECC_TUNE_FAULTS; unset (always, outside tests)
// nothing is planted and the worker runs as written. The value is a ';'-separated list:
//
//   KIND[@remeasure]:MATCH        MATCH: FIELD=VALUE[&FIELD=VALUE...] or *
//
// KIND is what the candidate does, after its own launch:
//   fault  a kernel writes through a null pointer (illegal address: the context is poisoned)
//   hang   a kernel spins on the GPU for 10 s (past the launch cut, 5 s at most)
//   wrong  its outputs are overwritten (the check against the reference fails)
//   crash  the worker process dies (SIGKILL) before launching anything
//   stall  the worker stops answering (the tuner's request timeout kills it)
// A config matches when each FIELD of its JSON equals VALUE (JSON, or a string without its
// quotes: `pid=persistent`, `num_warps=8`, `block_sizes=[1, 1024]`); `*` matches every
// config. `@remeasure`: only when the best candidates are re-measured. The first matching
// item wins. The reference config (the worker's init) is never planted: it defines correct.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tilecc::autotune {

inline constexpr const char* kFaultPlanEnv = "TILECC_TUNE_FAULTS";

enum class FaultKind { Fault, Hang, Wrong, Crash, Stall };
const char* name(FaultKind k);

struct PlantedFault {
  FaultKind kind = FaultKind::Fault;
  bool remeasure_only = false;
  std::vector<std::pair<std::string, std::string>> fields;  // empty: every config
};
using FaultPlan = std::vector<PlantedFault>;

/// Parses a plan; throws std::invalid_argument naming the item and what is wrong.
FaultPlan parse_fault_plan(std::string_view text);
/// $TILECC_TUNE_FAULTS parsed (empty when unset); throws as parse_fault_plan, naming the variable.
FaultPlan fault_plan_from_env();
/// The fault planted in `config` (a config's JSON) for a request that is (or not) a re-measurement.
std::optional<FaultKind> planted_fault(const FaultPlan& plan, const nlohmann::json& config, bool remeasure);

}  // namespace tilecc::autotune
