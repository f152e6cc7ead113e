#include "ir.hpp"

#include <array>
#include <utility>

namespace tilecc::ir {

namespace {
constexpr std::array<std::pair<DType, const char*>, 11> kDTypeNames{{
    {DType::f16, "f16"},
    {DType::bf16, "bf16"},
    {DType::f32, "f32"},
    {DType::f64, "f64"},
    {DType::i8, "i8"},
    {DType::i32, "i32"},
    {DType::i64, "i64"},
    {DType::b1, "bool"},
    {DType::u8, "u8"},
    {DType::fp8e4m3, "fp8e4m3"},
    {DType::fp8e5m2, "fp8e5m2"},
}};

constexpr std::array<const char*, 59> kOpNames{
    "",       "neg",     "not",    "exp",    "exp2",  "log",   "sqrt",  "rsqrt",  "tanh",       "sigmoid",
    "erf",    "abs",     "add",    "sub",    "mul",   "div",   "rem",   "pow",    "maximum",    "minimum",
    "and",    "or",      "lt",     "le",     "gt",    "ge",    "eq",    "ne",     "sum",        "mean",
    "max",    "min",     "argmax", "argmin", "begin", "end",   "size",  "id",     "block_size", "floor",
    "ceil",   "round",   "trunc",  "sign",   "log1p", "expm1", "sin",   "cos",    "bit_not",    "bit_and",
    "bit_or", "bit_xor", "shl",    "shr",    "fma",   "rand",  "randn", "cumsum", "cummax",
};
static_assert(kOpNames.size() == static_cast<std::size_t>(Op::Cummax) + 1, "one name per op");

int float_rank(DType t) { return t == DType::f64 ? 3 : t == DType::f32 ? 2 : 1; }
}  // namespace

const char* name(DType t) {
  for (const auto& [d, n] : kDTypeNames)
    if (d == t) return n;
  return "?";
}

std::optional<DType> parse_dtype(const std::string& s) {
  for (const auto& [d, n] : kDTypeNames)
    if (s == n) return d;
  return std::nullopt;
}

int size_bytes(DType t) {
  switch (t) {
    case DType::f16:
    case DType::bf16: return 2;
    case DType::f32:
    case DType::i32: return 4;
    case DType::f64:
    case DType::i64: return 8;
    case DType::i8:
    case DType::b1:
    case DType::u8:
    case DType::fp8e4m3:
    case DType::fp8e5m2: return 1;
  }
  return 0;
}

bool is_floating(DType t) {
  return t == DType::f16 || t == DType::bf16 || t == DType::f32 || t == DType::f64 || t == DType::fp8e4m3 ||
         t == DType::fp8e5m2;
}
bool is_integer(DType t) { return t == DType::i8 || t == DType::i32 || t == DType::i64 || t == DType::u8; }

DType promote(DType a, DType b) {
  if (a == b) return a;
  if (is_floating(a) && is_floating(b)) {
    if (float_rank(a) == 1 && float_rank(b) == 1) return DType::f32;
    return float_rank(a) >= float_rank(b) ? a : b;
  }
  if (is_floating(a)) return a;
  if (is_floating(b)) return b;
  if (a == DType::b1) return b;
  if (b == DType::b1) return a;
  if (size_bytes(a) == 1 && size_bytes(b) == 1) return DType::i32;  // u8 with i8
  return size_bytes(a) >= size_bytes(b) ? a : b;
}

const char* name(Op op) {
  const auto i = static_cast<std::size_t>(op);
  return i < kOpNames.size() ? kOpNames[i] : "?";
}

std::optional<Op> parse_op(const std::string& s) {
  for (std::size_t i = 1; i < kOpNames.size(); ++i)
    if (s == kOpNames[i]) return static_cast<Op>(i);
  return std::nullopt;
}

Expr::Kind op_kind(Op op) {
  if (op == Op::None) return Expr::Kind::Const;
  if (op <= Op::Abs) return Expr::Kind::Unary;
  if (op <= Op::Or) return Expr::Kind::Binary;
  if (op <= Op::Ne) return Expr::Kind::Compare;
  if (op <= Op::Argmin) return Expr::Kind::Reduce;
  if (op <= Op::BlockSize) return Expr::Kind::TileAttr;
  if (op <= Op::BitNot) return Expr::Kind::Unary;
  if (is_scan(op)) return Expr::Kind::Reduce;
  return Expr::Kind::Binary;
}

bool is_scan(Op op) { return op == Op::Cumsum || op == Op::Cummax; }

int op_arity(Op op) {
  if (op == Op::Fma) return 3;
  switch (op_kind(op)) {
    case Expr::Kind::Unary: return 1;
    case Expr::Kind::Binary:
    case Expr::Kind::Compare: return 2;
    default: return 0;
  }
}

const char* name(CacheHint h) {
  switch (h) {
    case CacheHint::Default: return "default";
    case CacheHint::EvictFirst: return "evict_first";
    case CacheHint::EvictLast: return "evict_last";
    case CacheHint::Cg: return "cg";
    case CacheHint::Cs: return "cs";
  }
  return "?";
}

bool Dim::operator==(const Dim& o) const {
  if (kind != o.kind) return false;
  switch (kind) {
    case Kind::Tile: return var == o.var;
    case Kind::Full: return var == o.var && index == o.index;
    case Kind::One: return true;
    case Kind::Expr: return extent == o.extent;  // same node: conservative
  }
  return false;
}

ExprPtr make_const_int(std::int64_t v, DType t, SourceLoc loc) {
  auto e = std::make_shared<Expr>();
  e->kind = Expr::Kind::Const;
  e->dtype = t;
  e->ival = v;
  e->fval = static_cast<double>(v);
  e->loc = loc;
  return e;
}

ExprPtr make_const_float(double v, DType t, SourceLoc loc) {
  auto e = std::make_shared<Expr>();
  e->kind = Expr::Kind::Const;
  e->dtype = t;
  e->fval = v;
  e->loc = loc;
  return e;
}

ExprPtr make_var(const std::string& n, DType t, std::vector<Dim> shape, SourceLoc loc) {
  auto e = std::make_shared<Expr>();
  e->kind = Expr::Kind::Var;
  e->name = n;
  e->dtype = t;
  e->shape = std::move(shape);
  e->loc = loc;
  return e;
}

}  // namespace tilecc::ir
