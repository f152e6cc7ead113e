#include "translator/launch/default_dispatch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "translator/config/config.hpp"
#include "translator/launch/launch_plan.hpp"

namespace tilecc::launch {

namespace {

/// A table over the kernel's guarded whole extents (each parameter's once), or nullopt when it
/// guards none.
std::optional<config::ShapeDispatch> over_whole_dims(const ir::Kernel& kernel) {
  config::ShapeDispatch d;
  for (const WholeDim& w : whole_dims(kernel))
    if (w.param >= 0 && std::find(d.features.begin(), d.features.end(), w.text) == d.features.end())
      d.features.push_back(w.text);
  if (d.features.empty()) return std::nullopt;
  return d;
}

/// The comment above the launcher: `subject` of the kernel `by` what.
void add_header(config::ShapeDispatch& d, const ir::Kernel& kernel, const std::string& subject, const char* by) {
  d.header.push_back(fmt::format("{} of {}{} by {} ({}): the first row", subject, kernel.name,
                                 kernel.instance.empty() ? "" : "<" + kernel.instance + ">", by,
                                 fmt::join(d.features, ", ")));
  d.header.push_back("whose extents all lie in [lo, hi) runs its config. Tune the kernel (tilecc tune, then");
  d.header.push_back("translate --tuned) for configs measured on your GPU.");
}

/// The rows dispatch around `base`: base for the rows it holds whole, base fitted to each longer
/// default row extent for the rows that one holds. `fitted` and `what` name base in the
/// variants' and the fallback's notes, `subject` the table in its header.
std::optional<config::ShapeDispatch> row_dispatch(const ir::Kernel& kernel, const config::Config& base,
                                                  const char* fitted, const char* what, const char* subject) {
  const std::vector<std::int64_t> extents = config::default_row_extents(kernel);
  if (extents.empty()) return std::nullopt;
  std::optional<config::ShapeDispatch> table = over_whole_dims(kernel);
  if (!table) return std::nullopt;
  config::ShapeDispatch& d = *table;
  d.fallback = base;
  // First match: rows every config before holds run it; so every whole extent up to the
  // default's full_extent runs the default, up to the next step the next variant, and so on.
  auto row_upto = [&](std::int64_t longest, int config, std::string comment) {
    config::ShapeDispatch::Row r;
    r.ranges.assign(d.features.size(), {0, longest + 1});
    r.config = config;
    r.comment = std::move(comment);
    d.rows.push_back(std::move(r));
  };
  row_upto(d.fallback.full_extent, -1, fmt::format("rows up to {} held whole", d.fallback.full_extent));
  for (const std::int64_t e : extents) {
    if (e <= d.fallback.full_extent) continue;
    const config::Config c = config::config_for_rows(kernel, base, e);
    row_upto(c.full_extent, static_cast<int>(d.configs.size()), fmt::format("rows up to {} held whole", c.full_extent));
    d.configs.push_back({c, fmt::format("the {} fitted to rows of up to {} elements", fitted, c.full_extent), true});
  }
  if (d.configs.empty()) return std::nullopt;
  d.fallback_note = fmt::format("the {}, for rows no variant holds whole (its looped variant runs longer ones)", what);
  d.fallback_comment = "longer rows: the default's looped variant";
  // A kernel that cannot walk its rows in chunks (a scan) has no looped variant: rows longer
  // than the last variant holds are refused by that variant, naming the longest it holds.
  if (!config::looped_fallback(kernel, d.fallback)) {
    config::ShapeDispatch::Row& last = d.rows.back();
    for (auto& r : last.ranges) r.hi = std::numeric_limits<std::int64_t>::max();
    last.comment += "; longer rows are refused (the kernel cannot walk them in chunks)";
    d.configs.back().holds_its_rows = false;
    d.fallback_note = fmt::format("the {}, for rows up to {}", what, d.fallback.full_extent);
    d.fallback_comment = "not reached";
  }
  add_header(d, kernel, subject, "the length of the rows held whole");
  return table;
}

/// Attention's default holds head dimensions up to 128; at 64 and below a variant holding 64
/// runs (config::chained_dots_short_head), which multiplies no padding (d64 on an H100: 0.81
/// against 1.48 ms, bench/NOTES.md).
std::optional<config::ShapeDispatch> head_dim_dispatch(const ir::Kernel& kernel, const std::string& arch) {
  if (!config::chained_dots(kernel)) return std::nullopt;
  std::optional<config::ShapeDispatch> table = over_whole_dims(kernel);
  if (!table) return std::nullopt;
  config::ShapeDispatch& d = *table;
  d.fallback = config::default_config(kernel, arch);
  constexpr std::int64_t kShort = config::short_head_dim;
  if (d.fallback.full_extent <= kShort) return std::nullopt;
  d.configs.push_back({config::chained_dots_short_head(kernel, arch),
                       fmt::format("the default for head dimensions of up to {}", kShort), true});
  config::ShapeDispatch::Row r;
  r.ranges.assign(d.features.size(), {0, kShort + 1});
  r.config = 0;
  r.comment = fmt::format("head dimensions up to {} held whole", kShort);
  d.rows.push_back(std::move(r));
  d.fallback_note = fmt::format("the default config, for head dimensions up to {}", d.fallback.full_extent);
  d.fallback_comment =
      fmt::format("head dimensions up to {} held whole (longer ones are refused)", d.fallback.full_extent);
  add_header(d, kernel, "default configs", "the head dimensions held whole");
  return table;
}

}  // namespace

std::optional<config::ShapeDispatch> default_dispatch(const ir::Kernel& kernel, const std::string& arch) {
  if (auto d = head_dim_dispatch(kernel, arch)) return d;
  return row_dispatch(kernel, config::default_config(kernel, arch), "default", "default config", "default configs");
}

std::optional<config::ShapeDispatch> configured_dispatch(const ir::Kernel& kernel, const config::Config& config) {
  if (config::looped_fallback(kernel, config)) return std::nullopt;
  return row_dispatch(kernel, config, "given config", "given config", "the given config and its fits to longer rows");
}

config::Config default_config_for_extents(const ir::Kernel& kernel, const std::string& arch,
                                          const std::vector<std::int64_t>& whole_extents) {
  const std::optional<config::ShapeDispatch> d = default_dispatch(kernel, arch);
  if (!d) return config::default_config(kernel, arch);
  const std::int64_t longest =
      whole_extents.empty() ? 0 : *std::max_element(whole_extents.begin(), whole_extents.end());
  for (const config::ShapeDispatch::Row& r : d->rows)
    if (longest < r.ranges[0].hi)
      return r.config < 0 ? d->fallback : d->configs[static_cast<std::size_t>(r.config)].config;
  return d->fallback;
}

}  // namespace tilecc::launch
