#include "translate_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "tilecc/version.hpp"
#include "translator/codegen/line_directives.hpp"
#include "translator/config/specialization.hpp"
#include "translator/launch/launch_plan.hpp"

namespace tilecc::codegen {

std::string apply_edits(const std::string& source, std::vector<SourceEdit> edits) {
  std::sort(edits.begin(), edits.end(), [](const SourceEdit& a, const SourceEdit& b) { return a.offset < b.offset; });
  std::string out;
  std::size_t pos = 0;
  for (const SourceEdit& e : edits) {
    if (e.offset < pos || e.offset + e.length > source.size())
      throw std::invalid_argument("tilecc: overlapping or out-of-range source edits");
    out.append(source, pos, e.offset - pos);
    out += e.text;
    pos = e.offset + e.length;
  }
  out.append(source, pos, std::string::npos);
  const std::string from = "#include <tilecc/tile.hpp>", to = "#include <tilecc/cuda.hpp>";
  for (std::size_t p = 0; (p = out.find(from, p)) != std::string::npos; p += to.size()) out.replace(p, from.size(), to);
  return out;
}

void TranslationUnit::replace_kernel(std::size_t offset, std::size_t length, std::string template_decl,
                                     std::vector<int> instances) {
  edits.push_back({offset, length, ""});
  families.push_back({edits.size() - 1, std::move(template_decl), std::move(instances)});
}

void TranslationUnit::replace_with_note(std::size_t offset, std::size_t length, const std::string& note) {
  edits.push_back({offset, length, "// " + note});
}

namespace {

/// Whether the launch plan runs a looped variant; a plan that cannot be made runs none (the
/// lowering of the kernel reports why).
bool runs_looped(const ir::Kernel& k, const Config& config) {
  try {
    return launch::plan_launch(k, config).beyond_guards == launch::BeyondGuards::RunLooped;
  } catch (const launch::PlanError&) {
    return false;
  }
}

}  // namespace

std::string emit_kernel_text(const ir::Kernel& k, const Config& config, const EmitOptions& options,
                             const VariantOptions& variant_options, const std::string& device_guard) {
  const std::vector<config::Slot> slots = config::specialization_slots(k, config, variant_options.no_specialize);
  EmitOptions generic = options;
  std::string variants;
  if (variant_options.specialize_auto) {
    const auto table = config::fact_table(config::backend_of(options.arch));
    for (const config::SpecializedVariant& v : config::auto_variants(k, slots, table)) {
      EmitOptions eo = options;
      eo.specialization = v.specialization;
      eo.symbol_suffix = joined_suffix(options.symbol_suffix, v.suffix);
      const KernelCode kv = emit_kernel(k, config, eo);
      std::string facts;
      for (const std::string& f : v.specialization.facts) facts += (facts.empty() ? "" : ", ") + f;
      variants +=
          fmt::format("// specialized for: {}\n{}\n", facts, guard_device_body(kv.global_function, device_guard));
      generic.dispatch.push_back({kv.kernel_symbol, v.requires_});
    }
  }
  // The launch plan decides whether whole extents beyond full_extent run a looped variant.
  std::string looped;
  if (!options.refuse_beyond_full_extent && runs_looped(k, config)) {
    const std::optional<Config> lc = config::looped_fallback(k, config);
    EmitOptions eo = options;
    eo.symbol_suffix = joined_suffix(options.symbol_suffix, kLoopedSuffix);
    const KernelCode kl = emit_kernel(k, lc.value(), eo);
    looped =
        fmt::format("// looped: whole extents beyond full_extent {}, walked in chunks of {}\n{}\n", config.full_extent,
                    lc->reduction_loops.at(0), guard_device_body(kl.global_function, device_guard));
    generic.looped_dynamic_shared = kl.resources.dynamic_shared_bytes;
  }
  const KernelCode kc = emit_kernel(k, config, generic);
  return fmt::format("// tilecc: kernel {}{}, config {}\n{}{}{}{}\n{}", k.name,
                     k.instance.empty() ? "" : "<" + k.instance + ">", config.to_json(), variants, looped,
                     variants.empty() ? "" : "// generic: accepts every valid input\n",
                     guard_device_body(kc.global_function, device_guard), kc.launcher);
}

std::string guard_device_body(const std::string& global_function, const std::string& guard) {
  if (guard.empty()) return global_function;
  // The body opens at the first brace after `__global__` (the signature holds none) and
  // closes at the text's last one.
  const std::size_t global = global_function.find("__global__");
  const std::size_t open = global_function.find("{\n", global == std::string::npos ? 0 : global);
  const std::size_t close = global_function.rfind('}');
  if (global == std::string::npos || open == std::string::npos || close == std::string::npos || close < open)
    throw std::logic_error("tilecc: a __global__ function without a body to guard");
  std::size_t line_start = global_function.rfind('\n', close);
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  return global_function.substr(0, open + 2) + "#if " + guard + "\n" +
         global_function.substr(open + 2, line_start - open - 2) + "#endif\n" + global_function.substr(line_start);
}

namespace {

/// With line directives, an edit's text (a kernel's code, a note) runs on lines of its own,
/// marked as tilecc's, and the source after it goes on at its own line number.
std::string with_line_directives(const std::string& source, const SourceEdit& e, const std::string& file) {
  const std::size_t end = e.offset + e.length;
  const int line =
      1 +
      static_cast<int>(
          std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(std::min(end, source.size())), '\n'));
  std::string text = e.offset == 0 || source[e.offset - 1] == '\n' ? "" : "\n";
  text += std::string(line_generated_marker) + "\n" + e.text;
  if (text.back() != '\n') text += '\n';
  return text + line_directive(line, file) + "\n";
}

}  // namespace

std::string assemble_file(const TranslationUnit& unit, const std::vector<std::string>& kernel_text,
                          const std::string& arch, const std::string& preamble) {
  const std::string header =
      fmt::format("// Generated by tilecc {} from {} (--arch {}). Edit the source and translate again.\n",
                  TILECC_VERSION, unit.input, arch);
  if (unit.from_ir) {
    std::string out = header + preamble + "#include <tilecc/cuda.hpp>\n\n";
    // A template's launchers are specializations: its declaration goes first, once.
    std::vector<std::string> declared;
    for (std::size_t i = 0; i < kernel_text.size(); ++i) {
      const std::string& decl = unit.module.kernels.at(i).template_decl;
      if (!decl.empty() && std::find(declared.begin(), declared.end(), decl) == declared.end()) {
        declared.push_back(decl);
        out += decl + "\n\n";
      }
      out += kernel_text[i] + "\n";
    }
    return out;
  }
  std::vector<SourceEdit> edits = unit.edits;
  for (const KernelFamily& f : unit.families) {
    std::string text = f.template_decl.empty() ? "" : f.template_decl + "\n\n";
    for (int i : f.instances) text += kernel_text.at(static_cast<std::size_t>(i)) + "\n";
    edits.at(f.edit).text = text;
  }
  if (unit.line_file.empty()) return header + preamble + apply_edits(unit.source, std::move(edits));
  for (SourceEdit& e : edits) e.text = with_line_directives(unit.source, e, unit.line_file);
  return header + preamble + line_directive(1, unit.line_file) + "\n" + apply_edits(unit.source, std::move(edits));
}

}  // namespace tilecc::codegen
