#include "autotune/launch.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <map>

#include "autotune/config_space.hpp"

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
    strides[static_cast<std::size_t>(d)] = strides[static_cast<std::size_t>(d) + 1] * sizes[static_cast<std::size_t>(d) + 1];
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
      throw ArgError(fmt::format("--arg {}: parameter '{}' is a {}", found->to_string(), p.name, p.is_tensor ? "tensor" : "scalar"));
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

/// Host scalar arithmetic over the prologue's lets, scalar params and tensor shapes.
struct HostEval {
  const ir::Kernel& kernel;
  const std::vector<ArgSpec>& bound;
  std::map<std::string, double> lets;

  const ArgSpec& arg(const std::string& name) const {
    for (std::size_t i = 0; i < kernel.params.size(); ++i)
      if (kernel.params[i].name == name) return bound[i];
    throw ArgError("host expression names unknown parameter '" + name + "'");
  }

  double eval(const ir::ExprPtr& e) const {
    using K = ir::Expr::Kind;
    if (!e) throw ArgError("empty host expression");
    const bool integral = ir::is_integer(e->dtype) || e->dtype == ir::DType::b1;
    auto fix = [&](double v) { return integral ? std::trunc(v) : v; };
    switch (e->kind) {
      case K::Const: return ir::is_floating(e->dtype) ? e->fval : static_cast<double>(e->ival);
      case K::Param: return arg(e->name).value;
      case K::Var: {
        auto it = lets.find(e->name);
        if (it == lets.end()) throw ArgError("host expression uses '" + e->name + "' before it is set");
        return it->second;
      }
      case K::TensorSize: return static_cast<double>(arg(e->name).sizes.at(static_cast<std::size_t>(e->ival)));
      case K::TensorStride: return static_cast<double>(arg(e->name).strides.at(static_cast<std::size_t>(e->ival)));
      case K::Unary: {
        const double a = eval(e->args.at(0));
        if (e->op == ir::Op::Neg) return -a;
        if (e->op == ir::Op::Not) return a == 0;
        if (e->op == ir::Op::Abs) return std::abs(a);
        if (e->op == ir::Op::Sqrt) return std::sqrt(a);
        if (e->op == ir::Op::Exp) return std::exp(a);
        if (e->op == ir::Op::Log) return std::log(a);
        throw ArgError("host expression: unsupported unary '" + std::string(ir::name(e->op)) + "'");
      }
      case K::Binary: {
        const double a = eval(e->args.at(0)), b = eval(e->args.at(1));
        if (e->op == ir::Op::Add) return fix(a + b);
        if (e->op == ir::Op::Sub) return fix(a - b);
        if (e->op == ir::Op::Mul) return fix(a * b);
        if (e->op == ir::Op::Div) {
          if (b == 0) throw ArgError("host expression divides by zero");
          return fix(a / b);
        }
        if (e->op == ir::Op::Rem) {
          if (b == 0) throw ArgError("host expression divides by zero");
          return integral ? static_cast<double>(static_cast<std::int64_t>(a) % static_cast<std::int64_t>(b)) : std::fmod(a, b);
        }
        if (e->op == ir::Op::Maximum) return std::max(a, b);
        if (e->op == ir::Op::Minimum) return std::min(a, b);
        if (e->op == ir::Op::And) return (a != 0) && (b != 0);
        if (e->op == ir::Op::Or) return (a != 0) || (b != 0);
        if (e->op == ir::Op::Pow) return std::pow(a, b);
        throw ArgError("host expression: unsupported binary '" + std::string(ir::name(e->op)) + "'");
      }
      case K::Compare: {
        const double a = eval(e->args.at(0)), b = eval(e->args.at(1));
        if (e->op == ir::Op::Lt) return a < b;
        if (e->op == ir::Op::Le) return a <= b;
        if (e->op == ir::Op::Gt) return a > b;
        if (e->op == ir::Op::Ge) return a >= b;
        if (e->op == ir::Op::Eq) return a == b;
        return a != b;
      }
      case K::Select: return eval(e->args.at(0)) != 0 ? eval(e->args.at(1)) : eval(e->args.at(2));
      case K::Cast: return fix(eval(e->args.at(0)));
      default: throw ArgError("host expression: unsupported node in a launch bound");
    }
  }
};

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

