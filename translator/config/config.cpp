#include "config.hpp"

#include "translator/ir/serialize.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <utility>

namespace tilecc::config {

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

const char* name(Pid p) {
  switch (p) {
    case Pid::Flat: return "flat";
    case Pid::Xyz: return "xyz";
    case Pid::PersistentBlocked: return "persistent_blocked";
    case Pid::PersistentInterleaved: return "persistent_interleaved";
  }
  return "?";
}
const char* name(DotInstruction d) {
  switch (d) {
    case DotInstruction::Auto: return "auto";
    case DotInstruction::MmaSync: return "mma_sync";
    case DotInstruction::Wgmma: return "wgmma";
  }
  return "?";
}
const char* name(DotOperandLoad d) {
  switch (d) {
    case DotOperandLoad::CpAsync: return "cp_async";
    case DotOperandLoad::Tma: return "tma";
    case DotOperandLoad::TmaWs: return "tma_ws";
    case DotOperandLoad::Auto: return "auto";
  }
  return "?";
}
const char* name(LoadHint h) {
  switch (h) {
    case LoadHint::Default: return "default";
    case LoadHint::EvictFirst: return "evict_first";
    case LoadHint::EvictLast: return "evict_last";
    case LoadHint::Cg: return "cg";
  }
  return "?";
}
const char* name(StoreHint h) {
  switch (h) {
    case StoreHint::Default: return "default";
    case StoreHint::EvictFirst: return "evict_first";
    case StoreHint::Cs: return "cs";
  }
  return "?";
}

namespace {
template <class E, std::size_t N> E parse_enum(const std::string& field, const std::string& v, const E (&all)[N]) {
  std::string known;
  for (E e : all) {
    if (v == name(e)) return e;
    known += std::string(known.empty() ? "" : ", ") + name(e);
  }
  throw ConfigError(fmt::format("config field '{}': '{}' is not one of {}", field, v, known));
}
constexpr LoadHint kLoadHints[] = {LoadHint::Default, LoadHint::EvictFirst, LoadHint::EvictLast, LoadHint::Cg};
constexpr StoreHint kStoreHints[] = {StoreHint::Default, StoreHint::EvictFirst, StoreHint::Cs};
constexpr DotInstruction kDotInstructions[] = {DotInstruction::Auto, DotInstruction::MmaSync, DotInstruction::Wgmma};
constexpr DotOperandLoad kDotOperandLoads[] = {DotOperandLoad::CpAsync, DotOperandLoad::Tma, DotOperandLoad::TmaWs,
                                               DotOperandLoad::Auto};
constexpr Pid kPids[] = {Pid::Flat, Pid::Xyz, Pid::PersistentBlocked, Pid::PersistentInterleaved};

template <class V, class D> bool all_default(const std::vector<V>& v, const D& d) {
  return std::all_of(v.begin(), v.end(), [&](const V& x) { return x == d; });
}
}  // namespace

std::string Config::to_json() const {
  nlohmann::json j{{"block_sizes", block_sizes}, {"num_warps", num_warps}, {"full_extent", full_extent}};
  if (min_blocks_per_sm) j["min_blocks_per_sm"] = min_blocks_per_sm;
  if (threads_per_row) j["threads_per_row"] = threads_per_row;
  if (pid != Pid::Flat) j["pid"] = name(pid);
  if (persistent()) {
    j["programs_per_sm"] = programs_per_sm;
    j["prefetch"] = prefetch;
  }
  if (l2_grouping != 1) j["l2_grouping"] = l2_grouping;
  if (dot_instruction != DotInstruction::Auto) j["dot_instruction"] = name(dot_instruction);
  if (dot_operand_load != DotOperandLoad::CpAsync) j["dot_operand_load"] = name(dot_operand_load);
  // Per-element lists only when some entry differs from its default: old configs print as before.
  bool identity = true;
  for (const std::vector<int>& o : loop_orders)
    for (std::size_t i = 0; i < o.size(); ++i) identity = identity && o[i] == static_cast<int>(i);
  if (!identity) j["loop_orders"] = loop_orders;
  if (!all_default(flatten_loops, false)) j["flatten_loops"] = flatten_loops;
  if (!all_default(reduction_loops, std::int64_t{0})) j["reduction_loops"] = reduction_loops;
  if (!all_default(range_unroll_factors, 0)) j["range_unroll_factors"] = range_unroll_factors;
  if (!all_default(range_num_stages, 0)) j["range_num_stages"] = range_num_stages;
  if (!all_default(load_vectors, true)) j["load_vectors"] = load_vectors;
  if (!all_default(store_vectors, true)) j["store_vectors"] = store_vectors;
  if (!all_default(load_hints, LoadHint::Default)) {
    std::vector<std::string> v;
    for (LoadHint h : load_hints) v.push_back(name(h));
    j["load_hints"] = v;
  }
  if (!all_default(store_hints, StoreHint::Default)) {
    std::vector<std::string> v;
    for (StoreHint h : store_hints) v.push_back(name(h));
    j["store_hints"] = v;
  }
  if (!all_default(load_tma, false)) j["load_tma"] = load_tma;
  if (!all_default(store_tma, false)) j["store_tma"] = store_tma;
  return j.dump();
}

void validate(const Config& c, const ir::Kernel& k) {
  if (c.block_sizes.size() != k.block_slots.size())
    throw ConfigError(
        fmt::format("config field 'block_sizes': kernel '{}' has {} tunable block sizes, the config "
                    "gives {}",
                    k.name, k.block_slots.size(), c.block_sizes.size()));
  for (std::size_t i = 0; i < c.block_sizes.size(); ++i) {
    const std::int64_t b = c.block_sizes[i];
    const ir::BlockSlot& slot = k.block_slots[i];
    if (!is_pow2(b))
      throw ConfigError(fmt::format("config field 'block_sizes[{}]' ({}): {} is not a power of two", i, slot.name, b));
    if ((b < slot.min || b > slot.max) && slot.loc.line)  // the kernel's own bounds: point at them
      throw ConfigError(fmt::format("{}:{}:{}: error: block size {} of '{}' (config field 'block_sizes[{}]') is "
                                    "outside this register_block_size({}, {})\n  note: give '{}' a power of two "
                                    "in [{}, {}], or widen the kernel's bounds",
                                    k.source_file, slot.loc.line, slot.loc.column, b, slot.name, i, slot.min, slot.max,
                                    slot.name, slot.min, slot.max),
                        true);
    if (b < slot.min || b > slot.max)
      throw ConfigError(fmt::format("config field 'block_sizes[{}]' ({}): {} is outside [{}, {}]", i, slot.name, b,
                                    slot.min, slot.max));
  }
  if (!is_pow2(c.num_warps) || c.num_warps > 32)
    throw ConfigError(fmt::format("config field 'num_warps': {} must be a power of two in [1, 32]", c.num_warps));
  // In 64 bits: a huge min_blocks_per_sm must not wrap around into the range.
  if (c.min_blocks_per_sm < 0 || std::int64_t{c.min_blocks_per_sm} * c.num_warps * 32 > 2048)
    throw ConfigError(
        fmt::format("config field 'min_blocks_per_sm': {} blocks of {} threads do not fit on an SM "
                    "(2048 threads)",
                    c.min_blocks_per_sm, c.num_warps * 32));
  if (c.programs_per_sm < 1 || c.programs_per_sm > 32)
    throw ConfigError(fmt::format("config field 'programs_per_sm': {} is outside [1, 32]", c.programs_per_sm));
  if (c.threads_per_row != 0 && (!is_pow2(c.threads_per_row) || c.threads_per_row > c.num_warps * 32))
    throw ConfigError(
        fmt::format("config field 'threads_per_row': {} must be 0 (automatic) or a power of two no "
                    "larger than the block's {} threads",
                    c.threads_per_row, c.num_warps * 32));
  if (!is_pow2(c.full_extent) || c.full_extent > 65536)
    throw ConfigError(
        fmt::format("config field 'full_extent': {} must be a power of two no larger than 65536", c.full_extent));
  if (!is_pow2(c.l2_grouping) || c.l2_grouping > 256)
    throw ConfigError(
        fmt::format("config field 'l2_grouping': {} must be 1 (off) or a power of two up to 256", c.l2_grouping));

  const KernelStructure st = analyze(k);
  auto length = [&](const char* field, std::size_t have, std::size_t want, const char* what) {
    if (have != 0 && have != want)
      throw ConfigError(fmt::format("config field '{}': kernel '{}' has {} {}, the config gives {} entries", field,
                                    k.name, want, what, have));
  };
  length("loop_orders", c.loop_orders.size(), st.multi_dim_loops.size(), "multi-dim tile loops");
  length("flatten_loops", c.flatten_loops.size(), st.multi_dim_loops.size(), "multi-dim tile loops");
  length("reduction_loops", c.reduction_loops.size(), st.reduction_dims.size(), "reduction dimensions");
  length("range_unroll_factors", c.range_unroll_factors.size(), st.device_loops.size(), "device loops");
  length("range_num_stages", c.range_num_stages.size(), st.device_loops.size(), "device loops");
  length("load_vectors", c.load_vectors.size(), st.loads.size(), "tile loads");
  length("load_hints", c.load_hints.size(), st.loads.size(), "tile loads");
  length("store_vectors", c.store_vectors.size(), st.stores.size(), "tile stores");
  length("store_hints", c.store_hints.size(), st.stores.size(), "tile stores");
  length("load_tma", c.load_tma.size(), st.loads.size(), "tile loads");
  length("store_tma", c.store_tma.size(), st.stores.size(), "tile stores");
  for (std::size_t i = 0; i < c.load_tma.size(); ++i)
    if (c.load_tma[i] && st.load_is_gather[i])
      throw ConfigError(
          fmt::format("config field 'load_tma[{}]': this load gathers rows through an index tile; bulk "
                      "copies move whole tile rows at fixed strides, set it false",
                      i));
  for (std::size_t i = 0; i < c.loop_orders.size(); ++i) {
    std::vector<int> sorted = c.loop_orders[i];
    std::sort(sorted.begin(), sorted.end());
    const std::size_t n = st.multi_dim_loops[i]->dims.size();
    bool ok = sorted.size() == n;
    for (std::size_t d = 0; ok && d < n; ++d) ok = sorted[d] == static_cast<int>(d);
    if (!ok)
      throw ConfigError(
          fmt::format("config field 'loop_orders[{}]': must be an order of 0..{} (the loop's dims)", i, n - 1));
  }
  for (std::size_t i = 0; i < c.reduction_loops.size(); ++i) {
    const std::int64_t r = c.reduction_loops[i];
    if (r != 0 && (!is_pow2(r) || r < 16 || r > 65536))
      throw ConfigError(
          fmt::format("config field 'reduction_loops[{}]': {} must be 0 (persistent) or a power of two "
                      "chunk in [16, 65536]",
                      i, r));
    if (r != 0 && !kLoopedReductions)
      throw ConfigError(
          fmt::format("config field 'reduction_loops[{}]': looped (chunked) reductions are not "
                      "implemented by the CUDA backend yet; use 0 (persistent)",
                      i));
    if (r != 0 && !st.reductions_loopable)
      throw ConfigError(
          fmt::format("config field 'reduction_loops[{}]': kernel '{}' cannot walk {} in chunks (only "
                      "elementwise work on whole rows can be recomputed per chunk)",
                      i, k.name, st.reduction_dims[i]));
  }
  for (std::size_t i = 0; i < c.range_unroll_factors.size(); ++i) {
    if (c.range_unroll_factors[i] < 0 || c.range_unroll_factors[i] > 16)
      throw ConfigError(
          fmt::format("config field 'range_unroll_factors[{}]': {} is outside [0, 16]", i, c.range_unroll_factors[i]));
    if (c.range_unroll_factors[i] != 0 && st.device_loop_is_dot[i])
      throw ConfigError(
          fmt::format("config field 'range_unroll_factors[{}]': this loop is a dot k-loop (one library "
                      "call with its own pipeline); use range_num_stages",
                      i));
  }
  for (std::size_t i = 0; i < c.flatten_loops.size(); ++i)
    if (c.flatten_loops[i] && st.multi_dim_loops[i]->is_launch && c.pid != Pid::Xyz)
      throw ConfigError(
          fmt::format("config field 'flatten_loops[{}]': a launch loop is flattened only into a grid axis "
                      "of pid xyz; with pid {} program ids are already one linear index",
                      i, name(c.pid)));
  for (std::size_t i = 0; i < c.range_num_stages.size(); ++i) {
    const int s = c.range_num_stages[i];
    if (s != 0 && (s < 2 || s > 4 || !st.device_loop_is_dot[i]))
      throw ConfigError(fmt::format("config field 'range_num_stages[{}]': {} must be 0 (automatic){}", i, s,
                                    st.device_loop_is_dot[i] ? " or 2-4 cp.async stages"
                                                             : ": this loop is not a pipelined dot k-loop"));
  }
  if (c.pid == Pid::Xyz) {
    int axes = 0;
    for (std::size_t i = 0; i < st.launch_dims.size(); ++i) ++axes;
    for (std::size_t i = 0; i < st.multi_dim_loops.size(); ++i)
      if (st.multi_dim_loops[i]->is_launch && i < c.flatten_loops.size() && c.flatten_loops[i])
        axes -= static_cast<int>(st.multi_dim_loops[i]->dims.size()) - 1;
    if (axes > 3)
      throw ConfigError(
          fmt::format("config field 'pid': xyz needs {} grid axes, CUDA has 3 (flatten a launch loop "
                      "or use flat)",
                      axes));
    if (c.l2_grouping != 1)
      throw ConfigError("config field 'l2_grouping': needs one linear program id (pid flat or persistent_*), not xyz");
  }
  if (c.l2_grouping != 1 && !st.launch_loop_2d)
    throw ConfigError(fmt::format("config field 'l2_grouping': kernel '{}' has no 2-D launch grid to group", k.name));
}

Config parse_config(const std::string& text, const ir::Kernel& k) {
  Config c = apply_config_json(text, default_config(k));
  validate(c, k);
  return c;
}

namespace {
// A list or an object is named, not printed: printing recurses once per level of nesting,
// and a config can nest deeper than the stack (the reader parses without recursion).
std::string shown(const nlohmann::json& v) { return v.is_array() ? "a list" : v.is_object() ? "an object" : v.dump(); }
// Typed readers of config values. nlohmann's get<int>() converts silently (8.5 -> 8,
// true -> 1, 2^32 + 8 -> 8); a config that means something else than it says is refused,
// naming the field.
[[noreturn]] void wrong_type(const std::string& field, const nlohmann::json& v, const char* want) {
  throw ConfigError(fmt::format("config field '{}': {} is not {}", field, shown(v), want));
}
std::int64_t get_int(const nlohmann::json& v, const std::string& field, std::int64_t lo, std::int64_t hi) {
  if (!v.is_number_integer()) wrong_type(field, v, "an integer");
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
    throw ConfigError(fmt::format("config field '{}': {} is too large (at most {})", field, v.dump(), hi));
  const std::int64_t x = v.get<std::int64_t>();
  if (x < lo || x > hi) throw ConfigError(fmt::format("config field '{}': {} is outside [{}, {}]", field, x, lo, hi));
  return x;
}
// Wide enough for every knob's valid values, narrow enough that products of two of them
// (min_blocks_per_sm x threads) cannot overflow; validate() then checks each knob's range.
constexpr std::int64_t kIntMax = std::int64_t{1} << 31;
int get_int32(const nlohmann::json& v, const std::string& field) {
  return static_cast<int>(get_int(v, field, -kIntMax, kIntMax - 1));
}
bool get_bool(const nlohmann::json& v, const std::string& field) {
  if (!v.is_boolean()) wrong_type(field, v, "true or false");
  return v.get<bool>();
}
std::string get_string(const nlohmann::json& v, const std::string& field) {
  if (!v.is_string()) wrong_type(field, v, "a string");
  return v.get<std::string>();
}
const nlohmann::json& get_array(const nlohmann::json& v, const std::string& field) {
  if (!v.is_array()) wrong_type(field, v, "a list");
  return v;
}
template <class F> auto get_list(const nlohmann::json& v, const std::string& field, F item) {
  std::vector<decltype(item(v, field))> out;
  const nlohmann::json& a = get_array(v, field);
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(item(a[i], fmt::format("{}[{}]", field, i)));
  return out;
}
}  // namespace

Config apply_config_json(const std::string& text, Config c) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::out_of_range&) {
    // A number too large for a double (1e400): parse() reports it as out_of_range.
    const auto [key, number] = ir::overflowing_json_number(text);
    throw ConfigError(fmt::format("config field '{}': {} is out of range", key, number));
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("config: not valid JSON: ") + e.what());
  }
  if (!j.is_object()) throw ConfigError("config: expected a JSON object");
  const auto i64 = [](const nlohmann::json& v, const std::string& f) { return get_int(v, f, -kIntMax, kIntMax); };
  const auto i32 = [](const nlohmann::json& v, const std::string& f) { return get_int32(v, f); };
  const auto boolean = [](const nlohmann::json& v, const std::string& f) { return get_bool(v, f); };
  for (const auto& [key, value] : j.items()) {
    if (key == "block_sizes")
      c.block_sizes = get_list(value, key, i64);
    else if (key == "num_warps")
      c.num_warps = get_int32(value, key);
    else if (key == "full_extent")
      c.full_extent = i64(value, key);
    else if (key == "min_blocks_per_sm")
      c.min_blocks_per_sm = get_int32(value, key);
    else if (key == "programs_per_sm")
      c.programs_per_sm = get_int32(value, key);
    else if (key == "prefetch")
      c.prefetch = get_bool(value, key);
    else if (key == "threads_per_row")
      c.threads_per_row = get_int32(value, key);
    else if (key == "pid") {
      const std::string v = get_string(value, key);
      c.pid = v == "persistent" ? Pid::PersistentInterleaved : parse_enum("pid", v, kPids);  // old configs
    } else if (key == "l2_grouping")
      c.l2_grouping = get_int32(value, key);
    else if (key == "dot_instruction")
      c.dot_instruction = parse_enum("dot_instruction", get_string(value, key), kDotInstructions);
    else if (key == "dot_operand_load")
      c.dot_operand_load = parse_enum("dot_operand_load", get_string(value, key), kDotOperandLoads);
    else if (key == "loop_orders")
      c.loop_orders =
          get_list(value, key, [&](const nlohmann::json& v, const std::string& f) { return get_list(v, f, i32); });
    else if (key == "flatten_loops")
      c.flatten_loops = get_list(value, key, boolean);
    else if (key == "reduction_loops")
      c.reduction_loops = get_list(value, key, [&](const nlohmann::json& v, const std::string& f) {
        return v.is_null() ? std::int64_t{0} : i64(v, f);
      });
    else if (key == "range_unroll_factors")
      c.range_unroll_factors = get_list(value, key, i32);
    else if (key == "range_num_stages")
      c.range_num_stages = get_list(value, key, i32);
    else if (key == "load_vectors")
      c.load_vectors = get_list(value, key, boolean);
    else if (key == "store_vectors")
      c.store_vectors = get_list(value, key, boolean);
    else if (key == "load_hints")
      c.load_hints = get_list(value, key, [](const nlohmann::json& v, const std::string& f) {
        return parse_enum(f, get_string(v, f), kLoadHints);
      });
    else if (key == "load_tma")
      c.load_tma = get_list(value, key, boolean);
    else if (key == "store_tma")
      c.store_tma = get_list(value, key, boolean);
    else if (key == "store_hints")
      c.store_hints = get_list(value, key, [](const nlohmann::json& v, const std::string& f) {
        return parse_enum(f, get_string(v, f), kStoreHints);
      });
    else
      throw ConfigError("config: unknown field '" + key +
                        "' (known: block_sizes, num_warps, full_extent, min_blocks_per_sm, pid, programs_per_sm, "
                        "prefetch, threads_per_row, l2_grouping, loop_orders, flatten_loops, reduction_loops, "
                        "range_unroll_factors, range_num_stages, load_vectors, store_vectors, load_hints, "
                        "store_hints, load_tma, store_tma, dot_instruction, dot_operand_load)");
  }
  return c;
}

