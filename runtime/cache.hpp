// The on-disk cubin cache and the hash that names its entries.
//
// Entries live in `$TILECC_CACHE_DIR`, else `$XDG_CACHE_HOME/tilecc`, else
// `~/.cache/tilecc`, one file per key (`<32 hex digits>.cubin`). Writes are
// atomic: the bytes go to a temporary file in the same folder which is then
// renamed over the entry, so a reader (another process, another thread) sees
// the old entry, the new one or none, never a partial one. Each entry carries
// its length and a hash of its content: a corrupt or truncated one (a torn
// write, a bad sector, a stray edit) reads as a miss, is removed, and the
// compile that wanted it runs NVRTC again and stores it afresh.
//
// The key of a compile is a 128-bit hash (two 64-bit multiply-xorshift lanes,
// no dependency; not cryptographic: the cache trusts its own folder) of every
// input that changes the binary: the source, the NVRTC options, the NVRTC
// version and the arch; callers add what else they depend on (the
// specialization key, the config) as more parts.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nvrtc.hpp"

namespace tilecc::runtime {

/// 128-bit hash of the parts (each length-prefixed, so ("ab","c") != ("a","bc")), as 32 hex digits.
std::string hash_parts(const std::vector<std::string_view>& parts);

/// A hash of every file under `dir` (names and contents, in sorted order): a cache key part
/// for sources that #include from it (the device library), whose cubins depend on what they
/// include, not only on their text. A missing folder hashes as empty.
std::string folder_fingerprint(const std::filesystem::path& dir);

class DiskCache {
 public:
  /// `dir` empty: default_dir(). The folder is created on first store.
  explicit DiskCache(std::filesystem::path dir = {});
  static std::filesystem::path default_dir();
  const std::filesystem::path& dir() const { return dir_; }

  /// The entry's bytes, or nothing: missing, unreadable, of another format version, or
  /// corrupt. A corrupt entry is removed and, when `corrupt` is given, it says why.
  std::optional<std::string> load(const std::string& key, std::string* corrupt = nullptr) const;
  /// Writes atomically (temporary file + rename). Throws std::runtime_error
  /// naming the path when the folder cannot be created or written.
  void store(const std::string& key, const std::string& bytes) const;
  std::filesystem::path path_of(const std::string& key) const;

 private:
  std::filesystem::path dir_;
};

/// A compile through the disk cache: the cubin and lowered names of
/// `name_expressions`, compiled with NVRTC on a miss and stored.
struct CachedCompile {
  std::string cubin;
  std::vector<std::string> lowered_names;
  std::string key;          // the cache key (hash_parts of every input)
  bool from_cache = false;  // true: read from disk, NVRTC not run
  bool rebuilt = false;     // the entry was there but corrupt: discarded, compiled again (stderr says so)
  std::string log;          // NVRTC's log (empty on a cache hit)
};

/// `extra_key_parts` are hashed into the key too (specialization key, config, the content of
/// headers the source includes). A cache folder that cannot be written is reported once on
/// stderr and the compile goes on without it.
CachedCompile compile_cached(const std::string& source, const CompileOptions& options, const DiskCache& cache,
                             const std::vector<std::string>& extra_key_parts = {});

}  // namespace tilecc::runtime
