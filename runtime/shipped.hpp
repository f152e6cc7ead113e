// Shipped cubins: kernels compiled ahead of time (`tilecc translate --arch ... --cubin DIR`), so
// the runtime launches them without NVRTC.
//
// DIR holds one cubin per variant and `index.json`, whose entries name the kernel, the arch,
// the config, whether it is the looped variant, the kernel's lowered name and the cubin's
// file, under a key: shipped_key() of the __global__ function's text as the runtime emits it
// for that config (codegen's output for the variant), the arch and the symbol. That is what
// the runtime's cache key hashes, less what differs between the machine that compiled and the
// one that runs (NVRTC's version, include folders): the runtime computes the same key for the
// variant a launch needs and loads the shipped cubin when the index has it.
//
// The runtime ships and looks up the generic variant of each config (no argument facts:
// valid for every input, the code `translate` prints and `tune --deploy translate` measures).
// A launch whose specialized variant is not shipped runs the generic one of its config from
// DIR; a config or arch not shipped compiles with NVRTC as before.
//
// The folder comes from KernelOptions::cubin_dir, else $TILECC_CUBIN_DIR.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "translator/config/config.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::runtime {

/// The key of a variant's cubin: its __global__ function's text, the arch and the symbol,
/// with tilecc's version (the device library the text includes ships with it).
std::string shipped_key(const std::string& global_function, const std::string& arch, const std::string& symbol);

struct ShippedEntry {
  std::string key;     // shipped_key()
  std::string kernel;  // "softmax_bf16": the name Kernel::from_ir takes
  std::string arch;    // "sm_90a"
  std::string config;  // the config's JSON (the looped variant's own)
  bool looped = false;
  std::string symbol;  // the lowered name to load
  std::string file;    // the cubin, relative to the folder
};

/// A folder of shipped cubins and its index, read once.
class ShippedCubins {
 public:
  /// Reads DIR/index.json. Throws std::runtime_error naming the file when it is missing or
  /// malformed.
  static std::shared_ptr<const ShippedCubins> open(const std::filesystem::path& dir);
  /// KernelOptions::cubin_dir when given, else $TILECC_CUBIN_DIR; nullptr when neither names a folder.
  static std::shared_ptr<const ShippedCubins> from_options(const std::filesystem::path& dir);

  /// The entry of that key, or nullptr.
  const ShippedEntry* find(const std::string& key) const;
  /// The cubin's bytes; throws std::runtime_error when the file cannot be read.
  std::string read(const ShippedEntry& entry) const;
  const std::filesystem::path& dir() const { return dir_; }
  std::vector<ShippedEntry> entries() const;

 private:
  std::filesystem::path dir_;
  std::map<std::string, ShippedEntry> by_key_;
};

/// Compiles with NVRTC the generic variant the runtime would compile for `kernel` under
/// `config` on `arch` (and its looped variant where the launch plan runs one), writes the
/// cubins into `dir` and adds them to its index (entries of other kernels, configs and
/// arches are kept). `templates_dir` is the device library NVRTC includes. Returns the entries
/// written. Throws CompileError, ConfigError, or std::runtime_error for a folder it cannot write.
std::vector<ShippedEntry> ship_variant(const ir::Kernel& kernel, const config::Config& config, const std::string& arch,
                                       const std::filesystem::path& dir, const std::string& templates_dir);

}  // namespace tilecc::runtime
