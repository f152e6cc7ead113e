#include "autotune/launch.hpp"

#include <fmt/format.h>

#include "autotune/config_space.hpp"
#include "include/tilecc/tma_map.hpp"
#include "translator/launch/host_eval.hpp"

namespace tilecc::autotune {

std::int64_t ArgSpec::elements() const {
  std::int64_t n = 1;
  for (std::int64_t s : sizes) n *= s;
  return n;
}

std::string ArgSpec::to_string() const {
  if (!is_tensor) return fmt::format("{}={}", name, value);
  return fmt::format("{}={}[{}]", name, ir::name(dtype), fmt::join(sizes, ","));
}

std::vector<std::int64_t> row_major_strides(const std::vector<std::int64_t>& sizes) {
  std::vector<std::int64_t> strides(sizes.size(), 1);
  for (int d = static_cast<int>(sizes.size()) - 2; d >= 0; --d)
    strides[static_cast<std::size_t>(d)] =
        strides[static_cast<std::size_t>(d) + 1] * sizes[static_cast<std::size_t>(d) + 1];
  return strides;
}

ArgSpec parse_arg(const std::string& text) {
  ArgSpec a;
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ArgError(fmt::format("--arg '{}': expected NAME=DTYPE[SIZES] or NAME=VALUE", text));
  a.name = text.substr(0, eq);
  const std::string rhs = text.substr(eq + 1);
  const std::size_t open = rhs.find('[');
  if (open == std::string::npos) {
    try {
      std::size_t used = 0;
      a.value = std::stod(rhs, &used);
      if (used != rhs.size()) throw std::invalid_argument(rhs);
    } catch (const std::exception&) {
      throw ArgError(fmt::format("--arg '{}': '{}' is neither a number nor DTYPE[SIZES]", text, rhs));
    }
    return a;
  }
  a.is_tensor = true;
  const auto dtype = ir::parse_dtype(rhs.substr(0, open));
  if (!dtype) throw ArgError(fmt::format("--arg '{}': unknown dtype '{}'", text, rhs.substr(0, open)));
  a.dtype = *dtype;
  if (rhs.back() != ']') throw ArgError(fmt::format("--arg '{}': missing ']'", text));
  const std::string dims = rhs.substr(open + 1, rhs.size() - open - 2);
  std::size_t pos = 0;
  while (pos <= dims.size()) {
    const std::size_t comma = dims.find(',', pos);
    const std::string d = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    char* end = nullptr;
    const long long v = std::strtoll(d.c_str(), &end, 10);
    if (d.empty() || *end != '\0' || v <= 0) throw ArgError(fmt::format("--arg '{}': bad size '{}'", text, d));
    a.sizes.push_back(v);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  a.strides = row_major_strides(a.sizes);
  return a;
}

std::vector<ArgSpec> bind_args(const ir::Kernel& kernel, const std::vector<ArgSpec>& specs) {
  std::vector<ArgSpec> out;
  for (const ir::Param& p : kernel.params) {
    const ArgSpec* found = nullptr;
    for (const ArgSpec& s : specs)
      if (s.name == p.name) found = &s;
    if (!found) throw ArgError(fmt::format("no --arg for parameter '{}' of {}", p.name, kernel.name));
    if (found->is_tensor != p.is_tensor)
      throw ArgError(fmt::format("--arg {}: parameter '{}' is a {}", found->to_string(), p.name,
                                 p.is_tensor ? "tensor" : "scalar"));
    if (p.is_tensor && (found->dtype != p.dtype || static_cast<int>(found->sizes.size()) != p.rank))
      throw ArgError(fmt::format("--arg {}: parameter '{}' is {} of rank {}", found->to_string(), p.name,
                                 ir::name(p.dtype), p.rank));
    ArgSpec a = *found;
    if (!p.is_tensor) a.dtype = p.dtype;
    out.push_back(a);
  }
  for (const ArgSpec& s : specs) {
    bool known = false;
    for (const ir::Param& p : kernel.params) known = known || p.name == s.name;
    if (!known) throw ArgError(fmt::format("--arg {}: {} has no parameter '{}'", s.to_string(), kernel.name, s.name));
  }
  return out;
}

std::string spec_key(const std::vector<ArgSpec>& bound) {
  std::string key;
  for (const ArgSpec& a : bound) {
    if (!key.empty()) key += ";";
    if (!a.is_tensor) {
      key += fmt::format("{}:{}={}", a.name, ir::name(a.dtype), a.value);
      continue;
    }
    // Facts as in codegen/specialization: aligned16 pointer, unit inner stride, div16 sizes.
    std::string facts = "aligned16,contiguous";
    for (std::size_t d = 0; d < a.sizes.size(); ++d)
      if (a.sizes[d] % 16 == 0) facts += fmt::format(",div16({})", d);
    key += fmt::format("{}:{}[{}]{{{}}}", a.name, ir::name(a.dtype), fmt::join(a.sizes, ","), facts);
  }
  return key;
}

namespace {

/// The bound arguments as the host evaluator reads them (as the runtime binds a launch's:
/// scalars converted to their parameter's kind), the prologue run and each launch dim's
/// extent evaluated. Holds pointers into `bound` and `kernel`.
class HostArgs {
 public:
  HostArgs(const ir::Kernel& kernel, const std::vector<ArgSpec>& bound) : program_(compile(kernel)) {
    const std::size_t n = kernel.params.size();
    scalars_.resize(n);
    sizes_.resize(n);
    strides_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const ArgSpec& a = bound.at(i);
      sizes_[i] = a.sizes.data();
      strides_[i] = a.strides.data();
      launch::HostValue v{};
      if (ir::is_floating(kernel.params[i].dtype)) {
        v.is_float = true;
        v.f = a.value;
      } else {
        v.i = static_cast<std::int64_t>(a.value);
      }
      scalars_[i] = v;
    }
    env_.scalars = scalars_.data();
    env_.sizes = sizes_.data();
    env_.strides = strides_.data();
    extents_.resize(static_cast<std::size_t>(program_.launch_dim_count()));
    if (const char* failed = program_.run(env_, extents_.data()))
      throw ArgError(fmt::format("TILECC_CHECK({}) fails for these arguments", failed));
  }
  HostArgs(const HostArgs&) = delete;
  HostArgs& operator=(const HostArgs&) = delete;

  const launch::HostEnv& env() const { return env_; }
  std::span<const std::int64_t> extents() const { return extents_; }
  std::int64_t eval_int(const ir::ExprPtr& e) const {
    try {
      return program_.compile(e).eval_int(env_);
    } catch (const launch::EvalError& x) {
      throw ArgError(x.what());
    }
  }

 private:
  static launch::HostProgram compile(const ir::Kernel& kernel) {
    try {
      return launch::HostProgram(kernel);
    } catch (const launch::EvalError& e) {
      throw ArgError(e.what());
    }
  }

  launch::HostProgram program_;
  std::vector<launch::HostValue> scalars_;
  std::vector<const std::int64_t*> sizes_, strides_;
  std::vector<std::int64_t> extents_;
  launch::HostEnv env_;
};

}  // namespace

namespace {

/// A slot's value for the tuner's arguments (buffers as the bench worker allocates them).
config::SlotValue slot_value(const HostArgs& host, const config::Slot& s, const std::vector<ArgSpec>& bound) {
  config::SlotValue v;
  if (s.kind == config::SlotKind::LoopExtent) {
    v.value = host.eval_int(s.loop->end) - host.eval_int(s.loop->begin);
    v.block = s.block;
    return v;
  }
  const ArgSpec& a = bound.at(static_cast<std::size_t>(s.param));
  v.address = kBufferAlignment;  // cuMemAlloc'd buffers (the bench worker's) are at least this aligned
  v.element_bytes = ir::size_bytes(a.dtype);
  v.rank = static_cast<int>(a.sizes.size());
  v.strides = a.strides.data();
  if (s.kind == config::SlotKind::Scalar) v.value = static_cast<std::int64_t>(a.value);
  if (s.kind == config::SlotKind::Size) v.value = a.sizes.at(static_cast<std::size_t>(s.dim));
  if (s.kind == config::SlotKind::Stride) v.value = a.strides.at(static_cast<std::size_t>(s.dim));
  return v;
}

}  // namespace

config::Specialization auto_specialization_for(const ir::Kernel& kernel, const config::Config& config,
                                               const std::vector<ArgSpec>& bound, const std::string& arch) {
  const HostArgs host(kernel, bound);
  const std::vector<config::Slot> slots = config::specialization_slots(kernel, config);
  const std::span<const config::FactRule> table = config::fact_table(config::backend_of(arch));
  // The launcher takes the first variant whose requirements all hold (emit_kernel_text).
  for (const config::SpecializedVariant& v : config::auto_variants(kernel, slots, table)) {
    bool holds = true;
    for (const config::Requirement& r : v.requires_) holds = holds && r.rule->holds(slot_value(host, r.slot, bound));
    if (holds) return v.specialization;
  }
  return {};
}

config::Specialization specialization_for(const ir::Kernel& kernel, const config::Config& config,
                                          const std::vector<ArgSpec>& bound, const std::string& arch) {
  const HostArgs host(kernel, bound);
  const std::vector<config::Slot> slots = config::specialization_slots(kernel, config);
  const std::span<const config::FactRule> table = config::fact_table(config::backend_of(arch));
  config::SpecKeyBuilder builder(config::Shapes::Dynamic);
  for (const config::Slot& s : slots) {
    const config::SlotValue v = slot_value(host, s, bound);
    builder.add_facts(config::facts_of(table, s.kind, v));
  }
  config::SpecKey key;
  if (!builder.finish(key)) return {};  // more slots than a key holds: generic code
  return config::specialization_from_key(kernel, slots, table, key);
}

launch::Grid launch_grid(const ir::Kernel& kernel, const config::Config& config, const std::vector<ArgSpec>& bound,
                         int sm_count, int dynamic_shared_bytes) {
  launch::LaunchPlan plan;
  try {
    plan = launch::plan_launch(kernel, config);
  } catch (const launch::PlanError& e) {
    throw ArgError(e.what());
  }
  plan.dynamic_shared_bytes = dynamic_shared_bytes;
  const HostArgs host(kernel, bound);
  if (const launch::WholeDim* w = launch::exceeded_guard(plan, host.env().sizes))
    throw ArgError(launch::guard_error(plan, *w, host.env().sizes[w->param][w->dim]));
  const launch::Grid grid = launch::compute_grid(plan, host.extents(), sm_count);
  if (grid.status != launch::Grid::Status::Launch && grid.status != launch::Grid::Status::Empty)
    throw ArgError(grid.error());
  return grid;
}

void pack_params(const ir::Kernel& kernel, const std::vector<ArgSpec>& bound,
                 const std::vector<unsigned long long>& device_ptrs, launch::ArgPack& out,
                 std::span<const launch::TensorMapPacking> tensor_maps, tma_map::EncodeTiled encode) {
  const HostArgs host(kernel, bound);
  std::vector<std::uint64_t> data(kernel.params.size(), 0);
  for (std::size_t i = 0; i < data.size() && i < device_ptrs.size(); ++i) data[i] = device_ptrs[i];
  launch::pack_args(launch::param_packing(kernel), host.env(), data.data(), out);
  if (!tensor_maps.empty()) {
    static tma_map::Cache maps;
    launch::pack_tensor_maps(tensor_maps, host.env(), data.data(), encode, maps, out);
  }
}

}  // namespace tilecc::autotune
