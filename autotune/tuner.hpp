// `tilecc tune` as a library: search a kernel's config space on this machine's GPU.
//
// Candidates come from a search (search.hpp) over the kernel's config space; each is
// emitted, compiled by a pool of NVRTC worker processes (through the on-disk cubin cache)
// and measured by one benchmarking worker process (worker_roles.hpp), which checks its
// outputs against the reference (the default config) before timing it. The best few are
// re-measured before the winner is chosen; the winner goes into the tuning database.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "autotune/database.hpp"
#include "autotune/launch.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::autotune {

struct TuneOptions {
  std::string effort = "full";    // quick | full
  double budget_s = 0;            // search time; 0: effort's default (quick 40 s, full 600 s)
  std::string search = "hybrid";  // random | pattern | de | hybrid
  std::uint64_t seed = 1;
  bool surrogate = false;         // differential evolution ranks 4 trials per member by a k-NN model
  int jobs = 0;                   // compile workers; 0: one per core
  std::string arch;               // empty: the GPU's
  std::string cache_dir;          // empty: runtime's default
  std::vector<std::string> include_dirs;  // for NVRTC: the device library (templates/)
  double compile_timeout_s = 0;   // per candidate; 0: effort's default (quick 30 s, full 120 s)
  double bench_timeout_s = 30;
  double slow_factor = 3;         // a candidate this much slower than the best so far is not timed further
  int remeasure = 0;              // best candidates re-measured; 0: effort's default
  int compare_random = 0;         // also measure this many random valid configs (a baseline)
  double compare_random_budget_s = 0;  // stop the sample after this many seconds (0: never)
  std::string worker_log;         // workers' stderr (empty: /dev/null)
  std::string self;               // the tilecc executable (empty: this one)
  bool specialize = true;         // false: deploy "translate" (kept for callers of the older flag)
  /// What candidates are measured as, so the recorded time is that of the code that will run:
  /// "runtime": specialized for the arguments' facts (specialization_for), as the runtime
  /// compiles a launch; "translate": the generic kernel `translate --tuned` prints;
  /// "translate-auto": the variant `translate --tuned --specialize=auto` picks for them.
  std::string deploy = "runtime";
  /// Configs measured at this shape after the search, as they are (other shapes' bests, for
  /// the shape dispatch's cross times; TuneResult::measured).
  std::vector<nlohmann::json> cross;
  bool cross_only = false;        // measure the reference and `cross` only (no search)
  int dry_run = 0;                // no GPU: emit and compile the reference and this many random
                    // valid configs for `arch` (default sm_90a, 132 SMs), measure nothing
};

/// One measured (or refused) candidate.
struct Trial {
  std::string phase;  // "search", "random"
  nlohmann::json config;
  std::string status;  // ok | slow | invalid | compile_error | wrong | failed | timeout
                       // (slow: correct but clearly slower than the best so far, ms from one launch;
                       // or past the launch cut, ms a lower bound, not checked)
  double ms = 0;  // median (re-measured value for re-measured trials)
  double at_s = 0;  // seconds since the start when it was measured
  std::string error;
};

struct TuneResult {
  nlohmann::json device;  // name, cc, arch, sms, l2_bytes
  DbKey key;
  nlohmann::json best_config;
  double best_ms = 0;
  double default_ms = 0;  // the reference (default config), re-measured beside the best
  nlohmann::json default_config;  // the reference's config
  std::vector<std::string> args;  // the arguments, as --arg spells them
  std::string deploy;  // TuneOptions::deploy
  std::vector<std::pair<nlohmann::json, double>> measured;  // TuneOptions::cross, as measured here
  double tune_seconds = 0;  // wall time of the tuning (setup, search, re-measure)
  int tried = 0, failed = 0, generations = 0;
  std::vector<Trial> trials;  // in measurement order (search, then random)
  std::vector<std::pair<double, double>> convergence;  // (seconds, best ms so far)
  // --compare-random
  int random_requested = 0, random_measured = 0;  // measured: correct and timed
  int random_slow = 0;  // correct (or past the launch cut) but clearly slower than the sample's best
  double random_best_ms = 0;  // re-measured beside the tuned best
  double tuned_best_remeasured_ms = 0;
  double random_seconds = 0;
  nlohmann::json random_best_config;
  // --dry-run
  int compiled = 0, compile_failed = 0, from_cache = 0;
  double compile_seconds = 0;  // summed over workers
  double compile_max_seconds = 0;  // the slowest candidate

  nlohmann::json to_json() const;
  /// The database entry of the best config (its details name how it was tuned).
  DbEntry db_entry(const TuneOptions& o) const;
};

/// Progress: called after each measurement with the result so far.
using Progress = std::function<void(const TuneResult&, const std::string& phase)>;

TuneResult tune(const ir::Kernel& kernel, const std::vector<ArgSpec>& args, const TuneOptions& options,
                const Progress& progress = {});

/// Tunes each shape in turn within one budget (options.budget_s for all of them, shared
/// out evenly over the shapes left), with one pool of compile workers and the cubin cache
/// shared, so a candidate whose code is the same at several shapes compiles once; then
/// measures every shape's best at every other shape (TuneResult::measured: what the shape
/// dispatch learns from). `progress` is called per shape as by tune(). Throws as tune() does.
std::vector<TuneResult> tune_shapes(const ir::Kernel& kernel, const std::vector<std::vector<ArgSpec>>& shapes,
                                    const TuneOptions& options, const Progress& progress = {});

/// The full_extent a config needs for these arguments: the next power of two of the largest
/// whole-dimension tile (`x[tm, tl::all]`), or the default config's.
std::int64_t full_extent_for(const ir::Kernel& kernel, const std::vector<ArgSpec>& bound);

/// An SVG plot of best time against elapsed seconds (step line, one dot per improvement);
/// a dashed line at `baseline_ms` when > 0.
std::string convergence_svg(const TuneResult& r, const std::string& title);

}  // namespace tilecc::autotune
