#include "translator/codegen/emit_dispatch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "translator/launch/default_dispatch.hpp"

namespace tilecc::codegen {

std::string emit_dispatch_text(const ir::Kernel& k, const config::ShapeDispatch& d, const EmitOptions& options,
                               const VariantOptions& variants, const std::string& header_note,
                               const std::string& device_guard) {
  // Under a launcher name of its own (one arch of a multi-arch file), the table is that
  // file-local function and its configs' symbols and launchers carry its suffix.
  const std::string suffix = instance_suffix(k);
  const std::string base =
      options.launcher_name.empty() ? k.name + (suffix.empty() ? "" : "_" + suffix) : options.launcher_name;
  auto launcher = [&](int config) { return base + (config < 0 ? "_default" : fmt::format("_cfg{}", config)); };
  auto emit = [&](const Config& c, int config, const std::string& note, bool holds_its_rows) {
    EmitOptions eo = options;
    eo.refuse_beyond_full_extent = holds_its_rows;
    eo.symbol_suffix = joined_suffix(options.symbol_suffix, config < 0 ? "default" : fmt::format("cfg{}", config));
    eo.launcher_name = launcher(config);
    return fmt::format("// tilecc: shape dispatch {}: {}\n{}\n", launcher(config), note,
                       emit_kernel_text(k, c, eo, variants, device_guard));
  };
  std::string out;
  for (std::size_t i = 0; i < d.configs.size(); ++i)
    out += emit(d.configs[i].config, static_cast<int>(i), d.configs[i].note, d.configs[i].holds_its_rows);
  out += emit(d.fallback, -1, d.fallback_note, false);

  // The public launcher: the table.
  const std::string params = emit_kernel(k, d.fallback, options).launcher_params;
  std::string args;
  for (const ir::Param& p : k.params) args += p.name + ", ";
  args += "stream";
  out += header_note;
  for (const std::string& h : d.header) out += "// " + h + "\n";
  for (std::size_t i = 0; i < d.configs.size(); ++i)
    out += fmt::format("//   {}: {}\n", launcher(static_cast<int>(i)), d.configs[i].config.to_json());
  out += fmt::format("//   {}: {}\n", launcher(-1), d.fallback.to_json());
  if (!options.launcher_name.empty())
    out += fmt::format("static cudaError_t {}({}{}cudaStream_t stream) {{\n", options.launcher_name, params,
                       params.empty() ? "" : ", ");
  else if (k.instance.empty())
    out += fmt::format("cudaError_t {}({}{}cudaStream_t stream) {{\n", k.name, params, params.empty() ? "" : ", ");
  else
    out += fmt::format("template <>\ncudaError_t {}<{}>({}{}cudaStream_t stream) {{\n", k.name, k.instance, params,
                       params.empty() ? "" : ", ");
  for (std::size_t f = 0; f < d.features.size() && !d.rows.empty(); ++f)
    out += fmt::format("  const long long e{} = {};\n", f, d.features[f]);
  if (!d.rows.empty())
    out += "  const auto in = [](long long e, long long lo, long long hi) { return e >= lo && e < hi; };\n";
  // Columns aligned, so the table reads as one. A range holding every extent tests nothing.
  auto everything = [](const config::ShapeDispatch::Range& r) {
    return r.lo <= 0 && r.hi == std::numeric_limits<std::int64_t>::max();
  };
  std::size_t width = 1;
  for (const auto& row : d.rows)
    for (const auto& r : row.ranges)
      if (!everything(r)) width = std::max({width, fmt::format("{}", r.lo).size(), fmt::format("{}", r.hi).size()});
  for (const auto& row : d.rows) {
    std::string condition;
    for (std::size_t f = 0; f < row.ranges.size(); ++f)
      if (!everything(row.ranges[f]))
        condition += fmt::format("{}in(e{}, {:>{}}, {:>{}})", condition.empty() ? "" : " && ", f, row.ranges[f].lo,
                                 width, row.ranges[f].hi, width);
    out += fmt::format("  if ({}) return {}({});  // {}\n", condition.empty() ? "true" : condition,
                       launcher(row.config), args, row.comment);
  }
  out +=
      fmt::format("  return {}({});{}\n}}\n", launcher(-1), args, d.rows.empty() ? "" : "  // " + d.fallback_comment);
  return out;
}

std::string emit_default_text(const ir::Kernel& k, const EmitOptions& options, const VariantOptions& variants,
                              const std::string& device_guard) {
  if (const auto table = launch::default_dispatch(k, options.arch))
    return emit_dispatch_text(k, *table, options, variants, {}, device_guard);
  return emit_kernel_text(k, config::default_config(k, options.arch), options, variants, device_guard);
}

}  // namespace tilecc::codegen