namespace {
struct Features {
  bool whole_dims = false;  // x[t, all] or arange: rows are held whole
  bool dot = false;
  bool dot_tensor_cores = false;  // a dot of f16/bf16 operands (mma.sync)
  bool dot_fp8 = false;           // a dot of fp8 operands (mma.sync k32; wgmma on sm_90a)
  bool rank2 = false;  // some tile has two dimensions
  bool whole_dot = false;  // a dot operand holds a whole extent (attention's head dim)
  int dots = 0;
  // Attention-like: whole extents in dots and two dots (scores, then probabilities times
  // values), whose tiles take the tensor-core accumulator layout.
  bool chained_dots() const { return whole_dot && dots >= 2; }
};
void scan_expr(const ir::ExprPtr& e, Features& f) {
  if (!e) return;
  for (const ir::Dim& d : e->shape)
    if (d.kind == ir::Dim::Kind::Full || d.kind == ir::Dim::Kind::Expr) f.whole_dims = true;
  if (e->kind == ir::Expr::Kind::Dot) {
    f.dot = true;
    ++f.dots;
    const ir::DType t = e->args.empty() ? ir::DType::f32 : e->args[0]->dtype;
    f.dot_tensor_cores = f.dot_tensor_cores || t == ir::DType::bf16 || t == ir::DType::f16;
    f.dot_fp8 = f.dot_fp8 || t == ir::DType::fp8e4m3 || t == ir::DType::fp8e5m2;
    for (std::size_t i = 0; i < e->args.size() && i < 2; ++i)
      for (const ir::Dim& d : e->args[i]->shape)
        f.whole_dot = f.whole_dot || d.kind == ir::Dim::Kind::Full || d.kind == ir::Dim::Kind::Expr;
  }
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

namespace {

/// How one tunable block size is used: by launch or device loops, and as the rows (first
/// dimension) or columns (second) of the kernel's rank-2 tiles.
struct SlotUse {
  bool launch = false, device = false, row = false, col = false;
  bool dot_mn = false, dot_k = false;  // a dot's product rows or columns; its reduced dimension
};

class SlotUses {
 public:
  explicit SlotUses(const ir::Kernel& k) { body(k.body); }
  std::map<int, SlotUse> uses;

 private:
  void body(const std::vector<ir::StmtPtr>& b) {
    for (const ir::StmtPtr& s : b) {
      if (s->kind == ir::Stmt::Kind::Loop && !s->is_grid)
        for (const ir::LoopDim& d : s->dims)
          if (d.block.kind == ir::BlockSpec::Kind::Tunable) {
            slot_of_[d.var] = d.block.slot;
            (s->is_launch ? uses[d.block.slot].launch : uses[d.block.slot].device) = true;
          }
      expr(s->expr);
      body(s->body);
    }
  }
  void expr(const ir::ExprPtr& e) {
    if (!e) return;
    if (e->kind == ir::Expr::Kind::Dot && e->args.size() >= 2 && e->args[0]->shape.size() == 2 &&
        e->args[1]->shape.size() == 2) {
      mark(e->args[0]->shape[0], &SlotUse::dot_mn);
      mark(e->args[1]->shape[1], &SlotUse::dot_mn);
      mark(e->args[0]->shape[1], &SlotUse::dot_k);
    }
    if (e->shape.size() == 2)
      for (int i = 0; i < 2; ++i)
        if (e->shape[i].kind == ir::Dim::Kind::Tile)
          if (auto it = slot_of_.find(e->shape[i].var); it != slot_of_.end())
            (i == 0 ? uses[it->second].row : uses[it->second].col) = true;
    for (const ir::ExprPtr& a : e->args) expr(a);
    for (const ir::Index& i : e->indices) expr(i.expr);
  }
  void mark(const ir::Dim& d, bool SlotUse::*role) {
    if (d.kind != ir::Dim::Kind::Tile) return;
    if (auto it = slot_of_.find(d.var); it != slot_of_.end()) uses[it->second].*role = true;
  }
  std::map<std::string, int> slot_of_;
};

std::int64_t pow2_in(std::int64_t want, const ir::BlockSlot& s) {
  std::int64_t b = std::min(std::max(want, s.min), s.max);
  while (b > 1 && !is_pow2(b)) --b;
  return b;
}

/// Kernels that stream tiles through a device loop (no dot, no whole rows: long row sums,
/// jagged sums, concatenation): one step of the loop gives every thread of the block a 16-byte
/// vector of the narrowest tensor element. A loop along the columns takes the widest tile it
/// may and the rows the rest (few rows a program: programs enough for long rows); a
/// loop down the rows takes a warp's width of the launch's columns and the rest in rows.
/// (64 x 4 tiles on 256 threads left 7 of 8 threads idle: bench/NOTES.md.)
bool has_grid_loop(const std::vector<ir::StmtPtr>& body) {
  for (const ir::StmtPtr& s : body)
    if (s->kind == ir::Stmt::Kind::Loop && (s->is_grid || has_grid_loop(s->body))) return true;
  return false;
}

void fill_streaming_tiles(const ir::Kernel& k, Config& c) {
  int narrowest = 8;
  for (const ir::Param& p : k.params)
    if (p.is_tensor) narrowest = std::min(narrowest, ir::size_bytes(p.dtype));
  const std::int64_t vec = 16 / narrowest, total = 32 * c.num_warps * vec;
  const std::map<int, SlotUse> uses = SlotUses(k).uses;
  auto slots = [&](bool device, bool row) {
    std::vector<int> out;
    for (const auto& [slot, u] : uses)
      if ((device ? u.device && !u.launch : u.launch && !u.device) && (row ? u.row && !u.col : u.col && !u.row))
        out.push_back(slot);
    return out;
  };
  auto size = [&](int slot, std::int64_t want) {
    const auto i = static_cast<std::size_t>(slot);
    c.block_sizes[i] = pow2_in(want, k.block_slots[i]);
    return c.block_sizes[i];
  };
  const std::vector<int> device_cols = slots(true, false), device_rows = slots(true, true);
  const std::vector<int> launch_rows = slots(false, true), launch_cols = slots(false, false);
  if (!device_cols.empty()) {
    std::int64_t cols = total;
    for (int s : device_cols) cols = std::min(cols, size(s, total));
    for (int s : launch_rows) size(s, std::max<std::int64_t>(1, total / cols));
    for (int s : device_rows) size(s, std::max<std::int64_t>(1, total / cols));
  } else if (!device_rows.empty() && !launch_cols.empty()) {
    std::int64_t cols = 32 * vec;
    for (int s : launch_cols) cols = std::min(cols, size(s, 32 * vec));
    for (int s : device_rows) size(s, std::max<std::int64_t>(1, total / cols));
  } else if (device_rows.empty() && !launch_rows.empty() && !launch_cols.empty() && !has_grid_loop(k.body)) {
    // 2-D elementwise tiles: a warp's width of vectors along each row, the rows the rest
    // (bf16: 8 x 256 on 256 threads, a 16-byte vector each, where 32 x 32 gave each 8 bytes).
    // Not under a grid loop: its tiles are an item's own dimensions (heads x head dimension),
    // often shorter than a warp's width.
    std::int64_t cols = 32 * vec;
    for (int s : launch_cols) cols = std::min(cols, size(s, 32 * vec));
    for (int s : launch_rows) size(s, std::max<std::int64_t>(1, total / cols));
  }
}

}  // namespace

Config default_config(const ir::Kernel& k, const std::string& arch) {
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
    if (is_launch && f.whole_dot) b = 64;  // query rows of attention: tensor-core tiles
    // Attention: 128 query rows over four warps (32 a warp: each key tile's operands, read from
    // shared memory once a warp, serve twice the rows of 16 a warp; at head dimension 128 the
    // queries then stay in shared memory, select_accesses) and 32 keys a step, the most that
    // NVRTC compiles without spilling beside a 128-wide accumulator (H100, d128: 1.09 ms against
    // 1.26 for 64 x 64; 64 keys run 0.96 ms where nvcc keeps them in registers; bench/NOTES.md).
    if (f.chained_dots()) b = is_launch ? 128 : 32;
    if (is_launch && launch.size() >= 2) b = f.dot ? 128 : 32;  // dot: 128x128 tiles (bench/bench_matmul.cu)
    const ir::BlockSlot& s = k.block_slots[i];
    b = std::min(std::max(b, s.min), s.max);
    while (!is_pow2(b)) --b;
    c.block_sizes[i] = b;
  }
  // A tensor-core dot: 4 warps of 64 x 64 products each (fastest in bench/sweep_matmul.cu;
  // dot_loop_store keeps no accumulator tile beside them). The SIMT dot spills on 4 warps.
  c.num_warps = f.dot_tensor_cores ? 4 : 8;
  if (!f.dot && !f.whole_dims) fill_streaming_tiles(k, c);
  // A tensor-core dot's product tiles are 128 x 128 (as far as their slots allow). When a device
  // loop walks one of their dimensions (grouped problems: a device loop over a group's rows) they
  // take 8 warps: NVRTC spills 128 x 128 on 4 warps there, as dot_loop_store keeps nothing the
  // loop hoists (it hides the loop's invariants from the compiler; hoisted, they spilled even
  // 64 x 128, and such kernels ran 64 x 64 tiles at 120 TFLOP/s on an H100, bench/NOTES.md).
  bool device_product = false;
  const std::map<int, SlotUse> uses = SlotUses(k).uses;
  if (f.dot_tensor_cores && !f.chained_dots()) {
    for (const auto& [slot, u] : uses) device_product = device_product || (u.dot_mn && !u.dot_k && u.device);
    for (const auto& [slot, u] : uses)
      if (u.dot_mn && !u.dot_k)
        c.block_sizes[static_cast<std::size_t>(slot)] = pow2_in(128, k.block_slots[static_cast<std::size_t>(slot)]);
    if (device_product) c.num_warps = 8;
  }
  // Whole extents inside dots are head dimensions: 128 holds the common ones (64, 128), and
  // keeps both dots' operand staging of an attention step in 48 KB.
  // Eight warps share the query tile's accumulator and operands without spilling; attention's
  // four warps of 16 query rows hold accumulator, scores and queries, two blocks to an SM.
  if (f.whole_dot) {
    c.full_extent = 128;
    c.num_warps = f.chained_dots() ? 4 : 8;
  }
  // sm_90a: two warpgroups of m64n256 wgmma over 128 x 256 tiles, k block 64 (85% of cuBLAS
  // at bf16 4096^3 on an H200 against 48% for the best mma.sync tiles; bench/NOTES.md). fp8:
  // 128 x 128 and a k block of 32, which only that path reads (the mma.sync path a row-major b
  // falls back to spills 76 bytes beside 128 x 256 under NVRTC, 12 at 128 x 128 with k 64).
  // A device loop over the product's rows keeps 128 x 128 (b's tile is reused across the
  // loop, and 128 x 256 leaves grouped problems too few programs).
  if (arch == "sm_90a" && (f.dot_tensor_cores || f.dot_fp8) && (launch.size() >= 2 || device_product)) {
    for (std::size_t i = 0; i < k.block_slots.size(); ++i) {
      const ir::BlockSlot& s = k.block_slots[i];
      const auto at = std::find(launch.begin(), launch.end(), static_cast<int>(i));
      const auto use = uses.find(static_cast<int>(i));
      const bool product = use != uses.end() && use->second.dot_mn && !use->second.dot_k;
      const std::int64_t cols = f.dot_fp8 || device_product ? 128 : 256, k = f.dot_fp8 ? 32 : 64;
      const std::int64_t want = at == launch.end()                             ? (product ? 128 : k)
                                : i == static_cast<std::size_t>(launch.back()) ? cols
                                                                               : 128;
      if (want >= s.min && want <= s.max) c.block_sizes[i] = want;
    }
    c.num_warps = 8;
    // Operands through tensor maps where they apply, and programs grouped 8 tile rows at a
    // time for L2: bf16 4096^3 at 86% and 8192^3 at 93% of cuBLAS on an H100, against 82% and
    // 82% for cp.async copies without grouping (bench/NOTES.md).
    c.dot_operand_load = DotOperandLoad::Auto;
    if (analyze(k).launch_loop_2d) c.l2_grouping = 8;
  }
  return c;
}

bool chained_dots(const ir::Kernel& k) {
  Features f;
  scan(k.body, f);
  return f.chained_dots();
}

Config chained_dots_short_head(const ir::Kernel& k, const std::string& arch) {
  Config c = default_config(k, arch);
  c.full_extent = short_head_dim;
  // 64 keys a step: the scores' registers fit beside a 64-wide accumulator (H100, d64: 0.60
  // against 0.66 ms for 128 keys).
  std::vector<int> launch;
  count_launch_slots(k.body, launch);
  for (std::size_t i = 0; i < k.block_slots.size(); ++i)
    if (std::find(launch.begin(), launch.end(), static_cast<int>(i)) == launch.end())
      c.block_sizes[i] = std::clamp<std::int64_t>(64, k.block_slots[i].min, k.block_slots[i].max);
  return c;
}

namespace {

/// A kernel whose programs each take a few whole rows: one launch loop, whole extents, no dot.
bool is_row_kernel(const ir::Kernel& k, int* rows_slot) {
  std::vector<int> launch;
  count_launch_slots(k.body, launch);
  Features f;
  scan(k.body, f);
  if (launch.size() != 1 || !f.whole_dims || f.dot) return false;
  if (rows_slot) *rows_slot = launch[0];
  return true;
}

}  // namespace

Config default_config_for_rows(const ir::Kernel& k, const std::string& arch, std::int64_t longest) {
  return config_for_rows(k, default_config(k, arch), longest);
}

Config config_for_rows(const ir::Kernel& k, Config c, std::int64_t longest) {
  std::int64_t fe = 1;
  while (fe < longest) fe *= 2;
  if (fe <= c.full_extent) return c;
  c.full_extent = fe;
  int slot = -1;
  if (!is_row_kernel(k, &slot)) return c;
  const ir::BlockSlot& s = k.block_slots[static_cast<std::size_t>(slot)];
  std::int64_t& rows = c.block_sizes[static_cast<std::size_t>(slot)];
  constexpr std::int64_t kPerThread = 32, kMaxWarps = 32;
  while (rows * fe > kPerThread * 32 * c.num_warps) {
    if (rows / 2 >= std::max<std::int64_t>(s.min, 1))
      rows /= 2;
    else if (c.num_warps * 2 <= kMaxWarps)
      c.num_warps *= 2;
    else
      break;
  }
  return c;
}

std::vector<std::int64_t> default_row_extents(const ir::Kernel& k) {
  if (!is_row_kernel(k, nullptr)) return {};
  // Two steps of 4x: rows up to 16384 held whole (a thread holds 32 of them on 16 warps);
  // longer rows loop over chunks.
  return {4096, 16384};
}

const ir::Expr* dot_loop_product(const ir::Stmt& s, bool gathered_a_rows) {
  if (s.kind != ir::Stmt::Kind::Loop || s.is_grid || s.is_launch || s.dims.size() != 1 || s.body.size() != 1)
    return nullptr;
  const ir::Stmt& st = *s.body[0];
  const std::string& k = s.dims[0].var;
  if (st.kind != ir::Stmt::Kind::Assign || !st.expr || st.expr->kind != ir::Expr::Kind::Dot ||
      st.expr->args.size() != 3)
    return nullptr;
  const ir::Expr& dot = *st.expr;
  const ir::Expr& a = *dot.args[0];
  const ir::Expr& b = *dot.args[1];
  const ir::Expr& acc = *dot.args[2];
  if (a.kind != ir::Expr::Kind::Load || b.kind != ir::Expr::Kind::Load || acc.kind != ir::Expr::Kind::Var ||
      acc.name != st.name)
    return nullptr;
  // The loop variable must index the contraction dimension of both operands.
  auto k_position = [&](const ir::Expr& load) {
    int pos = -1, tiles = 0;
    for (const ir::Index& idx : load.indices) {
      if (idx.kind == ir::Index::Kind::Gather) {
        if (!gathered_a_rows || &load != &a || load.transposed || tiles != 0) return -2;
        ++tiles;  // a's rows
        continue;
      }
      if (idx.kind == ir::Index::Kind::Tile && idx.expr) return -2;  // a shifted tile: the general loop
      if (idx.kind == ir::Index::Kind::Tile || idx.kind == ir::Index::Kind::All) {
        if (idx.kind == ir::Index::Kind::Tile && idx.var == k) pos = tiles;
        ++tiles;
      }
    }
    return pos;
  };
  if (k_position(a) != 1 || k_position(b) != 0) return nullptr;
  return &dot;
}

namespace {
std::string whole_dim_name(const ir::Dim& d) {
  if (d.kind == ir::Dim::Kind::Full) return fmt::format("{}.size({})", d.var, d.index);
  return "arange extent";
}

class Analyzer {
 public:
  explicit Analyzer(KernelStructure& st) : st_(st) {}

