#include "config_space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <set>

#include "translator/passes/pipeline.hpp"
#include "translator/passes/resources.hpp"

namespace tilecc::autotune {

using namespace tilecc::config;

namespace {

bool is_pow2(std::int64_t v) { return v >= 1 && (v & (v - 1)) == 0; }

std::int64_t pow2_at_least(std::int64_t v) {
  std::int64_t p = 1;
  while (p < v) p *= 2;
  return p;
}

std::int64_t pow2_at_most(std::int64_t v) {
  std::int64_t p = 1;
  while (p * 2 <= v) p *= 2;
  return p;
}

/// "load_hints[3]" -> {"load_hints", 3}; "num_warps" -> {"num_warps", -1}.
std::pair<std::string, int> split_path(const std::string& path) {
  const auto open = path.find('[');
  if (open == std::string::npos) return {path, -1};
  return {path.substr(0, open), std::stoi(path.substr(open + 1))};
}

/// Every per-element list written out in full (defaults filled in), so that a fragment's
/// path always names an existing JSON element.
nlohmann::json explicit_json(const Config& c, const KernelStructure& st) {
  nlohmann::json j = nlohmann::json::parse(c.to_json());
  j["pid"] = name(c.pid);
  j["programs_per_sm"] = c.programs_per_sm;
  j["prefetch"] = c.prefetch;
  j["min_blocks_per_sm"] = c.min_blocks_per_sm;
  j["threads_per_row"] = c.threads_per_row;
  j["l2_grouping"] = c.l2_grouping;
  j["dot_instruction"] = name(c.dot_instruction);
  j["dot_operand_load"] = name(c.dot_operand_load);
  auto fill = [&](const char* key, std::size_t n, const nlohmann::json& dflt, const nlohmann::json& have) {
    if (have.is_array() && have.size() == n) {
      j[key] = have;
      return;
    }
    j[key] = nlohmann::json::array();
    for (std::size_t i = 0; i < n; ++i) j[key].push_back(dflt);
  };
  const nlohmann::json given = nlohmann::json::parse(c.to_json());
  auto have = [&](const char* key) { return given.contains(key) ? given[key] : nlohmann::json(); };
  {
    nlohmann::json orders = nlohmann::json::array();
    for (std::size_t i = 0; i < st.multi_dim_loops.size(); ++i) {
      if (i < c.loop_orders.size()) {
        orders.push_back(c.loop_orders[i]);
      } else {
        std::vector<int> id(st.multi_dim_loops[i]->dims.size());
        std::iota(id.begin(), id.end(), 0);
        orders.push_back(id);
      }
    }
    j["loop_orders"] = orders;
  }
  fill("flatten_loops", st.multi_dim_loops.size(), false, have("flatten_loops"));
  fill("reduction_loops", st.reduction_dims.size(), 0, have("reduction_loops"));
  fill("range_unroll_factors", st.device_loops.size(), 0, have("range_unroll_factors"));
  fill("range_num_stages", st.device_loops.size(), 0, have("range_num_stages"));
  fill("load_vectors", st.loads.size(), true, have("load_vectors"));
  fill("store_vectors", st.stores.size(), true, have("store_vectors"));
  fill("load_hints", st.loads.size(), "default", have("load_hints"));
  fill("store_hints", st.stores.size(), "default", have("store_hints"));
  fill("load_tma", st.loads.size(), false, have("load_tma"));
  fill("store_tma", st.stores.size(), false, have("store_tma"));
  return j;
}

nlohmann::json& at_path(nlohmann::json& j, const std::string& path) {
  const auto [key, index] = split_path(path);
  nlohmann::json& field = j[key];
  return index < 0 ? field : field.at(static_cast<std::size_t>(index));
}

const char* kind_name(Fragment::Kind k) {
  switch (k) {
    case Fragment::Kind::PowerOfTwo: return "power_of_two";
    case Fragment::Kind::IntRange: return "int_range";
    case Fragment::Kind::Enum: return "enum";
    case Fragment::Kind::Bool: return "bool";
    case Fragment::Kind::Permutation: return "permutation";
  }
  return "?";
}

std::string loop_text(const ir::Stmt& s) {
  std::string vars;
  for (const ir::LoopDim& d : s.dims) vars += (vars.empty() ? "" : ", ") + d.var;
  return fmt::format("{} ({}) at line {}", s.is_grid ? "grid" : "tile", vars, s.loc.line);
}

/// The block-size slots of tile loops whose tiles a dot multiplies (its operands' dims): below
/// 16 (the mma.sync granularity) the dot leaves the tensor cores, so the space starts there.
std::set<int> dot_tile_slots(const ir::Kernel& kernel) {
  std::set<std::string> vars;
  std::function<void(const ir::ExprPtr&)> expr = [&](const ir::ExprPtr& e) {
    if (!e) return;
    if (e->kind == ir::Expr::Kind::Dot)
      for (std::size_t a = 0; a < 2 && a < e->args.size(); ++a)
        for (const ir::Dim& d : e->args[a]->shape)
          if (d.kind == ir::Dim::Kind::Tile) vars.insert(d.var);
    for (const ir::ExprPtr& a : e->args) expr(a);
  };
  std::set<int> slots;
  std::function<void(const std::vector<ir::StmtPtr>&, bool)> body = [&](const std::vector<ir::StmtPtr>& b,
                                                                        bool collect) {
    for (const ir::StmtPtr& st : b) {
      if (!collect) expr(st->expr);
      for (const ir::LoopDim& d : st->dims)
        if (collect && vars.count(d.var) && d.block.kind == ir::BlockSpec::Kind::Tunable) slots.insert(d.block.slot);
      body(st->body, collect);
    }
  };
  body(kernel.body, false);
  body(kernel.body, true);
  return slots;
}

/// The values of a PowerOfTwo fragment, ascending.
std::vector<std::int64_t> pow2_values(const Fragment& f) {
  std::vector<std::int64_t> v;
  if (f.zero_means_auto) v.push_back(0);
  for (std::int64_t p = f.min; p <= f.max; p *= 2) v.push_back(p);
  return v;
}

}  // namespace

// ---- Fragment ---------------------------------------------------------------------------------

std::int64_t Fragment::cardinality() const {
  switch (kind) {
    case Kind::PowerOfTwo: return static_cast<std::int64_t>(pow2_values(*this).size());
    case Kind::IntRange: return max - min + 1 + (zero_means_auto && min > 0 ? 1 : 0);
    case Kind::Enum: return static_cast<std::int64_t>(choices.size());
    case Kind::Bool: return 2;
    case Kind::Permutation: {
      std::int64_t n = 1;
      for (int i = 2; i <= length; ++i) {
        if (n > std::numeric_limits<std::int64_t>::max() / i) return std::numeric_limits<std::int64_t>::max();
        n *= i;
      }
      return n;
    }
  }
  return 0;
}

std::vector<Value> Fragment::values() const {
  std::vector<Value> out;
  switch (kind) {
    case Kind::PowerOfTwo:
      for (std::int64_t v : pow2_values(*this)) out.push_back({v, {}});
      break;
    case Kind::IntRange:
      if (zero_means_auto && min > 0) out.push_back({0, {}});
      for (std::int64_t v = min; v <= max; ++v) out.push_back({v, {}});
      break;
    case Kind::Enum:
      for (std::size_t i = 0; i < choices.size(); ++i) out.push_back({static_cast<std::int64_t>(i), {}});
      break;
    case Kind::Bool: out = {{0, {}}, {1, {}}}; break;
    case Kind::Permutation:
      throw ConfigError(fmt::format("config field '{}': the orders of a permutation are not listed", name));
  }
  return out;
}

bool Fragment::contains(const Value& v) const {
  switch (kind) {
    case Kind::PowerOfTwo:
      return (zero_means_auto && v.number == 0) || (is_pow2(v.number) && v.number >= min && v.number <= max);
    case Kind::IntRange: return (zero_means_auto && v.number == 0) || (v.number >= min && v.number <= max);
    case Kind::Enum: return v.number >= 0 && v.number < static_cast<std::int64_t>(choices.size());
    case Kind::Bool: return v.number == 0 || v.number == 1;
    case Kind::Permutation: {
      if (static_cast<int>(v.order.size()) != length) return false;
      std::vector<int> sorted = v.order;
      std::sort(sorted.begin(), sorted.end());
      for (int i = 0; i < length; ++i)
        if (sorted[static_cast<std::size_t>(i)] != i) return false;
      return true;
    }
  }
  return false;
}

nlohmann::json Fragment::to_json(const Value& v) const {
  switch (kind) {
    case Kind::PowerOfTwo:
    case Kind::IntRange: return v.number;
    case Kind::Enum: return choices.at(static_cast<std::size_t>(v.number));
    case Kind::Bool: return v.number != 0;
    case Kind::Permutation: return v.order;
  }
  return nullptr;
}

Value Fragment::from_json(const nlohmann::json& j) const {
  Value v;
  try {
    switch (kind) {
      case Kind::PowerOfTwo:
      case Kind::IntRange: v.number = j.is_null() ? 0 : j.get<std::int64_t>(); break;
      case Kind::Enum: {
        const std::string s = j.get<std::string>();
        const auto it = std::find(choices.begin(), choices.end(), s);
        if (it == choices.end()) throw ConfigError(fmt::format("config field '{}': '{}' is not a choice", name, s));
        v.number = it - choices.begin();
        break;
      }
      case Kind::Bool: v.number = j.get<bool>() ? 1 : 0; break;
      case Kind::Permutation: v.order = j.get<std::vector<int>>(); break;
    }
  } catch (const nlohmann::json::exception&) {
    throw ConfigError(fmt::format("config field '{}': wrong type ({})", name, j.dump()));
  }
  if (!contains(v)) throw ConfigError(fmt::format("config field '{}': {} is outside the space", name, j.dump()));
  return v;
}

// ---- architectures ------------------------------------------------------------------------------

// ---- the space ---------------------------------------------------------------------------------

ConfigSpace::ConfigSpace(const ir::Kernel& kernel) : ConfigSpace(kernel, default_config(kernel)) {}

ConfigSpace::ConfigSpace(const ir::Kernel& kernel, Config base, const std::string& arch)
    : kernel_(&kernel), base_(std::move(base)) {
  const KernelStructure st = analyze(kernel);
  const bool tma = backend_of(arch) == Backend::sm90;  // bulk copies: sm_90+
  // What only lowering knows and no config changes: one-column fragments (no vector access to
  // choose), loads a persistent program could prefetch.
  const passes::Resources shape = passes::analyze_resources(passes::lower(kernel, base_, passes::Target{}));
  auto set_at = [](const std::vector<bool>& v, std::size_t i) { return i < v.size() && v[i]; };
  auto add = [&](Fragment f) { fragments_.push_back(std::move(f)); };
  auto pow2 = [](std::string name, std::string doc, std::int64_t lo, std::int64_t hi, bool zero = false) {
    Fragment f;
    f.kind = Fragment::Kind::PowerOfTwo;
    f.name = std::move(name);
    f.doc = std::move(doc);
    f.min = pow2_at_least(std::max<std::int64_t>(lo, 1));
    f.max = std::max(f.min, pow2_at_most(hi));
    f.zero_means_auto = zero;
    return f;
  };
  auto range = [](std::string name, std::string doc, std::int64_t lo, std::int64_t hi, bool zero = false) {
    Fragment f;
    f.kind = Fragment::Kind::IntRange;
    f.name = std::move(name);
    f.doc = std::move(doc);
    f.min = lo;
    f.max = hi;
    f.zero_means_auto = zero;
    return f;
  };
  auto choice = [](std::string name, std::string doc, std::vector<std::string> choices) {
    Fragment f;
    f.kind = Fragment::Kind::Enum;
    f.name = std::move(name);
    f.doc = std::move(doc);
    f.choices = std::move(choices);
    return f;
  };
  auto flag = [](std::string name, std::string doc) {
    Fragment f;
    f.kind = Fragment::Kind::Bool;
    f.name = std::move(name);
    f.doc = std::move(doc);
    return f;
  };

  const std::set<int> dot_slots = dot_tile_slots(kernel);
  for (std::size_t i = 0; i < kernel.block_slots.size(); ++i) {
    const ir::BlockSlot& s = kernel.block_slots[i];
    const bool dot = dot_slots.count(static_cast<int>(i)) && s.max >= 16;
    add(pow2(fmt::format("block_sizes[{}]", i), "block size of " + s.name + (dot ? " (a dot's: from 16)" : ""),
             dot ? std::max<std::int64_t>(s.min, 16) : s.min, std::min<std::int64_t>(s.max, 1024)));
  }
  add(pow2("num_warps", "warps per block", 1, 32));
  add(range("min_blocks_per_sm", "register cap: blocks per SM to leave registers for (0 = no cap)", 0, 4));
  add(pow2("threads_per_row", "threads across a tile row (0 = codegen chooses)", 1, 1024, true));
  std::vector<std::string> pids = {"flat", "persistent_blocked", "persistent_interleaved"};
  if (st.launch_dims.size() >= 2) pids.insert(pids.begin() + 1, "xyz");
  if (!st.launch_dims.empty()) {
    add(choice("pid", "program-id mapping", pids));
    add(range("programs_per_sm", "persistent grid: SM count x this", 1, 8));
    if (shape.prefetchable_loads > 0)
      add(flag("prefetch", "persistent: issue the next program's loads before computing this one"));
  }
  if (st.launch_loop_2d) add(pow2("l2_grouping", "rows of tiles walked together over a 2-D grid (1 = off)", 1, 64));
  for (std::size_t i = 0; i < st.multi_dim_loops.size(); ++i) {
    const ir::Stmt& s = *st.multi_dim_loops[i];
    Fragment f;
    f.kind = Fragment::Kind::Permutation;
    f.name = fmt::format("loop_orders[{}]", i);
    f.doc = "order of the dims of " + loop_text(s);
    f.length = static_cast<int>(s.dims.size());
    add(f);
    add(flag(fmt::format("flatten_loops[{}]", i), "one linear loop / grid axis over " + loop_text(s)));
  }
  if (kLoopedReductions && st.reductions_loopable)
    for (std::size_t i = 0; i < st.reduction_dims.size(); ++i)
      add(pow2(fmt::format("reduction_loops[{}]", i),
               "reduction over " + st.reduction_dims[i] + ": 0 = persistent (whole extent in registers), else chunk",
               32, 4096, true));
  for (std::size_t i = 0; i < st.device_loops.size(); ++i) {
    const std::string where = loop_text(*st.device_loops[i]);
    if (st.device_loop_is_dot[i])
      add(range(fmt::format("range_num_stages[{}]", i),
                "cp.async pipeline stages of the dot k-loop " + where + " (0 = as many as fit)", 2, 4, true));
    else
      add(pow2(fmt::format("range_unroll_factors[{}]", i), "unroll factor of " + where + " (0 = compiler's choice)", 1,
               8, true));
  }
  if (std::find(st.device_loop_is_dot.begin(), st.device_loop_is_dot.end(), true) != st.device_loop_is_dot.end()) {
    add(choice("dot_instruction", "tensor-core instruction of the f16/bf16 dot k-loops (wgmma: sm_90a, k block 64)",
               {"auto", "mma_sync", "wgmma"}));
    if (arch == "sm_90a")
      add(choice(
          "dot_operand_load",
          "how the wgmma k-loops' operands reach shared memory (tma: tensor maps; tma_ws: and a producer warpgroup; "
          "auto: tma where it applies)",
          {"auto", "cp_async", "tma", "tma_ws"}));
  }
  for (std::size_t i = 0; i < st.loads.size(); ++i) {
    const ir::Expr& e = *st.loads[i];
    const std::string what = fmt::format("load of {} at line {}", e.name, e.loc.line);
    if (!set_at(shape.load_rows_only, i))
      add(flag(fmt::format("load_vectors[{}]", i), "16-byte vector accesses for the " + what));
    add(choice(fmt::format("load_hints[{}]", i), "cache hint for the " + what,
               {"default", "evict_first", "evict_last", "cg"}));
    if (tma && !set_at(shape.load_rows_only, i) && !st.load_is_gather[i])
      add(flag(fmt::format("load_tma[{}]", i), "TMA bulk copies (via shared memory) for the " + what));
  }
  for (std::size_t i = 0; i < st.stores.size(); ++i) {
    const ir::Stmt& s = *st.stores[i];
    const std::string what = fmt::format("store to {} at line {}", s.name, s.loc.line);
    if (!set_at(shape.store_rows_only, i))
      add(flag(fmt::format("store_vectors[{}]", i), "16-byte vector accesses for the " + what));
    add(choice(fmt::format("store_hints[{}]", i), "cache hint for the " + what, {"default", "evict_first", "cs"}));
    if (tma && !set_at(shape.store_rows_only, i) && !set_at(shape.store_from_dot, i))
      add(flag(fmt::format("store_tma[{}]", i), "TMA bulk copies (via shared memory) for the " + what));
  }
}

Config ConfigSpace::decode(const Point& p) const {
  if (p.size() != fragments_.size())
    throw ConfigError(fmt::format("config point: {} values for a space of {} fragments", p.size(), fragments_.size()));
  nlohmann::json j = explicit_json(base_, analyze(*kernel_));
  for (std::size_t i = 0; i < p.size(); ++i) {
    const Fragment& f = fragments_[i];
    if (!f.contains(p[i])) throw ConfigError(fmt::format("config field '{}': value outside the space", f.name));
    at_path(j, f.name) = f.to_json(p[i]);
  }
  return apply_config_json(j.dump(), base_);
}

Point ConfigSpace::encode(const Config& c) const {
  nlohmann::json j = explicit_json(c, analyze(*kernel_));
  Point p;
  for (const Fragment& f : fragments_) p.push_back(f.from_json(at_path(j, f.name)));
  return p;
}

Point ConfigSpace::default_point() const { return encode(base_); }

std::uint64_t ConfigSpace::draw(std::mt19937_64& rng, std::uint64_t n) {
  if (n <= 1) return 0;
  // Rejection sampling: unbiased and the same on every standard library.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
  for (;;) {
    const std::uint64_t r = rng();
    if (r < limit) return r % n;
  }
}

namespace {
Value random_value(const Fragment& f, std::mt19937_64& rng) {
  Value v;
  switch (f.kind) {
    case Fragment::Kind::PowerOfTwo: {
      const std::vector<std::int64_t> values = pow2_values(f);
      v.number = values[ConfigSpace::draw(rng, values.size())];
      break;
    }
    case Fragment::Kind::IntRange: {
      const std::uint64_t n = static_cast<std::uint64_t>(f.max - f.min + 1) + (f.zero_means_auto && f.min > 0 ? 1 : 0);
      const std::uint64_t k = ConfigSpace::draw(rng, n);
      v.number = k == static_cast<std::uint64_t>(f.max - f.min + 1) ? 0 : f.min + static_cast<std::int64_t>(k);
      break;
    }
    case Fragment::Kind::Enum: v.number = static_cast<std::int64_t>(ConfigSpace::draw(rng, f.choices.size())); break;
    case Fragment::Kind::Bool: v.number = static_cast<std::int64_t>(ConfigSpace::draw(rng, 2)); break;
    case Fragment::Kind::Permutation: {
      v.order.resize(static_cast<std::size_t>(f.length));
      std::iota(v.order.begin(), v.order.end(), 0);
      for (std::size_t i = v.order.size(); i > 1; --i) std::swap(v.order[i - 1], v.order[ConfigSpace::draw(rng, i)]);
      break;
    }
  }
  return v;
}
}  // namespace

Point ConfigSpace::random_point(std::mt19937_64& rng) const {
  Point p;
  for (const Fragment& f : fragments_) p.push_back(random_value(f, rng));
  return p;
}

Point ConfigSpace::random_valid(std::mt19937_64& rng, const std::string& arch, int attempts,
                                const std::map<std::size_t, Value>& fixed) const {
  for (const auto& [index, value] : fixed)
    if (index >= fragments_.size() || !fragments_[index].contains(value))
      throw ConfigError(
          fmt::format("kernel '{}': a fixed value outside fragment {} of the space", kernel_->name, index));
  std::map<std::string, int> reasons;
  for (int i = 0; i < attempts; ++i) {
    Point p = random_point(rng);
    for (const auto& [index, value] : fixed) p[index] = value;
    std::optional<std::string> why;
    try {
      why = check(decode(p), arch);
    } catch (const ConfigError& e) {
      why = e.what();
    }
    if (!why) return p;
    ++reasons[why->substr(0, why->find(':'))];
  }
  std::string common;
  int most = 0;
  for (const auto& [r, n] : reasons)
    if (n > most) most = n, common = r;
  throw ConfigError(
      fmt::format("kernel '{}': no valid config in {} random draws (most often: {})", kernel_->name, attempts, common));
}

std::vector<Point> ConfigSpace::neighbors(const Point& p) const {
  std::vector<Point> out;
  for (std::size_t i = 0; i < fragments_.size() && i < p.size(); ++i) {
    const Fragment& f = fragments_[i];
    auto with = [&](Value v) {
      if (!f.contains(v) || v == p[i]) return;
      Point q = p;
      q[i] = std::move(v);
      out.push_back(std::move(q));
    };
    const std::int64_t x = p[i].number;
    switch (f.kind) {
      case Fragment::Kind::PowerOfTwo: {
        const std::vector<std::int64_t> values = pow2_values(f);
        const auto it = std::find(values.begin(), values.end(), x);
        if (it == values.end()) break;
        if (it != values.begin()) with({*(it - 1), {}});
        if (it + 1 != values.end()) with({*(it + 1), {}});
        break;
      }
      case Fragment::Kind::IntRange:
        with({x - 1, {}});
        with({x + 1, {}});
        if (f.zero_means_auto && x == f.min) with({0, {}});
        if (f.zero_means_auto && x == 0) with({f.min, {}});
        break;
      case Fragment::Kind::Enum:
        for (std::int64_t c = 0; c < static_cast<std::int64_t>(f.choices.size()); ++c) with({c, {}});
        break;
      case Fragment::Kind::Bool: with({1 - x, {}}); break;
      case Fragment::Kind::Permutation:
        for (std::size_t k = 0; k + 1 < p[i].order.size(); ++k) {
          Value v = p[i];
          std::swap(v.order[k], v.order[k + 1]);
          with(v);
        }
        break;
    }
  }
  return out;
}

Point ConfigSpace::mutate(const Point& p, std::mt19937_64& rng, int count) const {
  Point q = p;
  if (fragments_.empty()) return q;
  for (int c = 0; c < count; ++c) {
    const std::size_t i = draw(rng, fragments_.size());
    q.at(i) = random_value(fragments_[i], rng);
  }
  return q;
}

std::optional<std::string> ConfigSpace::check(const Config& c, const std::string& arch) const {
  ArchLimits limits;
  try {
    limits = arch_limits(arch);
    validate(c, *kernel_);
  } catch (const ConfigError& e) {
    return std::string(e.what());
  }
  ir::Kernel lowered;
  try {
    lowered = passes::lower(*kernel_, c, passes::Target{arch});
  } catch (const passes::LoweringError& e) {
    return std::string(e.what());
  } catch (const ConfigError& e) {
    return std::string(e.what());
  }
  return passes::over_limits(lowered, passes::analyze_resources(lowered), limits);
}

Config sample_for_all(const std::vector<const ConfigSpace*>& spaces, std::mt19937_64& rng, const std::string& arch,
                      int attempts, const std::map<std::size_t, Value>& fixed) {
  if (spaces.empty()) throw ConfigError("sample_for_all: no spaces");
  const ConfigSpace& last = *spaces.back();
  for (int i = 0; i < attempts; ++i) {
    const Config c = last.decode(last.random_valid(rng, arch, 2000, fixed));
    bool ok = true;
    for (const ConfigSpace* s : spaces) ok = ok && (s == &last || !s->check(c, arch));
    if (ok) return c;
  }
  throw ConfigError(fmt::format("kernel '{}': no config valid for all {} instances in {} draws", last.kernel().name,
                                spaces.size(), attempts));
}

std::vector<Config> sample_configs(const std::vector<const ConfigSpace*>& spaces, int count, std::uint64_t seed,
                                   const std::string& arch, const std::vector<std::string>& cover) {
  if (spaces.empty()) throw ConfigError("sample_configs: no spaces");
  const ConfigSpace& last = *spaces.back();
  std::vector<std::map<std::size_t, Value>> pins;  // one per covered value, in order
  for (const std::string& name : cover) {
    const auto& fs = last.fragments();
    const auto it = std::find_if(fs.begin(), fs.end(), [&](const Fragment& f) { return f.name == name; });
    if (it == fs.end())
      throw ConfigError(fmt::format("kernel '{}': no fragment '{}' to cover in its space", last.kernel().name, name));
    for (const Value& v : it->values()) pins.push_back({{static_cast<std::size_t>(it - fs.begin()), v}});
  }
  std::mt19937_64 rng(seed);
  std::vector<Config> out;
  for (int i = 0; i < count; ++i)
    out.push_back(sample_for_all(spaces, rng, arch, 200,
                                 static_cast<std::size_t>(i) < pins.size() ? pins[static_cast<std::size_t>(i)]
                                                                           : std::map<std::size_t, Value>{}));
  return out;
}

std::string ConfigSpace::fingerprint() const {
  nlohmann::json j = nlohmann::json::array();
  j.push_back(kernel_->name);
  j.push_back(kernel_->instance);
  for (const Fragment& f : fragments_)
    j.push_back({f.name, kind_name(f.kind), f.min, f.max, f.zero_means_auto, f.choices, f.length});
  const std::string text = j.dump();
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

nlohmann::json ConfigSpace::to_json() const {
  nlohmann::json frags = nlohmann::json::array();
  const Point dflt = default_point();
  for (std::size_t i = 0; i < fragments_.size(); ++i) {
    const Fragment& f = fragments_[i];
    nlohmann::json o{{"name", f.name}, {"kind", kind_name(f.kind)}, {"doc", f.doc}, {"default", f.to_json(dflt[i])}};
    switch (f.kind) {
      case Fragment::Kind::PowerOfTwo:
      case Fragment::Kind::IntRange:
        o["min"] = f.min;
        o["max"] = f.max;
        if (f.zero_means_auto) o["zero_means_auto"] = true;
        break;
      case Fragment::Kind::Enum: o["choices"] = f.choices; break;
      case Fragment::Kind::Bool: break;
      case Fragment::Kind::Permutation: o["length"] = f.length; break;
    }
    o["cardinality"] = f.cardinality();
    frags.push_back(o);
  }
  return {{"kernel", kernel_->name},
          {"instance", kernel_->instance},
          {"fingerprint", fingerprint()},
          {"fragments", frags},
          {"default", nlohmann::json::parse(base_.to_json())}};
}

}  // namespace tilecc::autotune
