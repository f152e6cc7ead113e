// `translate --tuned`: the database entry that fits a kernel (database.hpp's find_tuned).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "autotune/database.hpp"
#include "tilecc/version.hpp"
#include "autotune/config_space.hpp"

namespace tilecc::autotune {

std::string deploy_of(const DbEntry& e) {
  return e.details.is_object() ? e.details.value("deploy", std::string("runtime")) : "runtime";
}

std::string TunedChoice::comment() const {
  return fmt::format(
      "// tilecc: tuned config from {} key {}\n//   {}\n//   measured {:.4f} ms (median, {}) on {}, tuned {}{}\n",
      db_path, entry.key.hash(), entry.key.describe(), entry.ms,
      deploy_of(entry) == "runtime" ? "specialized for the arguments" : "as " + deploy_of(entry) + " runs it",
      entry.key.gpu, entry.tuned_at,
      candidates > 1 ? fmt::format(" ({} entries matched; latest taken)", candidates) : "");
}

std::optional<TunedChoice> find_tuned(const ir::Kernel& kernel, const TuningDb& db, const std::string& arch,
                                      const std::string& spec_filter, const std::string& deploy) {
  const std::string source = kernel_source_hash(kernel), name = kernel_display_name(kernel);
  const std::string space = autotune::ConfigSpace(kernel).fingerprint();
  std::vector<DbEntry> matching, same_arch;
  for (const DbEntry& e : db.entries()) {
    if (e.key.source_hash != source || e.key.kernel != name || e.key.version != TILECC_VERSION ||
        e.key.space != space || e.key.spec.find(spec_filter) == std::string::npos)
      continue;
    matching.push_back(e);
    // sm_90a <-> compute capability 9.x, sm_80 <-> 8.x
    const std::string major = arch.size() > 3 ? arch.substr(3, 1) : "";
    if (!major.empty() && e.key.cc.rfind(major + ".", 0) == 0) same_arch.push_back(e);
  }
  std::vector<DbEntry> pool = same_arch.empty() ? matching : same_arch;
  if (pool.empty()) return std::nullopt;
  // Measured as the caller will run it, where such entries exist (TuneOptions::deploy).
  if (!deploy.empty()) {
    std::vector<DbEntry> same_deploy;
    for (const DbEntry& e : pool)
      if (deploy_of(e) == deploy) same_deploy.push_back(e);
    if (!same_deploy.empty()) pool = same_deploy;
  }
  const auto latest = std::max_element(pool.begin(), pool.end(),
                                       [](const DbEntry& a, const DbEntry& b) { return a.tuned_at < b.tuned_at; });
  return TunedChoice{*latest, db.path().string(), static_cast<int>(matching.size())};
}

TunedShapes find_tuned_shapes(const ir::Kernel& kernel, const TuningDb& db, const std::string& arch,
                              const std::string& deploy, const std::string& spec_filter) {
  const std::string source = kernel_source_hash(kernel), name = kernel_display_name(kernel);
  const std::string space = autotune::ConfigSpace(kernel).fingerprint();
  const std::string major = arch.size() > 3 ? arch.substr(3, 1) : "";
  std::vector<DbEntry> pool;
  for (const DbEntry& e : db.entries()) {
    if (e.key.source_hash != source || e.key.kernel != name || e.key.version != TILECC_VERSION ||
        e.key.space != space || e.key.spec.find(spec_filter) == std::string::npos || !e.details.contains("args") ||
        !e.details["args"].is_array() || e.details["args"].empty())
      continue;
    if (!major.empty() && e.key.cc.rfind(major + ".", 0) != 0) continue;
    pool.push_back(e);
  }
  TunedShapes out;
  out.db_path = db.path().string();
  if (pool.empty()) return out;
  const DbEntry& latest = *std::max_element(pool.begin(), pool.end(),
                                            [](const DbEntry& a, const DbEntry& b) { return a.tuned_at < b.tuned_at; });
  out.gpu = latest.key.gpu;
  out.cc = latest.key.cc;
  // One per set of arguments: the deployment asked for first, then the latest.
  std::map<std::string, DbEntry> by_args;
  auto rank = [&](const DbEntry& e) { return std::make_pair(deploy_of(e) == deploy, e.tuned_at); };
  for (const DbEntry& e : pool) {
    if (e.key.gpu != out.gpu || e.key.cc != out.cc) continue;
    const std::string args = e.details["args"].dump();
    const auto it = by_args.find(args);
    if (it == by_args.end() || rank(it->second) < rank(e)) by_args[args] = e;
  }
  for (auto& [args, e] : by_args) out.entries.push_back(std::move(e));
  return out;
}

}  // namespace tilecc::autotune