/// The host prologue run for these arguments: its lets set, its checks passed.
HostEval run_prologue(const ir::Kernel& kernel, const std::vector<ArgSpec>& bound) {
  HostEval ev{kernel, bound, {}};
  for (const ir::StmtPtr& s : kernel.host) {
    if (s->kind == ir::Stmt::Kind::Let) ev.lets[s->name] = ev.eval(s->expr);
    if (s->kind == ir::Stmt::Kind::Check && ev.eval(s->expr) == 0)
      throw ArgError(fmt::format("TILECC_CHECK({}) fails for these arguments", s->text));
  }
  return ev;
}

}  // namespace

config::Specialization specialization_for(const ir::Kernel& kernel, const config::Config& config,
                                           const std::vector<ArgSpec>& bound, const std::string& arch) {
  const HostEval ev = run_prologue(kernel, bound);
  const std::vector<config::Slot> slots = config::specialization_slots(kernel, config);
  const std::span<const config::FactRule> table = config::fact_table(config::backend_of(arch));
  config::SpecKeyBuilder builder(config::Shapes::Dynamic);
  for (const config::Slot& s : slots) {
    config::SlotValue v;
    if (s.kind == config::SlotKind::LoopExtent) {
      v.value = static_cast<std::int64_t>(ev.eval(s.loop->end) - ev.eval(s.loop->begin));
      v.block = s.block;
    } else {
      const ArgSpec& a = bound.at(static_cast<std::size_t>(s.param));
      v.address = kBufferAlignment;  // cuMemAlloc'd buffers (the bench worker's) are at least this aligned
      v.element_bytes = ir::size_bytes(a.dtype);
      v.rank = static_cast<int>(a.sizes.size());
      v.strides = a.strides.data();
      if (s.kind == config::SlotKind::Scalar) v.value = static_cast<std::int64_t>(a.value);
      if (s.kind == config::SlotKind::Size) v.value = a.sizes.at(static_cast<std::size_t>(s.dim));
      if (s.kind == config::SlotKind::Stride) v.value = a.strides.at(static_cast<std::size_t>(s.dim));
    }
    builder.add_facts(config::facts_of(table, s.kind, v));
  }
  config::SpecKey key;
  if (!builder.finish(key)) return {};  // more slots than a key holds: generic code
  return config::specialization_from_key(kernel, slots, table, key);
}

