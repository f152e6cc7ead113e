// The tuning database: the best measured config per (kernel source, kernel, argument
// specialization, GPU, compute capability, tilecc version, config-space fingerprint).
//
// One JSON file (default $TILECC_TUNE_DB, else the cubin cache folder's tuning.json):
//   {"version": 1, "entries": {"<key>": {"key_fields": {...}, "config": {...}, "ms": ...}}}
// Updates are read-modify-write under an exclusive flock on "<file>.lock", written to a
// temporary file and renamed over the database, so concurrent tuners never lose or tear
// an entry and readers (no lock) see the old or the new file, never a partial one.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "translator/ir/ir.hpp"

namespace tilecc::autotune {

/// The database file cannot be read, written or understood; the message names the file and
/// what is wrong.
struct DbError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DbKey {
  std::string source_hash;   // of the kernel's serialized IR (same from .tile.cpp and from .json)
  std::string kernel;        // "matmul<tilecc::bf16>"
  std::string spec;          // launch.hpp's spec_key
  std::string gpu;           // "NVIDIA H200"
  std::string cc;            // "9.0"
  std::string version;       // tilecc version
  std::string space;         // ConfigSpace::fingerprint()

  nlohmann::json to_json() const;
  static DbKey from_json(const nlohmann::json& j);
  std::string hash() const;  // the entry's name in the file: 32 hex digits
  /// Human-readable form, for header comments: "matmul<tilecc::bf16> | x:bf16[...] | NVIDIA H200 (9.0) | …".
  std::string describe() const;
};

/// The key `tilecc tune` records for `kernel` measured with arguments `spec` (launch.hpp's
/// spec_key) on GPU `gpu` of compute capability `cc`: this tilecc's version, the kernel's
/// source hash and its config space's fingerprint (the space without the shapes' full_extent,
/// as translate --tuned derives it).
DbKey tuning_key(const ir::Kernel& kernel, const std::string& spec, const std::string& gpu, const std::string& cc);

/// Hash of a kernel's IR alone (the module's file name left out).
std::string kernel_source_hash(const ir::Kernel& kernel);
/// "softmax<tilecc::bf16>" or "softmax".
std::string kernel_display_name(const ir::Kernel& kernel);

struct DbEntry {
  DbKey key;
  nlohmann::json config;     // the config's JSON
  double ms = 0;             // median time measured
  std::string tuned_at;      // UTC, ISO 8601
  nlohmann::json details;    // effort, search, configs tried, ...
};

class TuningDb {
 public:
  explicit TuningDb(std::filesystem::path path = {});
  static std::filesystem::path default_path();
  const std::filesystem::path& path() const { return path_; }

  /// Adds or replaces the entry of e.key, atomically; keeps an existing entry when it was
  /// measured faster unless `replace` is set. Returns the entry the file now holds.
  DbEntry record(const DbEntry& e, bool replace = false) const;
  /// A missing file is an empty database; a malformed one throws DbError.
  std::optional<DbEntry> find(const DbKey& key) const;
  /// Every entry (for `translate --tuned`'s partial matches).
  std::vector<DbEntry> entries() const;

 private:
  nlohmann::json read() const;
  std::filesystem::path path_;
};

/// An exclusive flock on `path` (created if missing) for the life of the object: the
/// database's writers hold "<db>.lock"; tuning on first use holds "<db>.tuning.lock".
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace tilecc::autotune

namespace tilecc::autotune {

/// The best recorded config for `kernel`, for `translate --tuned`: entries of the same kernel
/// source, kernel, tilecc version and config-space fingerprint; among them those measured on
/// a GPU of `arch`'s generation if any, whose spec contains `spec_filter`; among them those
/// measured as `deploy` runs them if any (TuneOptions::deploy; empty: any); the latest wins.
struct TunedChoice {
  DbEntry entry;
  std::string db_path;
  int candidates = 0;  // matching entries (other shapes / GPUs)
  /// The header comment naming the database key and the measured time.
  std::string comment() const;
};
std::optional<TunedChoice> find_tuned(const ir::Kernel& kernel, const TuningDb& db, const std::string& arch,
                                      const std::string& spec_filter = {}, const std::string& deploy = {});

/// How an entry's config was measured (TuneOptions::deploy; entries before it: "runtime").
std::string deploy_of(const DbEntry& entry);

/// Every tuned shape of `kernel`, for `translate --tuned`'s shape dispatch: the entries
/// find_tuned would choose among that record their arguments (details "args", written by
/// `tilecc tune` since shapes are tuned as a set), on the GPU of the latest of them, the latest
/// per set of arguments, preferring those measured as `deploy` ran them ("translate": the
/// generic kernel, "translate-auto", "runtime"; see TuneOptions::deploy). Ordered by arguments.
struct TunedShapes {
  std::vector<DbEntry> entries;
  std::string db_path, gpu, cc;
};
TunedShapes find_tuned_shapes(const ir::Kernel& kernel, const TuningDb& db, const std::string& arch,
                              const std::string& deploy, const std::string& spec_filter = {});

}  // namespace tilecc::autotune
