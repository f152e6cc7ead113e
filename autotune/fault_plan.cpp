#include "autotune/fault_plan.hpp"

#include <cstdlib>
#include <stdexcept>

namespace tilecc::autotune {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const std::size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

PlantedFault parse_item(std::string_view item) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("planted fault '" + std::string(item) + "': " + why);
  };
  const std::size_t colon = item.find(':');
  if (colon == std::string_view::npos) throw bad("expected KIND:MATCH (e.g. wrong:num_warps=8)");
  std::string_view kind = trim(item.substr(0, colon));
  PlantedFault f;
  if (const std::size_t at = kind.find('@'); at != std::string_view::npos) {
    if (kind.substr(at + 1) != "remeasure") throw bad("the only qualifier is @remeasure");
    f.remeasure_only = true;
    kind = kind.substr(0, at);
  }
  if (kind == "fault")
    f.kind = FaultKind::Fault;
  else if (kind == "hang")
    f.kind = FaultKind::Hang;
  else if (kind == "wrong")
    f.kind = FaultKind::Wrong;
  else if (kind == "crash")
    f.kind = FaultKind::Crash;
  else if (kind == "stall")
    f.kind = FaultKind::Stall;
  else
    throw bad("unknown kind '" + std::string(kind) + "' (fault, hang, wrong, crash, stall)");
  const std::string_view match = trim(item.substr(colon + 1));
  if (match == "*") return f;
  if (match.empty()) throw bad("no config to match (FIELD=VALUE, or * for every config)");
  for (std::string_view cond : split(match, '&')) {
    const std::size_t eq = cond.find('=');
    const std::string_view field = trim(cond.substr(0, eq));
    if (eq == std::string_view::npos || field.empty() || trim(cond.substr(eq + 1)).empty())
      throw bad("expected FIELD=VALUE, got '" + std::string(cond) + "'");
    f.fields.emplace_back(field, trim(cond.substr(eq + 1)));
  }
  return f;
}

/// A config field against the plan's VALUE: JSON, or a string without its quotes.
bool same(const nlohmann::json& field, const std::string& value) {
  if (field.is_string() && field.get<std::string>() == value) return true;
  const nlohmann::json parsed = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
  return !parsed.is_discarded() && parsed == field;
}

}  // namespace

const char* name(FaultKind k) {
  switch (k) {
    case FaultKind::Fault: return "fault";
    case FaultKind::Hang: return "hang";
    case FaultKind::Wrong: return "wrong";
    case FaultKind::Crash: return "crash";
    case FaultKind::Stall: return "stall";
  }
  return "?";
}

FaultPlan parse_fault_plan(std::string_view text) {
  FaultPlan plan;
  for (std::string_view item : split(text, ';'))
    if (!trim(item).empty()) plan.push_back(parse_item(trim(item)));
  return plan;
}

FaultPlan fault_plan_from_env() {
  const char* text = std::getenv(kFaultPlanEnv);
  if (!text || !*text) return {};
  try {
    return parse_fault_plan(text);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("$") + kFaultPlanEnv + ": " + e.what());
  }
}

std::optional<FaultKind> planted_fault(const FaultPlan& plan, const nlohmann::json& config, bool remeasure) {
  for (const PlantedFault& f : plan) {
    if (f.remeasure_only && !remeasure) continue;
    bool all = true;
    for (const auto& [field, value] : f.fields)
      all = all && config.is_object() && config.contains(field) && same(config[field], value);
    if (all) return f.kind;
  }
  return std::nullopt;
}

}  // namespace tilecc::autotune
