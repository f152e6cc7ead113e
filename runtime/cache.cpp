#include "cache.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace tilecc::runtime {

namespace {

// One 64-bit lane of the key hash: 8-byte words multiplied into the state, a
// splitmix64 finish. Two lanes with different seeds and multipliers give 128 bits.
struct Lane {
  std::uint64_t h, mul;
  void word(std::uint64_t w) {
    h = (h ^ w) * mul;
    h ^= h >> 29;
  }
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (; n >= 8; p += 8, n -= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      word(w);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    word(tail ^ (static_cast<std::uint64_t>(n) << 56));
  }
  std::uint64_t finish() const {
    std::uint64_t z = h + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
};

}  // namespace

std::string hash_parts(const std::vector<std::string_view>& parts) {
  Lane a{0x243f6a8885a308d3ull, 0x9e3779b97f4a7c15ull}, b{0x13198a2e03707344ull, 0xc2b2ae3d27d4eb4full};
  for (std::string_view p : parts) {
    const std::uint64_t n = p.size();
    a.word(n);
    b.word(~n);
    a.bytes(p.data(), p.size());
    b.bytes(p.data(), p.size());
  }
  return fmt::format("{:016x}{:016x}", a.finish(), b.finish());
}

std::string folder_fingerprint(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file()) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> contents;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    contents.push_back(f.lexically_relative(dir).string());
    contents.push_back(ss.str());
  }
  return hash_parts(std::vector<std::string_view>(contents.begin(), contents.end()));
}

std::filesystem::path DiskCache::default_dir() {
  if (const char* d = std::getenv("TILECC_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::filesystem::path(x) / "tilecc";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "tilecc";
  return std::filesystem::temp_directory_path() / "tilecc-cache";
}

DiskCache::DiskCache(std::filesystem::path dir) : dir_(dir.empty() ? default_dir() : std::move(dir)) {}

std::filesystem::path DiskCache::path_of(const std::string& key) const { return dir_ / (key + ".cubin"); }

namespace {

// Entry layout: magic, "<payload length> <hash_parts of the payload>" and a newline, the
// payload, the same magic again. A truncated file fails the length or the closing magic; a
// changed byte (a torn write, a bad sector, a stray edit) fails the hash. Entries of another
// format (no magic) are stale, not corrupt: a miss, replaced by the next store.
constexpr std::string_view kMagic = "tilecc-cache-v2\n";

/// The payload of an entry file's bytes, or why it is corrupt.
std::optional<std::string> payload_of(const std::string& data, std::string& why) {
  const std::size_t nl = data.find('\n', kMagic.size());
  std::istringstream header(nl == std::string::npos ? std::string() : data.substr(kMagic.size(), nl - kMagic.size()));
  std::size_t length = 0;
  std::string hash;
  if (!(header >> length >> hash) || hash.size() != 32) {
    why = "its header is damaged";
    return std::nullopt;
  }
  const std::size_t begin = nl + 1;
  if (data.size() != begin + length + kMagic.size() || data.compare(begin + length, kMagic.size(), kMagic) != 0) {
    why = fmt::format("it is {} bytes, its header says {}", data.size(), begin + length + kMagic.size());
    return std::nullopt;
  }
  std::string payload = data.substr(begin, length);
  if (hash_parts({payload}) != hash) {
    why = "its checksum does not match its content";
    return std::nullopt;
  }
  return payload;
}

}  // namespace

std::optional<std::string> DiskCache::load(const std::string& key, std::string* corrupt) const {
  const std::filesystem::path path = path_of(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();
  constexpr std::string_view kAnyVersion = "tilecc-cache-v";
  if (data.compare(0, kMagic.size(), kMagic) != 0 && data.compare(0, kAnyVersion.size(), kAnyVersion) == 0 &&
      data.find('\n') == kMagic.size() - 1)
    return std::nullopt;  // another format version's entry: stale, replaced by the next store
  std::string why;
  std::optional<std::string> payload;
  if (data.compare(0, kMagic.size(), kMagic) != 0)
    why = "it does not start with the entry header";
  else
    payload = payload_of(data, why);
  if (!payload) {
    // Discarded, so that it is rebuilt (store() would replace it anyway) and not read again.
    std::error_code ec;
    std::filesystem::remove(path, ec);
    if (corrupt) *corrupt = why;
  }
  return payload;
}

void DiskCache::store(const std::string& key, const std::string& bytes) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("tilecc runtime: cannot create the cache folder {}: {}", dir_.string(), ec.message()));
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path final_path = path_of(key);
  const std::filesystem::path tmp =
      dir_ / fmt::format(".{}.{}.{}.{}.tmp", key, ::getpid(), std::hash<std::thread::id>{}(std::this_thread::get_id()),
                         counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << kMagic << bytes.size() << ' ' << hash_parts({bytes}) << '\n';
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out << kMagic;
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(fmt::format("tilecc runtime: cannot write the cache entry {}", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(fmt::format("tilecc runtime: cannot rename into {}", final_path.string()));
  }
}

namespace {

// A cached compile: the lowered names (count, then one per line) and the cubin.
std::string pack(const std::vector<std::string>& names, const std::string& cubin) {
  std::string out = fmt::format("{}\n", names.size());
  for (const std::string& n : names) out += n + "\n";
  return out + cubin;
}

bool unpack(const std::string& data, std::size_t expected_names, std::vector<std::string>& names, std::string& cubin) {
  std::size_t pos = data.find('\n');
  if (pos == std::string::npos) return false;
  std::size_t n = 0;
  try {
    n = std::stoull(data.substr(0, pos));
  } catch (const std::exception&) {
    return false;
  }
  if (n != expected_names) return false;
  ++pos;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) return false;
    names.push_back(data.substr(pos, nl - pos));
    pos = nl + 1;
  }
  cubin = data.substr(pos);
  return !cubin.empty();
}

}  // namespace

CachedCompile compile_cached(const std::string& source, const CompileOptions& options, const DiskCache& cache,
                             const std::vector<std::string>& extra_key_parts) {
  const std::vector<std::string> opts = nvrtc_options(options);
  const std::string version = nvrtc_version();
  std::vector<std::string_view> parts = {"tilecc-compile", source, version, options.arch};
  for (const std::string& o : opts) parts.push_back(o);
  parts.push_back("names");
  for (const std::string& n : options.name_expressions) parts.push_back(n);
  parts.push_back("extra");
  for (const std::string& e : extra_key_parts) parts.push_back(e);

  CachedCompile out;
  out.key = hash_parts(parts);
  std::string corrupt;
  if (std::optional<std::string> hit = cache.load(out.key, &corrupt)) {
    if (unpack(*hit, options.name_expressions.size(), out.lowered_names, out.cubin)) {
      out.from_cache = true;
      return out;
    }
    out.lowered_names.clear();
    corrupt = "its names do not match the compile's";
  }
  if (!corrupt.empty()) {
    out.rebuilt = true;
    std::fprintf(stderr, "tilecc runtime: discarded the corrupt cache entry %s (%s); compiling it again\n",
                 cache.path_of(out.key).c_str(), corrupt.c_str());
  }
  CompileOutput compiled = nvrtc_compile(source, options);
  out.cubin = std::move(compiled.cubin);
  out.lowered_names = std::move(compiled.lowered_names);
  out.log = std::move(compiled.log);
  try {
    cache.store(out.key, pack(out.lowered_names, out.cubin));
  } catch (const std::exception& e) {
    // A read-only or full cache folder costs recompiles, not the launch.
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) std::fprintf(stderr, "%s (compiling without the disk cache)\n", e.what());
  }
  return out;
}

}  // namespace tilecc::runtime
