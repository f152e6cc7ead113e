#include "host_eval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <optional>
#include <type_traits>

namespace tilecc::launch {

namespace {

using Code = HostExpr::Op::Code;
constexpr int kMaxStack = 32;

std::int64_t as_int(const HostValue& v) { return v.is_float ? static_cast<std::int64_t>(v.f) : v.i; }
double as_float(const HostValue& v) { return v.is_float ? v.f : static_cast<double>(v.i); }
HostValue int_value(std::int64_t i) { return {i, 0, false}; }
HostValue float_value(double f) { return {0, f, true}; }

/// A binary operation on two integers (T = std::int64_t) or on two doubles (either operand
/// floating), with the results the generated C++ would give.
template <class T> HostValue binary(Code code, T x, T y) {
  constexpr bool fl = std::is_same_v<T, double>;
  auto number = [](T v) {
    if constexpr (fl)
      return float_value(v);
    else
      return int_value(v);
  };
  switch (code) {
    case Code::Add: return number(x + y);
    case Code::Sub: return number(x - y);
    case Code::Mul: return number(x * y);
    // Integer division by zero gives 0 (a select may evaluate a guarded branch).
    case Code::Div:
      if constexpr (fl)
        return number(x / y);
      else
        return number(y == 0 ? 0 : x / y);
    case Code::Rem:
      if constexpr (fl)
        return number(std::fmod(x, y));
      else
        return number(y == 0 ? 0 : x % y);
    case Code::Max: return number(std::max(x, y));
    case Code::Min: return number(std::min(x, y));
    case Code::And: return int_value(x != 0 && y != 0);
    case Code::Or: return int_value(x != 0 || y != 0);
    case Code::Lt: return int_value(x < y);
    case Code::Le: return int_value(x <= y);
    case Code::Gt: return int_value(x > y);
    case Code::Ge: return int_value(x >= y);
    case Code::Eq: return int_value(x == y);
    case Code::Ne: return int_value(x != y);
    // Bit operations take integers (the verifier's rule); a shift count outside 0..63 gives 0.
    case Code::BitAnd:
    case Code::BitOr:
    case Code::BitXor:
    case Code::Shl:
    case Code::Shr:
      if constexpr (fl) {
        return int_value(0);
      } else {
        const auto u = static_cast<std::uint64_t>(x);
        if (code == Code::BitAnd) return int_value(x & y);
        if (code == Code::BitOr) return int_value(x | y);
        if (code == Code::BitXor) return int_value(x ^ y);
        if (y < 0 || y > 63) return int_value(0);
        return int_value(code == Code::Shl ? static_cast<std::int64_t>(u << y) : x >> y);
      }
    default: return int_value(0);  // not a binary operation
  }
}

/// The evaluator's operation for an IR op; nothing for one it does not evaluate (math
/// functions such as exp or sqrt: compile() refuses the expression, naming the op).
std::optional<Code> host_code(ir::Op op) {
  switch (op) {
    case ir::Op::Neg: return Code::Neg;
    case ir::Op::Not: return Code::Not;
    case ir::Op::Abs: return Code::Abs;
    case ir::Op::Add: return Code::Add;
    case ir::Op::Sub: return Code::Sub;
    case ir::Op::Mul: return Code::Mul;
    case ir::Op::Div: return Code::Div;
    case ir::Op::Rem: return Code::Rem;
    case ir::Op::Maximum: return Code::Max;
    case ir::Op::Minimum: return Code::Min;
    case ir::Op::And: return Code::And;
    case ir::Op::Or: return Code::Or;
    case ir::Op::Lt: return Code::Lt;
    case ir::Op::Le: return Code::Le;
    case ir::Op::Gt: return Code::Gt;
    case ir::Op::Ge: return Code::Ge;
    case ir::Op::Eq: return Code::Eq;
    case ir::Op::Ne: return Code::Ne;
    case ir::Op::BitAnd: return Code::BitAnd;
    case ir::Op::BitOr: return Code::BitOr;
    case ir::Op::BitXor: return Code::BitXor;
    case ir::Op::Shl: return Code::Shl;
    case ir::Op::Shr: return Code::Shr;
    case ir::Op::BitNot: return Code::BitNot;
    default: return std::nullopt;
  }
}

/// Whether converting the result of `producer` with `conversion` leaves it as it is:
/// comparisons and logic give integers 0 or 1, sizes and strides integers.
bool converts_to_itself(Code producer, Code conversion) {
  const bool zero_or_one = producer == Code::Not || producer == Code::And || producer == Code::Or ||
                           producer == Code::ToBool || (producer >= Code::Lt && producer <= Code::Ne);
  const bool integer = zero_or_one || producer == Code::Size || producer == Code::Stride || producer == Code::ToInt;
  return (conversion == Code::ToBool && zero_or_one) || (conversion == Code::ToInt && integer);
}

}  // namespace

HostExpr HostExpr::compile(const ir::ExprPtr& e, const ir::Kernel& kernel, const std::vector<std::string>& lets) {
  HostExpr out;
  if (e) out.where_ = fmt::format("{}:{}", kernel.source_file, e->loc.line);
  int depth = 0, max_depth = 0;
  auto push = [&](Op op, int pops) {
    depth += 1 - pops;
    max_depth = std::max(max_depth, depth);
    out.ops_.push_back(op);
  };
  auto unsupported = [&](const ir::Expr& x, const std::string& what) -> EvalError {
    return EvalError(fmt::format("{}:{}: tilecc cannot evaluate {} on the host", kernel.source_file, x.loc.line, what));
  };
  auto param_index = [&](const std::string& name) {
    for (std::size_t i = 0; i < kernel.params.size(); ++i)
      if (kernel.params[i].name == name) return static_cast<std::int32_t>(i);
    return std::int32_t{-1};
  };
  std::function<void(const ir::ExprPtr&)> walk = [&](const ir::ExprPtr& x) {
    using K = ir::Expr::Kind;
    if (!x) throw EvalError("tilecc: an empty host expression");
    if (!x->is_scalar()) throw unsupported(*x, "a tile value");
    Op op;
    op.code = Code::Const;
    switch (x->kind) {
      case K::Const:
        op.value = ir::is_floating(x->dtype) ? float_value(x->fval) : int_value(x->ival);
        push(op, 0);
        return;
      case K::Param: {
        op.code = Code::Param;
        op.a = param_index(x->name);
        if (op.a < 0) throw unsupported(*x, "the unknown parameter '" + x->name + "'");
        push(op, 0);
        return;
      }
      case K::Var: {
        for (std::size_t i = lets.size(); i-- > 0;)
          if (lets[i] == x->name) {
            op.code = Code::Let;
            op.a = static_cast<std::int32_t>(i);
            push(op, 0);
            return;
          }
        throw unsupported(*x, "'" + x->name + "' (not a host value)");
      }
      case K::TensorSize:
      case K::TensorStride:
        op.code = x->kind == K::TensorSize ? Code::Size : Code::Stride;
        op.a = param_index(x->name);
        op.b = static_cast<std::int32_t>(x->ival);
        if (op.a < 0) throw unsupported(*x, "the unknown tensor '" + x->name + "'");
        push(op, 0);
        return;
      case K::Unary:
      case K::Binary:
      case K::Compare: {
        const std::optional<Code> code = host_code(x->op);
        if (!code) throw unsupported(*x, fmt::format("'{}'", ir::name(x->op)));
        for (const ir::ExprPtr& a : x->args) walk(a);
        op.code = *code;
        push(op, static_cast<int>(x->args.size()));
        goto converted;
      }
      case K::Select:
        walk(x->args.at(0));
        walk(x->args.at(1));
        walk(x->args.at(2));
        op.code = Code::Select;
        push(op, 3);
        goto converted;
      case K::Cast: walk(x->args.at(0)); goto converted;
      default: throw unsupported(*x, "this expression");
    }
  converted:
    // Every result takes the expression's dtype, as the generated C++ would; a conversion
    // that cannot change the value on top is left out (fewer steps per launch).
    op = Op();
    op.code = ir::is_floating(x->dtype) ? Code::ToFloat : x->dtype == ir::DType::b1 ? Code::ToBool : Code::ToInt;
    if (!out.ops_.empty() && converts_to_itself(out.ops_.back().code, op.code)) return;
    push(op, 1);
  };
  walk(e);
  if (max_depth > kMaxStack)
    throw EvalError(fmt::format("{}: host expression too deep for the host evaluator", out.where_));
  return out;
}

HostValue HostExpr::eval(const HostEnv& env) const {
  // Most host expressions are one read (loop bounds, lets): no stack for those.
  if (ops_.size() == 1) {
    const Op& op = ops_[0];
    switch (op.code) {
      case Code::Const: return op.value;
      case Code::Param: return env.scalars[op.a];
      case Code::Let: return env.lets[op.a];
      case Code::Size: return int_value(env.sizes[op.a][op.b]);
      case Code::Stride: return int_value(env.strides[op.a][op.b]);
      default: break;
    }
  }
  HostValue stack[kMaxStack];
  int top = 0;
  for (const Op& op : ops_) {
    switch (op.code) {
      case Code::Const: stack[top++] = op.value; break;
      case Code::Param: stack[top++] = env.scalars[op.a]; break;
      case Code::Let: stack[top++] = env.lets[op.a]; break;
      case Code::Size: stack[top++] = int_value(env.sizes[op.a][op.b]); break;
      case Code::Stride: stack[top++] = int_value(env.strides[op.a][op.b]); break;
      case Code::Neg: {
        HostValue& v = stack[top - 1];
        v = v.is_float ? float_value(-v.f) : int_value(-v.i);
        break;
      }
      case Code::Not: stack[top - 1] = int_value(as_float(stack[top - 1]) == 0); break;
      case Code::Abs: {
        HostValue& v = stack[top - 1];
        v = v.is_float ? float_value(std::fabs(v.f)) : int_value(v.i < 0 ? -v.i : v.i);
        break;
      }
      case Code::BitNot: stack[top - 1] = int_value(~as_int(stack[top - 1])); break;
      case Code::ToInt: stack[top - 1] = int_value(as_int(stack[top - 1])); break;
      case Code::ToFloat: stack[top - 1] = float_value(as_float(stack[top - 1])); break;
      case Code::ToBool: stack[top - 1] = int_value(as_float(stack[top - 1]) != 0); break;
      case Code::Select: {
        const HostValue c = stack[top - 3], a = stack[top - 2], b = stack[top - 1];
        top -= 2;
        stack[top - 1] = as_float(c) != 0 ? a : b;
        break;
      }
      default: {
        const HostValue a = stack[top - 2], b = stack[top - 1];
        --top;
        stack[top - 1] =
            a.is_float || b.is_float ? binary(op.code, as_float(a), as_float(b)) : binary(op.code, a.i, b.i);
      }
    }
  }
  return top > 0 ? stack[top - 1] : HostValue{};
}

std::int64_t HostExpr::eval_int(const HostEnv& env) const { return as_int(eval(env)); }

HostPrologue::HostPrologue(const ir::Kernel& kernel) : kernel_(&kernel) {
  for (const ir::StmtPtr& s : kernel.host) {
    if (s->kind == ir::Stmt::Kind::Let) {
      lets_.push_back(HostExpr::compile(s->expr, kernel, let_names_));
      let_names_.push_back(s->name);
    } else if (s->kind == ir::Stmt::Kind::Check) {
      checks_.push_back({HostExpr::compile(s->expr, kernel, let_names_), s->text});
    }
  }
  if (static_cast<int>(lets_.size()) > HostEnv::kMaxLets)
    throw EvalError(fmt::format("kernel '{}' has {} host lets, more than the host evaluator's {}", kernel.name,
                                lets_.size(), HostEnv::kMaxLets));
}

const char* HostPrologue::run(HostEnv& env) const {
  for (std::size_t i = 0; i < lets_.size(); ++i) env.lets[i] = lets_[i].eval(env);
  for (const Check& c : checks_)
    if (as_float(c.expr.eval(env)) == 0) return c.text.c_str();
  return nullptr;
}

HostExpr HostPrologue::compile(const ir::ExprPtr& e) const { return HostExpr::compile(e, *kernel_, let_names_); }

HostProgram::HostProgram(const ir::Kernel& kernel) : prologue_(kernel), dims_(kernel_launch_dims(kernel)) {
  for (const KernelLaunchDim& d : dims_) {
    begin_.push_back(prologue_.compile(d.dim->begin));
    end_.push_back(prologue_.compile(d.dim->end));
  }
}

const char* HostProgram::run(HostEnv& env, std::int64_t* extents) const {
  if (const char* failed = prologue_.run(env)) return failed;
  for (std::size_t d = 0; d < dims_.size(); ++d) extents[d] = end_[d].eval_int(env) - begin_[d].eval_int(env);
  return nullptr;
}

}  // namespace tilecc::launch
