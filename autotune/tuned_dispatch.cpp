#include "autotune/tuned_dispatch.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "autotune/dispatch_learn.hpp"

namespace tilecc::autotune {

std::optional<TunedDispatch> find_tuned_dispatch(const ir::Kernel& kernel, const TuningDb& db, const std::string& arch,
                                                 const std::string& deploy, const std::string& spec_filter,
                                                 int max_configs) {
  const TunedShapes found = find_tuned_shapes(kernel, db, arch, deploy, spec_filter);
  if (found.entries.size() < 2) return std::nullopt;
  std::vector<TunedShape> shapes;
  int other_deploy = 0;
  for (const DbEntry& e : found.entries) {
    shapes.push_back(tuned_shape_of(kernel, e));
    other_deploy += deploy_of(e) != deploy;
  }
  DispatchOptions o;
  o.max_configs = max_configs;
  o.arch = arch;
  TunedDispatch out;
  out.table = learn_dispatch(kernel, shapes, o);
  // The database's name only (not this machine's path): the file is checked in.
  out.comment = fmt::format("// tilecc: tuned shapes from {} on {} (cc {}), {} shape{}\n",
                            std::filesystem::path(found.db_path).filename().string(), found.gpu, found.cc,
                            found.entries.size(), found.entries.size() == 1 ? "" : "s");
  if (other_deploy)
    out.comment += fmt::format("// tilecc: note: {} of them measured as another deployment runs them, not as {}\n",
                               other_deploy, deploy);
  return out;
}

}  // namespace tilecc::autotune
