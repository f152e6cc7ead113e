#include "autotune/database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "runtime/cache.hpp"
#include "tilecc/version.hpp"
#include "autotune/config_space.hpp"
#include "translator/ir/serialize.hpp"

namespace tilecc::autotune {

nlohmann::json DbKey::to_json() const {
  return {{"source_hash", source_hash}, {"kernel", kernel}, {"spec", spec}, {"gpu", gpu}, {"cc", cc},
          {"version", version},         {"space", space}};
}

DbKey DbKey::from_json(const nlohmann::json& j) {
  DbKey k;
  k.source_hash = j.value("source_hash", "");
  k.kernel = j.value("kernel", "");
  k.spec = j.value("spec", "");
  k.gpu = j.value("gpu", "");
  k.cc = j.value("cc", "");
  k.version = j.value("version", "");
  k.space = j.value("space", "");
  return k;
}

std::string DbKey::hash() const {
  return runtime::hash_parts({"tilecc-tuning-db-1", source_hash, kernel, spec, gpu, cc, version, space});
}

std::string DbKey::describe() const {
  return fmt::format("{} | {} | {} (cc {}) | tilecc {} | source {} | space {}", kernel, spec, gpu, cc, version,
                     source_hash.substr(0, 16), space);
}

DbKey tuning_key(const ir::Kernel& kernel, const std::string& spec, const std::string& gpu, const std::string& cc) {
  return {kernel_source_hash(kernel),
          kernel_display_name(kernel),
          spec,
          gpu,
          cc,
          TILECC_VERSION,
          autotune::ConfigSpace(kernel).fingerprint()};
}

std::string kernel_source_hash(const ir::Kernel& kernel) {
  ir::Module m;
  m.kernels.push_back(kernel);
  m.kernels.back().source_file.clear();
  return runtime::hash_parts({ir::serialize(m)});
}

std::string kernel_display_name(const ir::Kernel& kernel) {
  return kernel.instance.empty() ? kernel.name : kernel.name + "<" + kernel.instance + ">";
}

TuningDb::TuningDb(std::filesystem::path path) : path_(path.empty() ? default_path() : std::move(path)) {}

std::filesystem::path TuningDb::default_path() {
  if (const char* p = std::getenv("TILECC_TUNE_DB"); p && *p) return p;
  return runtime::DiskCache::default_dir() / "tuning.json";
}

namespace {

DbEntry entry_of(const nlohmann::json& j) {
  DbEntry e;
  e.key = DbKey::from_json(j.at("key_fields"));
  e.config = j.at("config");
  e.ms = j.value("ms", 0.0);
  e.tuned_at = j.value("tuned_at", "");
  e.details = j.value("details", nlohmann::json::object());
  return e;
}

nlohmann::json json_of(const DbEntry& e) {
  return {{"key_fields", e.key.to_json()},
          {"config", e.config},
          {"ms", e.ms},
          {"tuned_at", e.tuned_at},
          {"details", e.details}};
}

/// Why an entry cannot be read back, or empty.
std::string entry_problem(const nlohmann::json& j) {
  if (!j.is_object()) return "is not an object";
  if (!j.contains("key_fields") || !j["key_fields"].is_object()) return "has no key_fields object";
  for (const auto& [field, value] : j["key_fields"].items())
    if (!value.is_string()) return "key field '" + field + "' is not a string";
  if (!j.contains("config")) return "has no config";
  if (j.contains("ms") && !j["ms"].is_number()) return "'ms' is not a number";
  if (j.contains("tuned_at") && !j["tuned_at"].is_string()) return "'tuned_at' is not a string";
  return {};
}

}  // namespace

nlohmann::json TuningDb::read() const {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) return {{"version", 1}, {"entries", nlohmann::json::object()}};
    // A writer's rename may have created it between the two looks: open it again.
    in.open(path_, std::ios::binary);
    if (!in) throw DbError(fmt::format("tuning database {} exists but cannot be read", path_.string()));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(ss.str());
  } catch (const std::exception& e) {
    throw DbError(fmt::format("tuning database {} is not valid JSON: {}", path_.string(), e.what()));
  }
  // Checked here, so a damaged file is reported as such rather than failing deep inside a lookup.
  auto bad = [&](const std::string& what) {
    return DbError(fmt::format("tuning database {} is malformed: {} (delete it or fix it; `tilecc tune` rewrites it)",
                               path_.string(), what));
  };
  if (!j.is_object()) throw bad("the top level is not a JSON object");
  if (!j.contains("entries")) j["entries"] = nlohmann::json::object();
  if (!j["entries"].is_object()) throw bad("'entries' is not an object");
  for (const auto& [key, entry] : j["entries"].items())
    if (const std::string why = entry_problem(entry); !why.empty()) throw bad("entry " + key + " " + why);
  return j;
}