  void body(const std::vector<ir::StmtPtr>& b, bool in_launch) {
    for (const ir::StmtPtr& s : b) stmt(*s, in_launch);
  }

 private:
  void stmt(const ir::Stmt& s, bool in_launch) {
    if (s.kind == ir::Stmt::Kind::Loop) {
      if (s.dims.size() >= 2) st_.multi_dim_loops.push_back(&s);
      if (s.is_launch) {
        for (const ir::LoopDim& d : s.dims) {
          st_.launch_dims.push_back(&d);
          st_.launch_dim_is_grid.push_back(s.is_grid);
        }
        // l2_grouping: the innermost launch loop, when it tiles two dims or more.
        st_.launch_loop_2d = !s.is_grid && s.dims.size() >= 2 ? &s : nullptr;
      } else {
        st_.device_loops.push_back(&s);
        const ir::Expr* dot = dot_loop_product(s);
        st_.device_loop_is_dot.push_back(dot != nullptr);
        if (dot) {  // its operands go through the library's k-loop, not load(): no per-load knobs
          skip_.insert(dot->args[0].get());
          skip_.insert(dot->args[1].get());
        }
      }
      body(s.body, in_launch && s.is_launch);
      return;
    }
    for (const ir::Index& i : s.indices) expr(i.expr);
    expr(s.expr);
    if (s.kind == ir::Stmt::Kind::Store) {
      bool tile = false;
      for (const ir::Index& i : s.indices)
        tile = tile || i.kind == ir::Index::Kind::Tile || i.kind == ir::Index::Kind::All;
      if (tile) st_.stores.push_back(&s);
    }
  }

