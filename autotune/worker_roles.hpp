// What the tuner's worker processes do (`tilecc tune-worker --role compile|bench`).
//
// compile: {"source", "symbol", "arch", "include_dirs", "key_parts", "cache_dir"} ->
//          {"ok", "key", "lowered", "from_cache", "seconds", "error"}: NVRTC through the
//          on-disk cubin cache (runtime/cache.hpp), so the bench worker's compile_cached of the
//          same source is a cache hit; key_parts (the hash of the included headers) join the key.
// bench:   {"op": "device"} -> GPU name, compute capability, SMs, L2 size.
//          {"op": "init", "ir", "kernel", "args", "seed", "cache_dir", "reference": {"source",
//           "symbol", "arch", "include_dirs", "config"}} -> random non-zero inputs, the
//           reference's outputs.
//          {"op": "bench", "source", "symbol", "arch", "include_dirs", "key_parts", "config",
//           "dynamic_shared", "check", "target_ms", "min_reps", "max_reps", "budget_ms",
//           "slow_ms", "cut_s"} (the
//           cubin comes from the disk cache) -> {"ok", "ms" (median), "reps", "first_ms", "bad",
//           "max_err", "slow"}: outputs poisoned (NaN) before the first (checked, timed) launch,
//           compared with the reference's; then timed with CUDA events around each launch, L2
//           flushed (2x its size written) before each, target_ms / estimate repetitions within
//           [min_reps, max_reps] and at most max(3, budget_ms / estimate). A candidate whose first
//           launch takes longer than slow_ms + 1 ms, or whose estimate exceeds slow_ms, answers
//           {"ok": true, "slow": true, "ms"} untimed; a launch running past cut_s answers
//           {"ok": false, "slow": true, "exit": true}.
//          A failed launch answers {"ok": false, "exit": true}: the context may be poisoned,
//          so the tuner starts a fresh worker. "remeasure": true marks the re-measurement of the
//          best candidates. $TILECC_TUNE_FAULTS plants faults in chosen configs (a test hook:
//          fault_plan.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include "translator/ir/ir.hpp"

namespace tilecc::autotune {

nlohmann::json handle_compile(const nlohmann::json& request);
int run_compile_worker();
int run_bench_worker();

/// The NVRTC source of one candidate: the device library includes and its __global__ function.
std::string candidate_source(const std::string& global_function);

/// The bench worker's own kernels: fill<T>(T*, long long n, unsigned long long seed) and
/// compare<T>, T the CUDA type of a tensor dtype (device_type), compiled by name expression.
const char* bench_helper_source();
/// The kernels of planted faults (a test hook, fault_plan.hpp): planted_fault(volatile int*)
/// stores through its pointer, planted_hang(unsigned long long ns) spins that long.
const char* planted_fault_source();
const char* device_type(ir::DType t);

}  // namespace tilecc::autotune