LaunchDims launch_dims(const ir::Kernel& kernel, const config::Config& config, const std::vector<ArgSpec>& bound,
                       int sm_count) {
  const HostEval ev = run_prologue(kernel, bound);
  // Launch loops, as codegen's launch_dims(): per loop its dims in the config's order; pid xyz
  // gives each dim (or each flattened loop) its own grid axis.
  const config::KernelStructure structure = config::analyze(kernel);
  auto multi_index = [&](const ir::Stmt* s) -> int {
    for (std::size_t i = 0; i < structure.multi_dim_loops.size(); ++i)
      if (structure.multi_dim_loops[i] == s) return static_cast<int>(i);
    return -1;
  };
  std::vector<std::pair<std::int64_t, int>> tiles;  // (tiles of a dim, grid group)
  const std::vector<ir::StmtPtr>* body = &kernel.body;
  int group = -1;
  while (!body->empty() && (*body)[0]->kind == ir::Stmt::Kind::Loop && (*body)[0]->is_launch) {
    const ir::Stmt& s = *(*body)[0];
    const int mi = multi_index(&s);
    const bool flat = mi >= 0 && static_cast<std::size_t>(mi) < config.flatten_loops.size() && config.flatten_loops[static_cast<std::size_t>(mi)];
    std::vector<const ir::LoopDim*> dims;
    if (mi >= 0 && static_cast<std::size_t>(mi) < config.loop_orders.size())
      for (int i : config.loop_orders[static_cast<std::size_t>(mi)]) dims.push_back(&s.dims.at(static_cast<std::size_t>(i)));
    else
      for (const ir::LoopDim& d : s.dims) dims.push_back(&d);
    if (flat) ++group;
    for (const ir::LoopDim* d : dims) {
      std::int64_t b = 1;
      if (d->block.kind == ir::BlockSpec::Kind::Fixed) b = d->block.value;
      if (d->block.kind == ir::BlockSpec::Kind::Tunable) b = config.block_sizes.at(static_cast<std::size_t>(d->block.slot));
      if (s.is_grid) b = 1;
      const auto extent = static_cast<std::int64_t>(ev.eval(d->end) - ev.eval(d->begin));
      tiles.emplace_back(ceil_div(extent, b), flat ? group : ++group);
    }
    body = &s.body;
  }
  LaunchDims out;
  out.threads = static_cast<unsigned>(32 * config.num_warps);
  auto programs = [&](int g) {
    std::int64_t n = 1;
    for (const auto& [t, tg] : tiles)
      if (g < 0 || tg == g) n *= t;
    return n;
  };
  if (config.pid == config::Pid::Xyz) {
    const int axes = tiles.empty() ? 1 : tiles.back().second + 1;
    if (axes > 3) throw ArgError("pid xyz with more than three grid axes");
    for (int axis = 0; axis < 3; ++axis) {
      const std::int64_t n = axis < axes ? programs(axes - 1 - axis) : 1;
      if (n <= 0) out.empty = true;
      if (n > (axis == 0 ? 2147483647LL : 65535LL)) throw ArgError("the grid exceeds CUDA's limits with pid xyz");
      out.grid[axis] = static_cast<unsigned>(std::max<std::int64_t>(n, 0));
    }
    return out;
  }
  const std::int64_t n = programs(-1);
  if (n <= 0) out.empty = true;
  if (n > 2147483647LL) throw ArgError("more programs than CUDA's grid limit");
  std::int64_t blocks = n;
  if (config.persistent()) blocks = std::min<std::int64_t>(n, std::int64_t{sm_count} * config.programs_per_sm);
  out.grid[0] = static_cast<unsigned>(std::max<std::int64_t>(blocks, 0));
  return out;
}

std::vector<PackedParam> pack_params(const ir::Kernel& kernel, const std::vector<ArgSpec>& bound,
                                     const std::vector<unsigned long long>& device_ptrs) {
  std::vector<PackedParam> out;
  for (std::size_t i = 0; i < kernel.params.size(); ++i) {
    const ir::Param& p = kernel.params[i];
    const ArgSpec& a = bound.at(i);
    PackedParam pp;
    auto put = [&](const void* data, std::size_t n) {
      const auto* b = static_cast<const unsigned char*>(data);
      pp.bytes.insert(pp.bytes.end(), b, b + n);
    };
    if (p.is_tensor) {
      const unsigned long long ptr = device_ptrs.at(i);
      put(&ptr, 8);
      for (std::int64_t s : a.sizes) put(&s, 8);
      for (std::int64_t s : a.strides) put(&s, 8);
      pp.align = 8;
    } else {
      switch (p.dtype) {
        case ir::DType::i64: { const std::int64_t v = static_cast<std::int64_t>(a.value); put(&v, 8); pp.align = 8; break; }
        case ir::DType::i32: { const std::int32_t v = static_cast<std::int32_t>(a.value); put(&v, 4); pp.align = 4; break; }
        case ir::DType::i8: case ir::DType::b1: { const std::int8_t v = static_cast<std::int8_t>(a.value); put(&v, 1); pp.align = 1; break; }
        case ir::DType::f64: { const double v = a.value; put(&v, 8); pp.align = 8; break; }
        case ir::DType::f32: { const float v = static_cast<float>(a.value); put(&v, 4); pp.align = 4; break; }
        default: throw ArgError(fmt::format("scalar parameter '{}' of dtype {} is not supported by the tuner", p.name, ir::name(p.dtype)));
      }
    }
    out.push_back(std::move(pp));
  }
  return out;
}

}  // namespace tilecc::autotune
