// `translate --tuned`: the database entry that fits a kernel (database.hpp's find_tuned).
#include <fmt/format.h>

#include <algorithm>

#include "autotune/database.hpp"
#include "tilecc/version.hpp"
#include "autotune/config_space.hpp"

namespace tilecc::autotune {

std::string TunedChoice::comment() const {
  return fmt::format(
      "// tilecc: tuned config from {} key {}\n//   {}\n//   measured {:.4f} ms (median) on {}, tuned {}{}\n",
      db_path, entry.key.hash(), entry.key.describe(), entry.ms, entry.key.gpu, entry.tuned_at,
      candidates > 1 ? fmt::format(" ({} entries matched; latest taken)", candidates) : "");
}

std::optional<TunedChoice> find_tuned(const ir::Kernel& kernel, const TuningDb& db, const std::string& arch,
                                      const std::string& spec_filter) {
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
  const std::vector<DbEntry>& pool = same_arch.empty() ? matching : same_arch;
  if (pool.empty()) return std::nullopt;
  const auto latest = std::max_element(pool.begin(), pool.end(),
                                       [](const DbEntry& a, const DbEntry& b) { return a.tuned_at < b.tuned_at; });
  return TunedChoice{*latest, db.path().string(), static_cast<int>(matching.size())};
}

}  // namespace tilecc::autotune
