// The runtime's config source backed by the tuning database (runtime::ConfigProvider).
//
//   namespace rt = tilecc::runtime;
//   tilecc::autotune::TunedConfigsOptions o;
//   o.tune_on_miss = true;  // optional: needs a GPU and the tilecc executable ($TILECC_BIN)
//   rt::KernelOptions ko;
//   ko.configs = std::make_shared<tilecc::autotune::TunedConfigs>(o);
//   rt::Kernel softmax = rt::Kernel::from_ir_file("softmax.json", "softmax_bf16", ko);
//
// For the first launch of each runtime key, TunedConfigs derives the database key that
// `tilecc tune` records for the same arguments (tuning_key: kernel source hash, kernel, the
// arguments' spec, GPU name and compute capability, tilecc version, config-space fingerprint)
// and answers the stored best config. On a miss it answers the config of the nearest tuned
// shape's bucket (the shape dispatch `translate --tuned` prints, learned from the entries of
// this kernel and GPU), or nothing (the default config) when the launch is far from them; or,
// with tune_on_miss, runs the tuner for these arguments (quick effort, bounded budget),
// records the result in the database (atomically, as `tilecc tune` does) and answers it; the
// next launch, Kernel or process finds it there without tuning.
//
// The tuner measures contiguous (row-major), 16-byte aligned tensors, so only launches whose
// tensors are such are looked up or tuned; others take the default config.
//
// Tuning runs the tuner's worker processes (`tilecc tune-worker`), so it needs the tilecc
// executable of this version: TunedConfigsOptions::tilecc, else $TILECC_BIN, else `tilecc`
// on $PATH (find_tilecc). Tuning is serialized across threads and processes by a lock beside
// the database (measurements on one GPU would disturb each other); whoever waited reads the
// database again before tuning. It happens inside Kernel::launch (under the kernel's lock):
// that launch takes seconds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "autotune/database.hpp"
#include "autotune/launch.hpp"
#include "runtime/kernel.hpp"

namespace tilecc::autotune {

/// Tuning on first use cannot run (no GPU, no tilecc executable) or failed; the message says why.
struct TuneError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TunedConfigsOptions {
  std::filesystem::path db;        // empty: TuningDb::default_path() ($TILECC_TUNE_DB, ...)
  std::string gpu, cc;             // the GPU the key names ("NVIDIA H200", "9.0"); empty: this one's
  bool tune_on_miss = false;  // tune on a database miss (else: the nearest tuned shape's, or the default config)
  /// On a miss without tune_on_miss: the config of the tuned shape whose bucket holds the launch's
  /// extents, by the table `translate --tuned` prints over this GPU's tuned shapes (dispatch_learn.hpp).
  bool nearest_shape = true;
  int dispatch_configs = 4;  // as translate's --dispatch-configs
  // Tuning on first use:
  std::string tilecc;  // the tilecc executable; empty: $TILECC_BIN, then $PATH
  std::string effort = "quick";  // quick | full
  double budget_s = 20;  // seconds of search (setup and re-measuring come on top)
  int jobs = 0;  // NVRTC worker processes; 0: one per core
  std::filesystem::path cache_dir;  // the workers' cubin cache; empty: the runtime's default
  std::string worker_log;  // the workers' stderr; empty: discarded
  bool verbose = true;  // a line on stderr before and after each tuning
};

struct TunedConfigsStats {
  long asked = 0;  // keys the runtime asked about
  long found = 0;  // answered from the database
  long tuned = 0;  // tuned on first use (then recorded)
  long nearest = 0;  // answered by the bucket of the nearest tuned shape (nearest_shape)
  long defaults = 0;  // answered nothing: the default config
};

class TunedConfigs final : public runtime::ConfigProvider {
 public:
  explicit TunedConfigs(TunedConfigsOptions options = {});
  /// Throws DbError (unreadable or malformed database, a stored config the kernel cannot
  /// take) and TuneError (no GPU to key or tune on, no tilecc executable, the tuning failed).
  std::optional<config::Config> config_for(const runtime::ConfigQuery& query) override;
  TunedConfigsStats stats() const;
  const TuningDb& db() const { return db_; }

 private:
  config::Config tune(const runtime::ConfigQuery& query, const DbKey& key);
  std::optional<config::Config> nearest(const runtime::ConfigQuery& query, const std::string& gpu,
                                        const std::string& cc) const;
  void count(long TunedConfigsStats::*field);
  TunedConfigsOptions options_;
  TuningDb db_;
  mutable std::mutex mutex_;  // guards stats_
  TunedConfigsStats stats_;
};

/// The tuner's arguments (`--arg` form, bound to the kernel's parameters) for launch arguments;
/// float scalars as the float the kernel receives, written shortest (1e-5f -> 1e-05, as
/// `--arg eps=1e-5` parses).
std::vector<ArgSpec> arg_specs_for(const ir::Kernel& kernel, std::span<const runtime::Arg> args);

/// The database key `tilecc tune` records for these launch arguments on GPU `gpu` of compute
/// capability `cc`, or nothing when a tensor is not contiguous row-major and 16-byte aligned
/// (the tuner measures only such tensors).
std::optional<DbKey> db_key_for(const ir::Kernel& kernel, std::span<const runtime::Arg> args, const std::string& gpu,
                                const std::string& cc);

/// The tilecc executable that tuning on first use starts workers of: `given`, else
/// $TILECC_BIN, else `tilecc` on $PATH; it must run and report this tilecc version. Throws
/// TuneError saying what is missing or wrong.
std::string find_tilecc(const std::string& given = {});

}  // namespace tilecc::autotune
