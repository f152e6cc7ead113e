#include "runtime/shipped.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "runtime/cache.hpp"
#include "runtime/nvrtc.hpp"
#include "runtime/variant_source.hpp"
#include "tilecc/version.hpp"
#include "translator/codegen/names.hpp"
#include "translator/launch/launch_plan.hpp"

namespace tilecc::runtime {

namespace {

constexpr const char* kIndex = "index.json";
constexpr const char* kFormat = "tilecc-cubins-v1";

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("tilecc runtime: cannot read {}", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Written to a temporary file and renamed over `path`: a reader sees the old file or the new one.
void write_atomically(const std::filesystem::path& path, const std::string& bytes) {
  const std::filesystem::path tmp = path.string() + fmt::format(".{}.tmp", ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw std::runtime_error(fmt::format("tilecc: cannot write {}", tmp.string()));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error(fmt::format("tilecc: cannot write {}: {}", path.string(), ec.message()));
}

nlohmann::json to_json(const ShippedEntry& e) {
  return {{"key", e.key},       {"kernel", e.kernel}, {"arch", e.arch}, {"config", e.config},
          {"looped", e.looped}, {"symbol", e.symbol}, {"file", e.file}};
}

std::map<std::string, ShippedEntry> read_index(const std::filesystem::path& path) {
  const std::string text = read_all(path);
  std::map<std::string, ShippedEntry> out;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (j.at("format").get<std::string>() != kFormat)
      throw std::runtime_error(fmt::format("format '{}', not {}", j.at("format").get<std::string>(), kFormat));
    for (const nlohmann::json& e : j.at("entries")) {
      ShippedEntry s;
      s.key = e.at("key").get<std::string>();
      s.kernel = e.at("kernel").get<std::string>();
      s.arch = e.at("arch").get<std::string>();
      s.config = e.at("config").get<std::string>();
      s.looped = e.at("looped").get<bool>();
      s.symbol = e.at("symbol").get<std::string>();
      s.file = e.at("file").get<std::string>();
      if (s.file.find('/') != std::string::npos || s.file.empty())
        throw std::runtime_error(fmt::format("entry {}: file '{}' must be a name in the folder", s.key, s.file));
      out[s.key] = std::move(s);
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("tilecc runtime: {}: not a shipped-cubin index: {}", path.string(), e.what()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("tilecc runtime: {}: {}", path.string(), e.what()));
  }
  return out;
}

}  // namespace

std::string shipped_key(const std::string& global_function, const std::string& arch, const std::string& symbol) {
  return hash_parts({"tilecc-shipped", TILECC_VERSION, arch, symbol, global_function});
}

std::shared_ptr<const ShippedCubins> ShippedCubins::open(const std::filesystem::path& dir) {
  auto out = std::make_shared<ShippedCubins>();
  out->dir_ = dir;
  out->by_key_ = read_index(dir / kIndex);
  return out;
}

std::shared_ptr<const ShippedCubins> ShippedCubins::from_options(const std::filesystem::path& dir) {
  if (!dir.empty()) return open(dir);
  if (const char* env = std::getenv("TILECC_CUBIN_DIR"); env && *env) return open(env);
  return nullptr;
}

const ShippedEntry* ShippedCubins::find(const std::string& key) const {
  const auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &it->second;
}

std::string ShippedCubins::read(const ShippedEntry& entry) const { return read_all(dir_ / entry.file); }

std::vector<ShippedEntry> ShippedCubins::entries() const {
  std::vector<ShippedEntry> out;
  for (const auto& [key, e] : by_key_) out.push_back(e);
  return out;
}

std::vector<ShippedEntry> ship_variant(const ir::Kernel& kernel, const config::Config& config, const std::string& arch,
                                       const std::filesystem::path& dir, const std::string& templates_dir) {
  const std::string suffix = codegen::instance_suffix(kernel);
  const std::string name = suffix.empty() ? kernel.name : kernel.name + "_" + suffix;
  // The variants the runtime may compile for this config: the generic kernel, and the looped
  // one where the launch plan runs rows beyond full_extent through it.
  std::vector<std::pair<config::Config, bool>> variants = {{config, false}};
  if (launch::plan_launch(kernel, config).beyond_guards == launch::BeyondGuards::RunLooped)
    variants.emplace_back(config::looped_fallback(kernel, config).value(), true);

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error(fmt::format("tilecc: cannot create {}: {}", dir.string(), ec.message()));
  const std::filesystem::path index = dir / kIndex;
  std::map<std::string, ShippedEntry> entries;
  if (std::filesystem::exists(index)) entries = read_index(index);

  std::vector<ShippedEntry> written;
  for (const auto& [c, looped] : variants) {
    const VariantSource v = variant_source(kernel, c, {}, arch, "generic (shipped)");
    CompileOptions co;
    co.arch = arch;
    co.include_dirs = {templates_dir};
    co.name_expressions = {"&" + v.symbol};
    const CompileOutput compiled = nvrtc_compile(v.source, co, name + ".cu");
    ShippedEntry e;
    e.key = shipped_key(v.global_function, arch, v.symbol);
    e.kernel = name;
    e.arch = arch;
    e.config = c.to_json();
    e.looped = looped;
    e.symbol = compiled.lowered_names.at(0);
    e.file = fmt::format("{}.{}.{}.cubin", name, arch, e.key.substr(0, 16));
    write_atomically(dir / e.file, compiled.cubin);
    entries[e.key] = e;
    written.push_back(std::move(e));
  }
  nlohmann::json j = {{"format", kFormat}, {"tilecc", TILECC_VERSION}, {"entries", nlohmann::json::array()}};
  for (const auto& [key, e] : entries) j["entries"].push_back(to_json(e));
  write_atomically(index, j.dump(1) + "\n");
  return written;
}

}  // namespace tilecc::runtime