  void expr(const ir::ExprPtr& e) {
    if (!e) return;
    for (const ir::ExprPtr& a : e->args) expr(a);
    for (const ir::Index& i : e->indices) expr(i.expr);
    if (e->kind == ir::Expr::Kind::Load && !e->shape.empty() && !skip_.count(e.get()) && seen_.insert(e.get()).second) {
      st_.loads.push_back(e.get());
      bool gather = false;
      for (const ir::Index& i : e->indices) gather = gather || i.kind == ir::Index::Kind::Gather;
      st_.load_is_gather.push_back(gather);
    }
    if (e->kind == ir::Expr::Kind::Reduce && !e->args.empty()) {
      const ir::Dim& d = e->args[0]->shape.at(static_cast<std::size_t>(e->ival));
      // Every whole extent shares one compile-time bound (full_extent): one reduction dimension.
      if ((d.kind == ir::Dim::Kind::Full || d.kind == ir::Dim::Kind::Expr) && st_.reduction_dims.empty())
        st_.reduction_dims.push_back(whole_dim_name(d));
    }
  }

  KernelStructure& st_;
  std::set<const ir::Expr*> skip_, seen_;
};
}  // namespace

namespace {
bool is_whole(const ir::Dim& d) { return d.kind == ir::Dim::Kind::Full || d.kind == ir::Dim::Kind::Expr; }

bool chunkable_expr(const ir::ExprPtr& e) {
  if (!e) return true;
  using K = ir::Expr::Kind;
  // Whole extents only along columns: the last dim of a 2-D tile, or a 1-D tile.
  if (e->shape.size() == 2 && is_whole(e->shape[0])) return false;
  if (e->shape.size() > 2) return false;
  switch (e->kind) {
    case K::Dot: return false;
    case K::Reduce: {
      if (e->op != ir::Op::Sum && e->op != ir::Op::Mean && e->op != ir::Op::Max && e->op != ir::Op::Min) return false;
      // Along a whole row (a ChunkReduce over the chunks), or over the tile's rows of a 2-D
      // value whose columns are whole (per column: each chunk reduces its own columns).
      const ir::ExprPtr& a = e->args.at(0);
      const std::size_t axis = static_cast<std::size_t>(e->ival);
      const bool along_row = is_whole(a->shape.at(axis));
      const bool per_column = axis == 0 && a->shape.size() == 2 && is_whole(a->shape[1]) && !e->keepdim;
      if (!along_row && !per_column) return false;
      break;
    }
    case K::Load:
      for (const ir::Index& i : e->indices)
        if (i.kind == ir::Index::Kind::Gather) return false;
      break;
    default: break;
  }
  for (const ir::ExprPtr& a : e->args)
    if (!chunkable_expr(a)) return false;
  for (const ir::Index& i : e->indices)
    if (!chunkable_expr(i.expr)) return false;
  return true;
}
}  // namespace

bool reductions_loopable(const ir::Kernel& k) {
  const std::vector<ir::StmtPtr>* body = &k.body;
  while (!body->empty() && (*body)[0]->kind == ir::Stmt::Kind::Loop && (*body)[0]->is_launch) body = &(*body)[0]->body;
  if (body == &k.body) return false;
  for (const ir::StmtPtr& s : *body) {
    const bool writes = s->kind == ir::Stmt::Kind::Store || s->kind == ir::Stmt::Kind::AtomicAdd;
    if (s->kind != ir::Stmt::Kind::Let && !writes) return false;
    if (!chunkable_expr(s->expr)) return false;
    if (writes) {
      int tiles = 0;
      for (std::size_t d = 0; d < s->indices.size(); ++d) {
        const ir::Index& i = s->indices[d];
        if (i.kind == ir::Index::Kind::Gather) return false;
        if (i.kind == ir::Index::Kind::All && tiles == 0 && d + 1 < s->indices.size()) {
          // a whole dim before another tile dim would be a row axis
          for (std::size_t e = d + 1; e < s->indices.size(); ++e)
            if (s->indices[e].kind != ir::Index::Kind::Scalar) return false;
        }
        if (i.kind == ir::Index::Kind::Tile || i.kind == ir::Index::Kind::All) ++tiles;
      }
    }
  }
  return true;
}

std::optional<Config> looped_fallback(const ir::Kernel& kernel, const Config& config) {
  for (std::int64_t r : config.reduction_loops)
    if (r != 0) return std::nullopt;
  const KernelStructure st = analyze(kernel);
  if (st.reduction_dims.empty() || !st.reductions_loopable) return std::nullopt;
  Config looped = config;
  looped.reduction_loops.assign(st.reduction_dims.size(), std::max<std::int64_t>(16, config.full_extent));
  try {
    validate(looped, kernel);
  } catch (const ConfigError&) {
    return std::nullopt;  // a knob the chunked body cannot take (the launcher keeps its guard)
  }
  return looped;
}

KernelStructure analyze(const ir::Kernel& k) {
  KernelStructure st;
  Analyzer(st).body(k.body, true);
  st.reductions_loopable = !st.reduction_dims.empty() && reductions_loopable(k);
  return st;
}

}  // namespace tilecc::config