FileLock::FileLock(const std::filesystem::path& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw DbError("cannot open the lock file " + path.string());
  while (::flock(fd_, LOCK_EX) != 0)
    if (errno != EINTR) {
      ::close(fd_);
      throw DbError("cannot lock " + path.string());
    }
}

FileLock::~FileLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

namespace {

/// Writes `text` to `path` and makes it durable (fsync), so the rename that publishes it never
/// publishes an empty or partial file after a crash of the machine.
void write_durably(const std::filesystem::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw DbError(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw DbError(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw DbError(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
}

/// Temporary files of writers killed before their rename: every writer holds the lock while
/// its temporary file exists, so under the lock any one left is stale.
void remove_stale_temporaries(const std::filesystem::path& db) {
  std::error_code ec;
  const std::string prefix = db.filename().string() + ".tmp.";
  const std::filesystem::path dir = db.has_parent_path() ? db.parent_path() : std::filesystem::path(".");
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    if (it->path().filename().string().starts_with(prefix)) std::filesystem::remove(it->path(), ec);
}

}  // namespace

DbEntry TuningDb::record(const DbEntry& e, bool replace) const {
  // An infinite or NaN time would be written as null and make the whole file unreadable:
  // refused before anything is touched.
  if (!(std::isfinite(e.ms) && e.ms >= 0))
    throw DbError(fmt::format("refusing to record {} in {}: its time ({}) is not a finite, non-negative number",
                              e.key.describe(), path_.string(), e.ms));
  if (!e.config.is_object())
    throw DbError(
        fmt::format("refusing to record {} in {}: its config is not a JSON object", e.key.describe(), path_.string()));
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path());
  // One lock per file, whatever name (a symlink, a relative path) the writer knows it by; the
  // rename replaces the file, not a symlink to it.
  std::error_code canonical_ec;
  std::filesystem::path file = std::filesystem::weakly_canonical(path_, canonical_ec);
  if (canonical_ec) file = path_;
  FileLock lock(file.string() + ".lock");
  remove_stale_temporaries(file);
  nlohmann::json db = read();
  const std::string key = e.key.hash();
  DbEntry stored = e;
  if (stored.tuned_at.empty()) {
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    stored.tuned_at = buf;
  }
  if (!replace && db["entries"].contains(key)) {
    const DbEntry old = entry_of(db["entries"][key]);
    if (old.ms > 0 && old.ms <= stored.ms) return old;
  }
  db["entries"][key] = json_of(stored);
  const std::filesystem::path tmp = file.string() + fmt::format(".tmp.{}", ::getpid());
  try {
    write_durably(tmp, db.dump(2) + "\n");
  } catch (const DbError&) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    const std::string why = ec.message();
    std::filesystem::remove(tmp, ec);
    throw DbError(fmt::format("cannot replace {}: {}", path_.string(), why));
  }
  return stored;
}

std::optional<DbEntry> TuningDb::find(const DbKey& key) const {
  const nlohmann::json db = read();
  const std::string h = key.hash();
  if (!db["entries"].contains(h)) return std::nullopt;
  return entry_of(db["entries"][h]);
}

std::vector<DbEntry> TuningDb::entries() const {
  std::vector<DbEntry> out;
  const nlohmann::json db = read();
  for (const auto& [k, v] : db["entries"].items()) out.push_back(entry_of(v));
  return out;
}

}  // namespace tilecc::autotune
