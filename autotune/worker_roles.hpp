// What the tuner's worker processes do (`tilecc tune-worker --role compile|bench`).
//
// compile: {"source", "symbol", "arch", "include_dirs", "cache_dir"} ->
//          {"ok", "key", "lowered", "from_cache", "seconds", "error"}: NVRTC through the
//          on-disk cubin cache (runtime/cache.hpp), so the bench worker's compile_cached of the
//          same source is a cache hit.
// bench:   {"op": "device"} -> GPU name, compute capability, SMs, L2 size.
//          {"op": "init", "ir", "kernel", "args", "seed", "cache_dir", "reference": {"source",
//           "symbol", "arch", "include_dirs", "config"}} -> random non-zero inputs, the
//           reference's outputs.
//          {"op": "bench", "source", "symbol", "arch", "include_dirs", "config", "check",
//           "target_ms", "min_reps", "max_reps"} (the cubin comes from the disk cache) -> {"ok", "ms" (median), "reps", "bad", "max_err"}: outputs poisoned
//           (NaN) before the checked run, compared with the reference's; timed with CUDA
//           events around each launch, L2 flushed (2x its size written) before each.
//          A failed launch answers {"ok": false, "exit": true}: the context may be poisoned,
//          so the tuner starts a fresh worker.
#pragma once

#include <nlohmann/json.hpp>

namespace tilecc::autotune {

nlohmann::json handle_compile(const nlohmann::json& request);
int run_compile_worker();
int run_bench_worker();

/// The NVRTC source of one candidate: the device library includes and its __global__ function.
std::string candidate_source(const std::string& global_function);

}  // namespace tilecc::autotune
