#include "specialization.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>

namespace tilecc::config {

namespace {

// ---- fact predicates and their C++ conditions ----------------------------------------------

bool div16(const SlotValue& v) { return v.value % 16 == 0; }
bool one(const SlotValue& v) { return v.value == 1; }
bool aligned16(const SlotValue& v) { return v.address % 16 == 0; }
bool unit(const SlotValue& v) { return v.value == 1; }
bool div_block(const SlotValue& v) { return v.block > 0 && v.value % v.block == 0; }
// TMA (sm_90): 16-byte aligned base, a unit innermost stride, other strides multiples of 16 bytes.
bool tma(const SlotValue& v) {
  if (v.address % 16 != 0 || v.rank < 1 || v.strides == nullptr || v.strides[v.rank - 1] != 1) return false;
  for (int d = 0; d + 1 < v.rank; ++d)
    if ((v.strides[d] * v.element_bytes) % 16 != 0) return false;
  return true;
}

std::string c_div16(const std::string& e, std::int64_t, int, int) { return fmt::format("({} % 16 == 0)", e); }
std::string c_one(const std::string& e, std::int64_t, int, int) { return fmt::format("({} == 1)", e); }
std::string c_aligned16(const std::string& e, std::int64_t, int, int) {
  return fmt::format("(reinterpret_cast<unsigned long long>({}) % 16 == 0)", e);
}
std::string c_div_block(const std::string& e, std::int64_t block, int, int) {
  return fmt::format("(({}) % {} == 0)", e, block);
}
std::string c_tma(const std::string& e, std::int64_t, int bytes, int rank) {
  std::string out =
      fmt::format("(reinterpret_cast<unsigned long long>({}.data()) % 16 == 0 && {}.stride({}) == 1", e, e, rank - 1);
  for (int d = 0; d + 1 < rank; ++d) out += fmt::format(" && {}.stride({}) * {} % 16 == 0", e, d, bytes);
  return out + ")";
}

// One table per backend; the sm_90 table is the sm_80 one plus its own facts.
constexpr FactRule kSm80[] = {
    {"div16", SlotKind::Scalar, 1, div16, c_div16},
    {"one", SlotKind::Scalar, 2, one, c_one},
    {"aligned16", SlotKind::Pointer, 1, aligned16, c_aligned16},
    {"div16", SlotKind::Size, 1, div16, c_div16},
    {"one", SlotKind::Size, 2, one, c_one},
    {"unit", SlotKind::Stride, 1, unit, c_one},
    {"div16", SlotKind::Stride, 2, div16, c_div16},
    {"div_block", SlotKind::LoopExtent, 1, div_block, c_div_block},
};
// The rows of `base` followed by those of `own`.
template <std::size_t N, std::size_t M>
constexpr std::array<FactRule, N + M> extend(const FactRule (&base)[N], const FactRule (&own)[M]) {
  std::array<FactRule, N + M> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = base[i];
  for (std::size_t i = 0; i < M; ++i) out[N + i] = own[i];
  return out;
}
constexpr FactRule kSm90Own[] = {
    {"tma", SlotKind::Tensor, 1, tma, c_tma},
};
constexpr auto kSm90 = extend(kSm80, kSm90Own);

const FactRule* find_rule(std::span<const FactRule> table, SlotKind kind, const char* name) {
  for (const FactRule& r : table)
    if (r.kind == kind && std::string_view(r.name) == name) return &r;
  return nullptr;
}

// ---- which tile loops the host can size -----------------------------------------------------

/// True when `e` only reads what the host prologue knows: constants, scalar
/// parameters, tensor sizes/strides and host lets.
bool host_computable(const ir::ExprPtr& e, const std::set<std::string>& host_lets) {
  if (!e) return false;
  using K = ir::Expr::Kind;
  switch (e->kind) {
    case K::Const:
    case K::Param:
    case K::TensorSize:
    case K::TensorStride: break;
    case K::Var:
      if (!host_lets.count(e->name)) return false;
      break;
    case K::Unary:
    case K::Binary:
    case K::Compare:
    case K::Select:
    case K::Cast: break;
    default: return false;
  }
  if (!e->is_scalar()) return false;
  for (const ir::ExprPtr& a : e->args)
    if (!host_computable(a, host_lets)) return false;
  return true;
}

std::int64_t block_of(const ir::LoopDim& d, const Config& c) {
  switch (d.block.kind) {
    case ir::BlockSpec::Kind::Fixed: return d.block.value;
    case ir::BlockSpec::Kind::Tunable: return c.block_sizes.at(static_cast<std::size_t>(d.block.slot));
    case ir::BlockSpec::Kind::One: return 1;
  }
  return 1;
}

void collect_loops(const std::vector<ir::StmtPtr>& body, const Config& c, const std::set<std::string>& lets,
                   std::vector<Slot>& out) {
  for (const ir::StmtPtr& s : body) {
    if (s->kind != ir::Stmt::Kind::Loop) continue;
    if (!s->is_grid)
      for (const ir::LoopDim& d : s->dims)
        if (host_computable(d.begin, lets) && host_computable(d.end, lets)) {
          Slot slot;
          slot.kind = SlotKind::LoopExtent;
          slot.text = "loop " + d.var;
          slot.loop = &d;
          slot.block = block_of(d, c);
          slot.launch_loop = s->is_launch;
          out.push_back(slot);
        }
    collect_loops(s->body, c, lets, out);
  }
}

}  // namespace

Backend backend_of(const std::string& arch) {
  int number = 0;  // "sm_90a" -> 90, "sm_100" -> 100: the major version is number / 10
  if (arch.rfind("sm_", 0) == 0)
    for (std::size_t i = 3; i < arch.size() && std::isdigit(static_cast<unsigned char>(arch[i])); ++i)
      number = number * 10 + (arch[i] - '0');
  return number / 10 >= 9 ? Backend::sm90 : Backend::sm80;
}

std::span<const FactRule> fact_table(Backend backend) {
  if (backend == Backend::sm90) return kSm90;
  return kSm80;
}

std::vector<Slot> specialization_slots(const ir::Kernel& kernel, const Config& config,
                                       const std::vector<std::string>& no_specialize) {
  std::vector<Slot> slots;
  for (std::size_t i = 0; i < kernel.params.size(); ++i) {
    const ir::Param& p = kernel.params[i];
    const int index = static_cast<int>(i);
    if (!p.is_tensor) {
      if (ir::is_integer(p.dtype)) slots.push_back({SlotKind::Scalar, index, 0, p.name, nullptr, 1, false});
      continue;
    }
    slots.push_back({SlotKind::Pointer, index, 0, p.name + ".data", nullptr, 1, false});
    for (int d = 0; d < p.rank; ++d)
      slots.push_back({SlotKind::Size, index, d, fmt::format("{}.size({})", p.name, d), nullptr, 1, false});
    for (int d = 0; d < p.rank; ++d)
      slots.push_back({SlotKind::Stride, index, d, fmt::format("{}.stride({})", p.name, d), nullptr, 1, false});
    slots.push_back({SlotKind::Tensor, index, 0, p.name, nullptr, 1, false});
  }
  std::set<std::string> lets;
  for (const ir::StmtPtr& s : kernel.host)
    if (s->kind == ir::Stmt::Kind::Let) lets.insert(s->name);
  collect_loops(kernel.body, config, lets, slots);

  for (const std::string& name : no_specialize) {
    bool found = false;
    for (Slot& s : slots) {
      const bool whole_param = s.param >= 0 && kernel.params[static_cast<std::size_t>(s.param)].name == name;
      if (whole_param || s.text == name) {
        s.opted_out = true;
        found = true;
      }
    }
    if (!found)
      throw ConfigError(
          fmt::format("no-specialize: kernel '{}' has no parameter or slot named '{}'", kernel.name, name));
  }
  if (static_cast<int>(slots.size()) > kMaxSlots)
    throw ConfigError(fmt::format("kernel '{}' has {} specialization slots, more than the {} a key holds", kernel.name,
                                  slots.size(), kMaxSlots));
  return slots;
}

std::uint8_t facts_of(std::span<const FactRule> table, SlotKind kind, const SlotValue& v) {
  std::uint8_t bits = 0;
  for (const FactRule& r : table)
    if (r.kind == kind && r.holds(v)) bits = static_cast<std::uint8_t>(bits | r.bit);
  return bits;
}

bool SpecKeyBuilder::finish(SpecKey& out) const {
  const int fact_words = (fact_count_ + 7) / 8;
  const int values = shapes_ == Shapes::Static ? value_count_ : 0;
  if (fact_count_ > kMaxSlots || fact_words + values > SpecKey::kMaxWords) return false;
  out.shapes = shapes_;
  out.fact_slots = static_cast<std::uint16_t>(fact_count_);
  out.count = static_cast<std::uint16_t>(fact_words + values);
  for (int w = 0; w < fact_words; ++w) {
    std::uint64_t word = 0;
    for (int b = 0; b < 8 && w * 8 + b < fact_count_; ++b)
      word |= static_cast<std::uint64_t>(facts_[w * 8 + b]) << (8 * b);
    out.words[w] = word;
  }
  for (int i = 0; i < values; ++i) out.words[fact_words + i] = static_cast<std::uint64_t>(values_[i]);
  return true;
}

std::uint64_t SpecKey::hash() const {
  // FNV-1a over the used words: cheap, and the map compares keys in full.
  std::uint64_t h = 1469598103934665603ull ^ (static_cast<std::uint64_t>(shapes) << 32) ^ fact_slots;
  for (int i = 0; i < count; ++i) {
    h ^= words[i];
    h *= 1099511628211ull;
    h ^= h >> 29;
  }
  return h;
}

std::string SpecKey::to_string() const {
  std::string out = shapes == Shapes::Static ? "s:" : "d:";
  for (int i = 0; i < fact_slots; ++i) out += fmt::format("{:x}", facts(i));
  if (shapes == Shapes::Static) {
    const int fact_words = (fact_slots + 7) / 8;
    out += ":";
    for (int i = fact_words; i < count; ++i)
      out += fmt::format("{}{}", i == fact_words ? "" : ",", static_cast<std::int64_t>(words[i]));
  }
  return out;
}

Specialization specialization_from_key(const ir::Kernel& kernel, const std::vector<Slot>& slots,
                                       std::span<const FactRule> table, const SpecKey& key) {
  Specialization spec;
  const int fact_words = (key.fact_slots + 7) / 8;
  int value = fact_words;
  for (std::size_t i = 0; i < slots.size() && static_cast<int>(i) < key.fact_slots; ++i) {
    const Slot& s = slots[i];
    const std::uint8_t bits = key.facts(static_cast<int>(i));
    for (const FactRule& r : table)
      if (r.kind == s.kind && (bits & r.bit)) spec.facts.push_back(fmt::format("{} {}", s.text, r.name));
    if (keyed_value(s, key.shapes)) {
      if (value < key.count) spec.constants[shape_slot(kernel, s)] = static_cast<std::int64_t>(key.words[value]);
      ++value;
    }
    auto has = [&](const char* rule) {
      const FactRule* r = find_rule(table, s.kind, rule);
      return r && (bits & r->bit);
    };
    if (s.kind == SlotKind::Stride && has("unit")) spec.unit_strides.insert(shape_slot(kernel, s));
    if (s.kind == SlotKind::Stride && has("div16")) spec.div16_strides.insert(shape_slot(kernel, s));
    if (s.kind == SlotKind::Pointer && has("aligned16"))
      spec.aligned_tensors.insert(kernel.params[static_cast<std::size_t>(s.param)].name);
    if (s.kind == SlotKind::LoopExtent && has("div_block")) spec.divisible_loops.insert(s.loop->var);
  }
  return spec;
}

ShapeSlot shape_slot(const ir::Kernel& kernel, const Slot& s) {
  return {kernel.params.at(static_cast<std::size_t>(s.param)).name, s.kind == SlotKind::Stride, s.dim};
}

std::vector<SpecializedVariant> auto_variants(const ir::Kernel& kernel, const std::vector<Slot>& slots,
                                              std::span<const FactRule> table) {
  const FactRule* unit_rule = find_rule(table, SlotKind::Stride, "unit");
  const FactRule* div_rule = find_rule(table, SlotKind::LoopExtent, "div_block");
  SpecializedVariant unit_v{"unit", {}, {}};
  for (const Slot& s : slots) {
    if (s.opted_out || s.kind != SlotKind::Stride) continue;
    if (s.dim != kernel.params[static_cast<std::size_t>(s.param)].rank - 1) continue;
    unit_v.requires_.push_back({s, unit_rule});
    unit_v.specialization.unit_strides.insert(shape_slot(kernel, s));
    unit_v.specialization.facts.push_back(s.text + " == 1");
  }
  SpecializedVariant div_v = unit_v;
  div_v.suffix = "unit_div";
  for (const Slot& s : slots) {
    if (s.opted_out || s.kind != SlotKind::LoopExtent || s.block <= 1) continue;
    div_v.requires_.push_back({s, div_rule});
    div_v.specialization.divisible_loops.insert(s.loop->var);
    div_v.specialization.facts.push_back(fmt::format("extent of {} % {} == 0", s.loop->var, s.block));
  }
  std::vector<SpecializedVariant> out;
  if (div_v.requires_.size() > unit_v.requires_.size()) out.push_back(div_v);
  if (!unit_v.requires_.empty()) out.push_back(unit_v);
  return out;
}

std::string launcher_condition(const ir::Kernel& kernel, const Requirement& r, const std::string& expr) {
  int bytes = 1, rank = 0;
  if (r.slot.param >= 0) {
    const ir::Param& p = kernel.params.at(static_cast<std::size_t>(r.slot.param));
    bytes = ir::size_bytes(p.dtype);
    rank = p.rank;
  }
  return r.rule->condition(expr, r.slot.block, bytes, rank);
}

}  // namespace tilecc::config
