#include "config.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace tilecc::codegen {

namespace {
bool is_pow2(std::int64_t v) { return v >= 1 && (v & (v - 1)) == 0; }

/// Number of tunable dimensions of the launch loop nest (they share the grid).
void count_launch_slots(const std::vector<ir::StmtPtr>& body, std::vector<int>& slots) {
  for (const ir::StmtPtr& s : body)
    if (s->kind == ir::Stmt::Kind::Loop && s->is_launch) {
      for (const ir::LoopDim& d : s->dims)
        if (d.block.kind == ir::BlockSpec::Kind::Tunable) slots.push_back(d.block.slot);
      count_launch_slots(s->body, slots);
    }
}
}  // namespace

std::string Config::to_json() const {
  nlohmann::json j{{"block_sizes", block_sizes}, {"num_warps", num_warps}, {"full_extent", full_extent}};
  if (min_blocks_per_sm) j["min_blocks_per_sm"] = min_blocks_per_sm;
  if (threads_per_row) j["threads_per_row"] = threads_per_row;
  if (persistent) {
    j["pid"] = "persistent";
    j["programs_per_sm"] = programs_per_sm;
    j["prefetch"] = prefetch;
  }
  return j.dump();
}

void validate(const Config& c, const ir::Kernel& k) {
  if (c.block_sizes.size() != k.block_slots.size())
    throw ConfigError(fmt::format("config field 'block_sizes': kernel '{}' has {} tunable block sizes, the config "
                                  "gives {}",
                                  k.name, k.block_slots.size(), c.block_sizes.size()));
  for (std::size_t i = 0; i < c.block_sizes.size(); ++i) {
    const std::int64_t b = c.block_sizes[i];
    const ir::BlockSlot& slot = k.block_slots[i];
    if (!is_pow2(b))
      throw ConfigError(fmt::format("config field 'block_sizes[{}]' ({}): {} is not a power of two", i, slot.name, b));
    if (b < slot.min || b > slot.max)
      throw ConfigError(fmt::format("config field 'block_sizes[{}]' ({}): {} is outside [{}, {}]", i, slot.name, b,
                                    slot.min, slot.max));
  }
  if (!is_pow2(c.num_warps) || c.num_warps > 32)
    throw ConfigError(fmt::format("config field 'num_warps': {} must be a power of two in [1, 32]", c.num_warps));
  if (c.min_blocks_per_sm < 0 || c.min_blocks_per_sm * c.num_warps * 32 > 2048)
    throw ConfigError(fmt::format("config field 'min_blocks_per_sm': {} blocks of {} threads do not fit on an SM "
                                  "(2048 threads)",
                                  c.min_blocks_per_sm, c.num_warps * 32));
  if (c.programs_per_sm < 1 || c.programs_per_sm > 32)
    throw ConfigError(fmt::format("config field 'programs_per_sm': {} is outside [1, 32]", c.programs_per_sm));
  if (c.threads_per_row != 0 && (!is_pow2(c.threads_per_row) || c.threads_per_row > c.num_warps * 32))
    throw ConfigError(fmt::format("config field 'threads_per_row': {} must be 0 (automatic) or a power of two no "
                                  "larger than the block's {} threads",
                                  c.threads_per_row, c.num_warps * 32));
  if (!is_pow2(c.full_extent) || c.full_extent > 65536)
    throw ConfigError(
        fmt::format("config field 'full_extent': {} must be a power of two no larger than 65536", c.full_extent));
}

Config parse_config(const std::string& text, const ir::Kernel& k) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(std::string("config: not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("config: expected a JSON object");
  Config c = default_config(k);
  for (const auto& [key, value] : j.items()) {
    try {
      if (key == "block_sizes") c.block_sizes = value.get<std::vector<std::int64_t>>();
      else if (key == "num_warps") c.num_warps = value.get<int>();
      else if (key == "full_extent") c.full_extent = value.get<std::int64_t>();
      else if (key == "min_blocks_per_sm") c.min_blocks_per_sm = value.get<int>();
      else if (key == "programs_per_sm") c.programs_per_sm = value.get<int>();
      else if (key == "prefetch") c.prefetch = value.get<bool>();
      else if (key == "threads_per_row") c.threads_per_row = value.get<int>();
      else if (key == "pid") {
        const std::string v = value.get<std::string>();
        if (v != "flat" && v != "persistent")
          throw ConfigError("config field 'pid': '" + v + "' is not one of flat, persistent");
        c.persistent = v == "persistent";
      } else
        throw ConfigError("config: unknown field '" + key +
                          "' (known: block_sizes, num_warps, full_extent, min_blocks_per_sm, pid, programs_per_sm, "
                          "prefetch, threads_per_row)");
    } catch (const nlohmann::json::type_error&) {
      throw ConfigError("config field '" + key + "': wrong type (" + value.dump() + ")");
    }
  }
  validate(c, k);
  return c;
}

namespace {
struct Features {
  bool whole_dims = false;  // x[t, all] or arange: rows are held whole
  bool dot = false;
  bool rank2 = false;  // some tile has two dimensions
};
void scan_expr(const ir::ExprPtr& e, Features& f) {
  if (!e) return;
  for (const ir::Dim& d : e->shape)
    if (d.kind == ir::Dim::Kind::Full || d.kind == ir::Dim::Kind::Expr) f.whole_dims = true;
  if (e->kind == ir::Expr::Kind::Dot) f.dot = true;
  if (e->shape.size() >= 2) f.rank2 = true;
  for (const ir::ExprPtr& a : e->args) scan_expr(a, f);
}
void scan(const std::vector<ir::StmtPtr>& body, Features& f) {
  for (const ir::StmtPtr& s : body) {
    scan_expr(s->expr, f);
    scan(s->body, f);
  }
}
}  // namespace

Config default_config(const ir::Kernel& k) {
  Config c;
  std::vector<int> launch;
  count_launch_slots(k.body, launch);
  Features f;
  scan(k.body, f);
  c.block_sizes.assign(k.block_slots.size(), 64);
  for (std::size_t i = 0; i < k.block_slots.size(); ++i) {
    const bool is_launch = std::find(launch.begin(), launch.end(), static_cast<int>(i)) != launch.end();
    std::int64_t b = f.dot ? 32 : 64;                        // device loops (k of a dot: 32)
    if (is_launch && launch.size() == 1) b = f.whole_dims || f.rank2 ? 4 : 1024;  // rows / flat
    if (is_launch && launch.size() >= 2) b = f.dot ? 128 : 32;  // dot: 128x128 tiles (bench/bench_matmul.cu)
    const ir::BlockSlot& s = k.block_slots[i];
    b = std::min(std::max(b, s.min), s.max);
    while (!is_pow2(b)) --b;
    c.block_sizes[i] = b;
  }
  c.num_warps = 8;  // dot: 128x128 on 4 warps is faster alone but spills beside the epilogue
  return c;
}

}  // namespace tilecc::codegen
