#include "lower_kernel.hpp"

#include <clang/AST/ASTContext.h>
#include <clang/AST/DeclCXX.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/Expr.h>
#include <clang/AST/ExprCXX.h>
#include <clang/AST/StmtCXX.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Lex/Lexer.h>

#include <map>
#include <set>

#include "translator/ir/permutation.hpp"

namespace tilecc::frontend {

namespace {

using ir::Dim;
using ir::DType;
using ir::ExprPtr;
using ir::Index;

/// What a declaration in the kernel stands for.
struct Symbol {
  enum class Kind { TensorParam, ScalarParam, HostScalar, BlockSize, LoopTile, LoopIndex, DeviceValue };
  Symbol() = default;
  Symbol(Kind k, std::string n, DType d = DType::i64, std::vector<Dim> s = {}, int r = 0, bool c = false)
      : kind(k), name(std::move(n)), dtype(d), shape(std::move(s)), rank(r), is_const(c) {}

  Kind kind = Kind::HostScalar;
  std::string name;
  DType dtype = DType::i64;
  std::vector<Dim> shape;
  int rank = 0;
  bool is_const = false;
  int slot = -1;  // BlockSize
};

// Operators and functions of the language, by the name Clang gives them.
const std::map<std::string, std::string> kBinaryOps = {{"+", "add"}, {"-", "sub"},     {"*", "mul"},  {"/", "div"},
                                                       {"%", "rem"}, {"&", "and"},     {"|", "or"},   {"&&", "and"},
                                                       {"||", "or"}, {"^", "bit_xor"}, {"<<", "shl"}, {">>", "shr"}};
const std::map<std::string, std::string> kCompareOps = {{"<", "lt"},  {"<=", "le"}, {">", "gt"},
                                                        {">=", "ge"}, {"==", "eq"}, {"!=", "ne"}};
const std::set<std::string> kUnaryMath = {"exp",   "exp2", "log",   "sqrt",  "rsqrt", "tanh",  "sigmoid", "erf", "abs",
                                          "floor", "ceil", "round", "trunc", "sign",  "log1p", "expm1",   "sin", "cos"};
const std::set<std::string> kReductions = {"sum", "mean", "max", "min", "argmax", "argmin"};
const std::set<std::string> kTileAttrs = {"begin", "end", "size", "id", "block_size"};
/// Atomic updates of a tensor region and how each combines the value with memory.
const std::map<std::string, ir::Op> kAtomics = {{"atomic_add", ir::Op::Add},
                                                {"atomic_max", ir::Op::Maximum},
                                                {"atomic_min", ir::Op::Minimum}};

/// Block sizes a kernel may register: at most the bound of whole-row tiles (full_extent).
constexpr std::int64_t kMaxBlockSize = 65536;
/// Deepest expression the frontend lowers (the serialized IR reader has the same limit).
constexpr int kMaxExprDepth = 256;

/// What a statement the kernel language has no counterpart for is, in the user's words.
std::string statement_name(const clang::Stmt& s) {
  switch (s.getStmtClass()) {
    case clang::Stmt::ForStmtClass: return "a counted 'for' loop (iterate tl::tile(...) or tl::grid(...))";
    case clang::Stmt::CXXForRangeStmtClass: return "a range-for over something other than tl::tile or tl::grid";
    case clang::Stmt::WhileStmtClass: return "a 'while' loop";
    case clang::Stmt::DoStmtClass: return "a 'do' loop";
    case clang::Stmt::SwitchStmtClass: return "a 'switch'";
    case clang::Stmt::ReturnStmtClass: return "'return'";
    case clang::Stmt::BreakStmtClass: return "'break'";
    case clang::Stmt::ContinueStmtClass: return "'continue'";
    case clang::Stmt::GotoStmtClass: return "'goto'";
    case clang::Stmt::LabelStmtClass: return "a label";
    case clang::Stmt::CXXTryStmtClass: return "'try'";
    case clang::Stmt::CompoundStmtClass: return "a nested { block }";
    case clang::Stmt::GCCAsmStmtClass: return "inline assembly";
    default: return "this kind of statement";
  }
}

/// What an expression the kernel language has no counterpart for is, in the user's words.
std::string expression_name(const clang::Expr& e) {
  if (llvm::isa<clang::CXXConstructExpr>(e) || llvm::isa<clang::CXXTemporaryObjectExpr>(e) ||
      llvm::isa<clang::InitListExpr>(e) || llvm::isa<clang::CXXFunctionalCastExpr>(e))
    return "constructing an object (only tiles, tensors and scalars exist in a kernel)";
  if (llvm::isa<clang::LambdaExpr>(e)) return "a lambda";
  if (llvm::isa<clang::StringLiteral>(e)) return "a string literal";
  if (llvm::isa<clang::CharacterLiteral>(e)) return "a character literal";
  if (llvm::isa<clang::ArraySubscriptExpr>(e)) return "indexing an array or pointer (index kernel tensors instead)";
  if (llvm::isa<clang::MemberExpr>(e)) return "a member access";
  if (llvm::isa<clang::CXXThisExpr>(e)) return "'this'";
  if (llvm::isa<clang::CXXNewExpr>(e) || llvm::isa<clang::CXXDeleteExpr>(e)) return "'new' or 'delete'";
  if (llvm::isa<clang::CXXThrowExpr>(e)) return "'throw'";
  if (llvm::isa<clang::UnaryExprOrTypeTraitExpr>(e)) return "sizeof or alignof";
  if (llvm::isa<clang::CompoundAssignOperator>(e)) return "a compound assignment used as a value";
  if (llvm::isa<clang::StmtExpr>(e)) return "a statement expression";
  return "this kind of expression";
}

class Lowering {
 public:
  Lowering(clang::ASTContext& ctx, Diagnostics& diags, const clang::FunctionDecl& fn, const std::string& file)
      : ctx_(ctx), diags_(diags), fn_(fn) {
    kernel_.name = fn.getNameAsString();
    kernel_.source_file = file;
    kernel_.loc = loc(fn.getLocation());
    if (const auto* args = fn.getTemplateSpecializationArgs()) {
      std::string s;
      llvm::raw_string_ostream os(s);
      clang::PrintingPolicy policy(ctx.getLangOpts());
      policy.SuppressScope = false;
      for (unsigned i = 0; i < args->size(); ++i) {
        if (i) os << ", ";
        args->get(i).print(policy, os, /*IncludeType=*/true);
      }
      kernel_.instance = os.str();
    }
  }

  ir::Kernel run() {
    for (const clang::ParmVarDecl* p : fn_.parameters()) lower_param(*p);
    const auto* body = llvm::dyn_cast_or_null<clang::CompoundStmt>(fn_.getBody());
    if (!body) diags_.error(fn_.getSourceRange(), "a tile kernel needs a body");
    bool launched = false;
    for (const clang::Stmt* s : body->body()) {
      if (const auto* loop = llvm::dyn_cast<clang::CXXForRangeStmt>(s)) {
        if (launched)
          diags_.error(s->getSourceRange(), "a kernel has exactly one outermost tile loop nest",
                       "move this loop into the first one, or into a second kernel");
        kernel_.body.push_back(lower_loop(*loop, /*launch=*/true));
        launched = true;
      } else if (launched) {
        diags_.error(s->getSourceRange(), "code after the outermost tile loop is not supported",
                     "host code runs before the tile loop; device code belongs inside it");
      } else {
        lower_host_stmt(*s);
      }
    }
    if (!launched)
      diags_.error(fn_.getSourceRange(), "kernel '" + kernel_.name + "' has no tile loop",
                   "write `for (auto t : tl::tile(n)) { ... }`: its iterations become GPU programs");
    return kernel_;
  }

 private:
  // ---- small helpers ----------------------------------------------------------

  ir::SourceLoc loc(clang::SourceLocation l) const {
    const clang::SourceManager& sm = ctx_.getSourceManager();
    const clang::PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(l));
    if (p.isInvalid()) return {};
    return {static_cast<int>(p.getLine()), static_cast<int>(p.getColumn())};
  }

  std::string source_text(clang::SourceRange r) const {
    const clang::SourceManager& sm = ctx_.getSourceManager();
    const auto range = clang::CharSourceRange::getTokenRange(sm.getExpansionRange(r).getAsRange());
    return clang::Lexer::getSourceText(range, sm, ctx_.getLangOpts()).str();
  }

  static const clang::Expr* strip(const clang::Expr* e) {
    while (true) {
      if (const auto* c = llvm::dyn_cast<clang::ExprWithCleanups>(e))
        e = c->getSubExpr();
      else if (const auto* m = llvm::dyn_cast<clang::MaterializeTemporaryExpr>(e))
        e = m->getSubExpr();
      else if (const auto* b = llvm::dyn_cast<clang::CXXBindTemporaryExpr>(e))
        e = b->getSubExpr();
      else if (const auto* i = llvm::dyn_cast<clang::ImplicitCastExpr>(e))
        e = i->getSubExpr();
      else if (const auto* p = llvm::dyn_cast<clang::ParenExpr>(e))
        e = p->getSubExpr();
      else if (const auto* k = llvm::dyn_cast<clang::ConstantExpr>(e))
        e = k->getSubExpr();
      else if (const auto* d = llvm::dyn_cast<clang::CXXDefaultArgExpr>(e))
        e = d->getExpr();
      // A single-element read used as a number (TileRef's conversion): the read itself.
      else if (const auto* mc = llvm::dyn_cast<clang::CXXMemberCallExpr>(e);
               mc && llvm::isa_and_nonnull<clang::CXXConversionDecl>(mc->getMethodDecl()) &&
               mc->getMethodDecl()->getParent()->getName() == "TileRef")
        e = mc->getImplicitObjectArgument();
      else if (const auto* f = llvm::dyn_cast<clang::CXXFunctionalCastExpr>(e);
               f && f->getCastKind() == clang::CK_ConstructorConversion)
        e = f->getSubExpr();
      else if (const auto* ctor = llvm::dyn_cast<clang::CXXConstructExpr>(e);
               ctor && ctor->getNumArgs() >= 1 &&
               (ctor->getConstructor()->isCopyOrMoveConstructor() || ctor->getNumArgs() == 1))
        e = ctor->getArg(0);
      else
        return e;
    }
  }

  /// The record a type names (through references, cv and sugar), or null.
  static const clang::CXXRecordDecl* record_of(clang::QualType t) {
    t = t.getNonReferenceType().getCanonicalType();
    return t->getAsCXXRecordDecl();
  }

  static std::string record_name(clang::QualType t) {
    const auto* r = record_of(t);
    return r ? r->getQualifiedNameAsString() : "";
  }

  std::optional<DType> scalar_dtype(clang::QualType t) const {
    t = t.getNonReferenceType().getCanonicalType().getUnqualifiedType();
    if (const auto* b = t->getAs<clang::BuiltinType>()) {
      switch (b->getKind()) {
        case clang::BuiltinType::Float: return DType::f32;
        case clang::BuiltinType::Double: return DType::f64;
        case clang::BuiltinType::Bool: return DType::b1;
        case clang::BuiltinType::SChar:
        case clang::BuiltinType::Char_S: return DType::i8;
        case clang::BuiltinType::UChar: return DType::u8;
        case clang::BuiltinType::Int: return DType::i32;
        case clang::BuiltinType::Long:
        case clang::BuiltinType::LongLong: return DType::i64;
        default: return std::nullopt;
      }
    }
    const std::string n = record_name(t);
    if (n == "tilecc::f16") return DType::f16;
    if (n == "tilecc::bf16") return DType::bf16;
    if (n == "tilecc::fp8e4m3") return DType::fp8e4m3;
    if (n == "tilecc::fp8e5m2") return DType::fp8e5m2;
    return std::nullopt;
  }

  /// Template argument `i` of a class template specialization type.
  static const clang::TemplateArgument* template_arg(clang::QualType t, unsigned i) {
    const auto* spec = llvm::dyn_cast_or_null<clang::ClassTemplateSpecializationDecl>(record_of(t));
    if (!spec || spec->getTemplateArgs().size() <= i) return nullptr;
    return &spec->getTemplateArgs()[i];
  }

  /// dtype of a tile or scalar expression, from Clang's type of it.
  DType dtype_of(const clang::Expr& e) const {
    const clang::QualType t = e.getType();
    if (auto d = scalar_dtype(t)) return *d;
    const std::string n = record_name(t);
    if (n == "tilecc::Tile" || n == "tilecc::TileRef")
      if (const auto* a = template_arg(t, 0))
        if (auto d = scalar_dtype(a->getAsType())) return *d;
    diags_.error(e.getSourceRange(), "unsupported type '" + t.getAsString() + "' in a tile kernel",
                 "tile kernels compute with tilecc tiles and the scalar types f16, bf16, fp8e4m3, fp8e5m2, "
                 "float, double, int8_t, uint8_t, int32_t, int64_t and bool");
  }

  std::optional<std::int64_t> constant_int(const clang::Expr& e) const {
    clang::Expr::EvalResult r;
    if (e.isValueDependent() || !e.EvaluateAsInt(r, ctx_)) return std::nullopt;
    return r.Val.getInt().getExtValue();
  }

  std::int64_t require_constant(const clang::Expr& e, const std::string& what) const {
    if (auto v = constant_int(e)) return *v;
    diags_.error(e.getSourceRange(), what + " must be a compile-time constant",
                 "write an integer literal or a constexpr value here");
  }

  static const clang::FunctionDecl* callee_of(const clang::Expr& e) {
    if (const auto* c = llvm::dyn_cast<clang::CallExpr>(&e)) return c->getDirectCallee();
    return nullptr;
  }

  /// "tilecc::exp" for a call to a function of namespace tilecc, else "".
  static std::string language_function(const clang::Expr& e) {
    const clang::FunctionDecl* f = callee_of(e);
    if (!f || llvm::isa<clang::CXXMethodDecl>(f)) return "";
    const auto* ns = llvm::dyn_cast<clang::NamespaceDecl>(f->getDeclContext()->getEnclosingNamespaceContext());
    if (!ns || ns->getName() != "tilecc") return "";
    return f->getNameAsString();
  }

  std::shared_ptr<ir::Expr> node(ir::Expr::Kind kind, const clang::Expr& at, DType dtype,
                                 std::vector<Dim> shape = {}) const {
    auto e = std::make_shared<ir::Expr>();
    e->kind = kind;
    e->dtype = dtype;
    e->shape = std::move(shape);
    e->loc = loc(at.getExprLoc());
    return e;
  }

  std::string shape_str(const std::vector<Dim>& s) const {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) {
      out += i ? ", " : "";
      switch (s[i].kind) {
        case Dim::Kind::Tile: out += s[i].var; break;
        case Dim::Kind::Full: out += s[i].var + ".size(" + std::to_string(s[i].index) + ")"; break;
        case Dim::Kind::One: out += "1"; break;
        case Dim::Kind::Expr: out += "n"; break;
      }
    }
    return out + "]";
  }

  /// Whether two dimensions have the same extent. Whole tensor dimensions
  /// (`all`) of different tensors are taken as equal: eager mode raises a
  /// ShapeError and the generated launcher checks them when they differ.
  static bool same_extent(const Dim& a, const Dim& b) {
    const auto whole = [](const Dim& d) { return d.kind == Dim::Kind::Full || d.kind == Dim::Kind::Expr; };
    if (whole(a) && whole(b)) return true;
    return a == b;
  }

  /// Broadcast of two shapes (numpy rules), or an error at `at`.
  std::vector<Dim> broadcast(const std::vector<Dim>& a, const std::vector<Dim>& b, const clang::Expr& at) const {
    const std::size_t n = std::max(a.size(), b.size());
    std::vector<Dim> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      const Dim one{};
      const Dim& da = i + a.size() >= n ? a[i + a.size() - n] : one;
      const Dim& db = i + b.size() >= n ? b[i + b.size() - n] : one;
      if (da.kind == Dim::Kind::One)
        out[i] = db;
      else if (db.kind == Dim::Kind::One)
        out[i] = da;
      else if (same_extent(da, db))
        out[i] = da;
      else
        diags_.error(at.getSourceRange(),
                     "tiles of shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast",
                     "dimensions must match from the right; use tl::unsqueeze(t, dim) or keepdim=true "
                     "to line them up");
    }
    return out;
  }

  // ---- declarations --------------------------------------------------------------

  void lower_param(const clang::ParmVarDecl& p) {
    ir::Param param;
    param.name = p.getNameAsString();
    const clang::QualType t = p.getType();
    clang::PrintingPolicy policy(ctx_.getLangOpts());
    policy.FullyQualifiedName = true;
    policy.SuppressScope = false;
    param.cpp_type = t.getCanonicalType().getAsString(policy);
    if (record_name(t) == "tilecc::Tensor") {
      const auto* elem = template_arg(t, 0);
      const auto* rank = template_arg(t, 1);
      const clang::QualType et = elem->getAsType();
      const auto d = scalar_dtype(et);
      if (!d) diags_.error(p.getSourceRange(), "unsupported tensor element type '" + et.getAsString() + "'");
      param.is_tensor = true;
      param.dtype = *d;
      param.is_const = et.isConstQualified();
      param.rank = static_cast<int>(rank->getAsIntegral().getExtValue());
      symbols_[&p] = {Symbol::Kind::TensorParam, param.name, *d, {}, param.rank, param.is_const};
    } else if (auto d = scalar_dtype(t)) {
      if (*d == DType::fp8e4m3 || *d == DType::fp8e5m2)
        diags_.error(p.getSourceRange(), "an fp8 scalar parameter is not supported",
                     "pass it as float and convert inside the kernel");
      param.dtype = *d;
      symbols_[&p] = {Symbol::Kind::ScalarParam, param.name, *d};
    } else {
      diags_.error(p.getSourceRange(), "unsupported kernel parameter type '" + t.getAsString() + "'",
                   "kernel parameters are tl::Tensor<T, R> views or scalars");
    }
    kernel_.params.push_back(param);
  }

  void lower_host_stmt(const clang::Stmt& s) {
    if (const auto* ds = llvm::dyn_cast<clang::DeclStmt>(&s)) {
      for (const clang::Decl* d : ds->decls()) {
        const auto* v = llvm::dyn_cast<clang::VarDecl>(d);
        if (!v || !v->getInit()) diags_.error(d->getSourceRange(), "host code may only declare initialized variables");
        const clang::Expr* init = strip(v->getInit());
        if (language_function(*init) == "register_block_size") {
          register_block_size(*v, *llvm::cast<clang::CallExpr>(init));
          continue;
        }
        ExprPtr e = lower_scalar(*v->getInit(), "host code");
        auto st = stmt(ir::Stmt::Kind::Let, s);
        st->name = v->getNameAsString();
        st->expr = e;
        kernel_.host.push_back(st);
        symbols_[v] = {Symbol::Kind::HostScalar, st->name, e->dtype};
      }
      return;
    }
    if (const auto* d = llvm::dyn_cast<clang::DoStmt>(&s)) {
      lower_check(*d);
      return;
    }
    if (llvm::isa<clang::NullStmt>(s)) return;
    diags_.error(s.getSourceRange(), "unsupported statement before the tile loop",
                 "before the outermost tile loop a kernel may only compute shapes (const auto m = "
                 "x.size(0);) and check them (TILECC_CHECK(...))");
  }

  void register_block_size(const clang::VarDecl& v, const clang::CallExpr& call) {
    ir::BlockSlot slot{v.getNameAsString(), 16, 256, loc(call.getBeginLoc())};
    if (call.getNumArgs() >= 1) slot.min = require_constant(*call.getArg(0), "register_block_size's min");
    if (call.getNumArgs() >= 2) slot.max = require_constant(*call.getArg(1), "register_block_size's max");
    // The tuner picks a power of two in [min, max]: the range must hold one. A block larger
    // than a whole-row tile's bound (65536) could never be held.
    std::int64_t pow2 = 1;
    while (pow2 < slot.min && pow2 <= kMaxBlockSize) pow2 *= 2;
    const char* why = slot.min < 1               ? "min is below 1"
                      : slot.max < slot.min      ? "min is larger than max: the range is empty"
                      : slot.max > kMaxBlockSize ? "max is larger than 65536"
                      : pow2 > slot.max          ? "no power of two lies in the range"
                                                 : nullptr;
    if (why)
      diags_.error(call.getSourceRange(),
                   "register_block_size(" + std::to_string(slot.min) + ", " + std::to_string(slot.max) + "): " + why,
                   "write register_block_size(min, max) with 1 <= min <= max <= " + std::to_string(kMaxBlockSize) +
                       " and a power of two between them, e.g. register_block_size(16, 256)");
    kernel_.block_slots.push_back(slot);
    Symbol sym{Symbol::Kind::BlockSize, slot.name};
    sym.slot = static_cast<int>(kernel_.block_slots.size()) - 1;
    symbols_[&v] = sym;
  }

  /// TILECC_CHECK(c) expands to do { if (!(c)) check_failed("c", ...); } while (false).
  void lower_check(const clang::DoStmt& d) {
    const auto* body = llvm::dyn_cast<clang::CompoundStmt>(d.getBody());
    const auto* ifs = body && body->size() == 1 ? llvm::dyn_cast<clang::IfStmt>(body->body_front()) : nullptr;
    const auto* neg = ifs ? llvm::dyn_cast<clang::UnaryOperator>(strip(ifs->getCond())) : nullptr;
    const auto* call = ifs ? llvm::dyn_cast<clang::CallExpr>(ifs->getThen()) : nullptr;
    if (!neg || neg->getOpcode() != clang::UO_LNot || !call || call->getNumArgs() < 1)
      diags_.error(d.getSourceRange(), "unsupported do/while statement in a kernel",
                   "host checks are written TILECC_CHECK(condition)");
    auto st = stmt(ir::Stmt::Kind::Check, d);
    st->expr = lower_scalar(*neg->getSubExpr(), "TILECC_CHECK");
    if (const auto* lit = llvm::dyn_cast<clang::StringLiteral>(strip(call->getArg(0))))
      st->text = lit->getString().str();
    kernel_.host.push_back(st);
  }

  std::shared_ptr<ir::Stmt> stmt(ir::Stmt::Kind k, const clang::Stmt& at) const {
    auto s = std::make_shared<ir::Stmt>();
    s->kind = k;
    s->loc = loc(at.getBeginLoc());
    return s;
  }

  // ---- loops ---------------------------------------------------------------------

  ir::StmtPtr lower_loop(const clang::CXXForRangeStmt& loop, bool launch) {
    const clang::Expr* init = strip(loop.getRangeInit());
    const std::string fn = language_function(*init);
    if (fn != "tile" && fn != "grid")
      diags_.error(loop.getRangeInit()->getSourceRange(), "a kernel loop must iterate tl::tile(...) or tl::grid(...)",
                   "plain C++ loops are not supported in kernels yet");
    const auto& call = *llvm::cast<clang::CallExpr>(init);
    auto st = stmt(ir::Stmt::Kind::Loop, loop);
    st->is_grid = fn == "grid";
    st->is_launch = launch;

    // Loop variables: `auto t` or `auto [a, b]`.
    std::vector<const clang::ValueDecl*> vars;
    const clang::VarDecl* lv = loop.getLoopVariable();
    if (const auto* dd = llvm::dyn_cast<clang::DecompositionDecl>(lv))
      for (const clang::BindingDecl* b : dd->bindings()) vars.push_back(b);
    else
      vars.push_back(lv);

    // Arguments: extents, then an optional block(...) or BlockSize.
    std::vector<const clang::Expr*> extents;
    const clang::CallExpr* block_call = nullptr;
    const clang::Expr* block_var = nullptr;
    for (const clang::Expr* a : call.arguments()) {
      const clang::Expr* sa = strip(a);
      const std::string rn = record_name(sa->getType());
      if (rn == "tilecc::Block") {
        block_call = llvm::dyn_cast<clang::CallExpr>(sa);
        if (!block_call) diags_.error(a->getSourceRange(), "write the block sizes inline: tl::block(...)");
      } else if (rn == "tilecc::BlockSize") {
        block_var = sa;
      } else {
        extents.push_back(sa);
      }
    }
    if (vars.size() != extents.size())
      diags_.error(lv->getSourceRange(), "the loop has " + std::to_string(extents.size()) + " dimensions but binds " +
                                             std::to_string(vars.size()) + " names");

    for (std::size_t i = 0; i < extents.size(); ++i) {
      ir::LoopDim d;
      d.var = vars[i]->getNameAsString();
      const clang::Expr* ext = extents[i];
      if (language_function(*ext) == "range") {
        const auto& r = *llvm::cast<clang::CallExpr>(ext);
        d.begin = lower_scalar(*r.getArg(0), "a loop bound");
        d.end = lower_scalar(*r.getArg(1), "a loop bound");
      } else {
        d.begin = ir::make_const_int(0);
        d.end = lower_scalar(*ext, "a loop bound");
      }
      if (st->is_grid) {
        d.block.kind = ir::BlockSpec::Kind::One;
      } else if (block_call) {
        set_block(d.block, *block_call->getArg(static_cast<unsigned>(i)), d.var);
      } else if (block_var) {
        set_block(d.block, *block_var, d.var);
      } else {
        d.block.kind = ir::BlockSpec::Kind::Tunable;
        d.block.slot = static_cast<int>(kernel_.block_slots.size());
        kernel_.block_slots.push_back({"block_size_" + d.var, 1, 1024});
      }
      Symbol sym{st->is_grid ? Symbol::Kind::LoopIndex : Symbol::Kind::LoopTile, d.var, DType::i64};
      symbols_[vars[i]] = sym;
      st->dims.push_back(d);
    }

    // A launch loop whose body is exactly one more tile/grid loop folds into
    // the launch grid (`for (b : grid(B)) for ([tm, tn] : tile(m, n))`).
    const clang::Stmt* body = loop.getBody();
    const auto* cs = llvm::dyn_cast<clang::CompoundStmt>(body);
    if (cs && cs->size() == 1) body = cs->body_front();
    if (launch && llvm::isa<clang::CXXForRangeStmt>(body)) {
      st->body.push_back(lower_loop(*llvm::cast<clang::CXXForRangeStmt>(body), true));
    } else {
      lower_device_block(*loop.getBody(), st->body);
    }
    return st;
  }

  void set_block(ir::BlockSpec& b, const clang::Expr& arg, const std::string& var) {
    const clang::Expr* a = strip(&arg);
    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(a)) {
      auto it = symbols_.find(ref->getDecl());
      if (it != symbols_.end() && it->second.kind == Symbol::Kind::BlockSize) {
        b.kind = ir::BlockSpec::Kind::Tunable;
        b.slot = it->second.slot;
        return;
      }
    }
    const std::int64_t v = require_constant(arg, "the block size of '" + var + "'");
    if (v < 1 || (v & (v - 1)) != 0)
      diags_.error(arg.getSourceRange(), "block size " + std::to_string(v) + " is not a power of two",
                   "GPU tiles need power-of-two block sizes; the edges of any extent are masked");
    b.kind = ir::BlockSpec::Kind::Fixed;
    b.value = v;
  }

  // ---- device statements -----------------------------------------------------------

  void lower_device_block(const clang::Stmt& s, std::vector<ir::StmtPtr>& out) {
    if (const auto* cs = llvm::dyn_cast<clang::CompoundStmt>(&s)) {
      for (const clang::Stmt* c : cs->body()) lower_device_stmt(*c, out);
      return;
    }
    lower_device_stmt(s, out);
  }

  void lower_device_stmt(const clang::Stmt& s, std::vector<ir::StmtPtr>& out) {
    if (const auto* loop = llvm::dyn_cast<clang::CXXForRangeStmt>(&s)) {
      out.push_back(lower_loop(*loop, false));
      return;
    }
    if (const auto* ds = llvm::dyn_cast<clang::DeclStmt>(&s)) {
      for (const clang::Decl* d : ds->decls()) {
        const auto* v = llvm::dyn_cast<clang::VarDecl>(d);
        if (!v || !v->getInit() || llvm::isa<clang::DecompositionDecl>(v))
          diags_.error(d->getSourceRange(), "unsupported declaration in a tile loop",
                       "declare one tile or scalar per variable: auto v = ...;");
        auto st = stmt(ir::Stmt::Kind::Let, s);
        st->name = v->getNameAsString();
        st->expr = lower(*v->getInit());
        symbols_[v] = {Symbol::Kind::DeviceValue, st->name, st->expr->dtype, st->expr->shape};
        out.push_back(st);
      }
      return;
    }
    if (llvm::isa<clang::NullStmt>(s)) return;
    if (const auto* e = llvm::dyn_cast<clang::Expr>(&s)) {
      lower_device_expr_stmt(*strip(e), out);
      return;
    }
    if (llvm::isa<clang::IfStmt>(s))
      diags_.error(s.getSourceRange(), "'if' is not supported inside a tile loop",
                   "select values with tl::where(cond, a, b); out-of-range elements are masked for you");
    diags_.error(s.getSourceRange(), "unsupported statement inside a tile loop: " + statement_name(s),
                 "a tile loop body holds declarations (auto v = x[t];), assignments, stores (out[t] = v;), "
                 "tl::atomic_add(...) and nested tile loops (for (auto t : tl::tile(n)))");
  }

  void lower_device_expr_stmt(const clang::Expr& e, std::vector<ir::StmtPtr>& out) {
    if (const std::string fn = language_function(e); kAtomics.count(fn)) {
      const auto& call = llvm::cast<clang::CallExpr>(e);
      auto st = stmt(ir::Stmt::Kind::AtomicAdd, e);
      st->op = kAtomics.at(fn);
      const auto* target = strip(call.getArg(0));
      const auto* sub = subscript(*target);
      if (!sub) diags_.error(call.getArg(0)->getSourceRange(), fn + " needs a tensor region: " + fn + "(out[t], v)");
      fill_access(*sub, *st);
      st->expr = lower(*call.getArg(1));
      out.push_back(st);
      return;
    }
    const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(&e);
    if (!op || op->getNumArgs() != 2)
      diags_.error(e.getSourceRange(), "this expression statement has no effect a kernel can express",
                   "statements in tile loops store (out[t] = v), assign (acc = ...) or atomic_add");
    const clang::OverloadedOperatorKind k = op->getOperator();
    std::string binop;
    switch (k) {
      case clang::OO_Equal: break;
      case clang::OO_PlusEqual: binop = "add"; break;
      case clang::OO_MinusEqual: binop = "sub"; break;
      case clang::OO_StarEqual: binop = "mul"; break;
      case clang::OO_SlashEqual: binop = "div"; break;
      default: diags_.error(e.getSourceRange(), "unsupported operator statement");
    }
    const clang::Expr* lhs = strip(op->getArg(0));
    ExprPtr rhs = lower(*op->getArg(1));
    if (const auto* sub = subscript(*lhs)) {
      auto st = stmt(ir::Stmt::Kind::Store, e);
      fill_access(*sub, *st);
      if (!binop.empty()) rhs = binary(binop, lower(*lhs), rhs, e, dtype_of(*lhs));
      check_store_shape(*st, rhs, e);
      st->expr = rhs;
      out.push_back(st);
      return;
    }
    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(lhs)) {
      auto it = symbols_.find(ref->getDecl());
      if (it == symbols_.end() || it->second.kind != Symbol::Kind::DeviceValue)
        diags_.error(lhs->getSourceRange(), "only tiles declared inside the tile loop can be assigned");
      if (!binop.empty()) rhs = binary(binop, lower(*lhs), rhs, e, it->second.dtype);
      if (broadcast(it->second.shape, rhs->shape, e) != it->second.shape)
        diags_.error(e.getSourceRange(),
                     "assigning a tile of shape " + shape_str(rhs->shape) + " to '" + it->second.name + "' of shape " +
                         shape_str(it->second.shape),
                     "a tile keeps its shape; reduce or broadcast the value first");
      auto st = stmt(ir::Stmt::Kind::Assign, e);
      st->name = it->second.name;
      st->expr = accumulate_into(rhs, it->second.name);
      out.push_back(st);
      return;
    }
    diags_.error(lhs->getSourceRange(), "cannot assign to this expression in a kernel",
                 "store into a tensor region (out[t] = v) or assign a local tile (acc = ...)");
  }

  /// `acc + dot(a, b)` (either order; `acc += dot(a, b)`) assigned to the float tile acc of the
  /// products' extents, as `dot(a, b, acc)`: the same sum, which the library's k-loop runs with
  /// its operands staged through a pipeline and the products added into acc once.
  static ExprPtr accumulate_into(const ExprPtr& rhs, const std::string& acc) {
    using K = ir::Expr::Kind;
    if (rhs->kind != K::Binary || rhs->op != ir::Op::Add || rhs->args.size() != 2 || rhs->dtype != ir::DType::f32)
      return rhs;
    for (std::size_t side = 0; side < 2; ++side) {
      const ExprPtr& d = rhs->args[side];
      const ExprPtr& x = rhs->args[1 - side];
      if (d->kind != K::Dot || d->args.size() != 2 || d->dtype != ir::DType::f32) continue;
      if (x->kind != K::Var || x->name != acc || x->dtype != ir::DType::f32 || x->shape.size() != 2) continue;
      bool same = true;
      for (std::size_t i = 0; i < 2; ++i)
        same = same && x->shape[i].kind != Dim::Kind::One && same_extent(x->shape[i], d->shape[i]);
      if (!same) continue;
      auto dot = std::make_shared<ir::Expr>(*d);
      dot->args.push_back(x);
      return dot;
    }
    return rhs;
  }

  void check_store_shape(const ir::Stmt& st, const ExprPtr& value, const clang::Expr& at) const {
    const std::vector<Dim> target = access_shape(st.name, st.indices);
    if (value->shape.size() > target.size() || broadcast(target, value->shape, at).size() != target.size())
      diags_.error(at.getSourceRange(), "storing a tile of shape " + shape_str(value->shape) +
                                            " into a region of shape " + shape_str(target));
  }

  // ---- tensor access -------------------------------------------------------------

  /// The Tensor::operator[] call `e` is, or null.
  static const clang::CXXOperatorCallExpr* subscript(const clang::Expr& e) {
    const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(&e);
    if (op && op->getOperator() == clang::OO_Subscript &&
        record_name(strip(op->getArg(0))->getType()) == "tilecc::Tensor")
      return op;
    return nullptr;
  }

  void fill_access(const clang::CXXOperatorCallExpr& sub, ir::Stmt& st) {
    ir::Expr tmp;
    access(sub, tmp.name, tmp.indices);
    st.name = tmp.name;
    st.indices = tmp.indices;
    const Symbol& t = tensor_symbol(sub);
    if (t.is_const)
      diags_.error(sub.getSourceRange(), "'" + t.name + "' is a Tensor<const T>: it cannot be written",
                   "declare the parameter as tl::Tensor<T, R> to write to it");
  }

  const Symbol& tensor_symbol(const clang::CXXOperatorCallExpr& sub) {
    const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(strip(sub.getArg(0)));
    auto it = ref ? symbols_.find(ref->getDecl()) : symbols_.end();
    if (it == symbols_.end() || it->second.kind != Symbol::Kind::TensorParam)
      diags_.error(sub.getArg(0)->getSourceRange(), "only kernel parameters can be indexed",
                   "index a tl::Tensor parameter of the kernel directly");
    return it->second;
  }

  void access(const clang::CXXOperatorCallExpr& sub, std::string& name, std::vector<Index>& indices) {
    const Symbol& t = tensor_symbol(sub);
    name = t.name;
    for (unsigned i = 1; i < sub.getNumArgs(); ++i) {
      const clang::Expr* a = strip(sub.getArg(i));
      Index idx;
      const std::string rn = record_name(a->getType());
      if (rn == "tilecc::All") {
        idx.kind = Index::Kind::All;
      } else if (rn == "tilecc::TileIndex") {
        // A shifted tile, `x[tm, tn + n1]`: the tile's indices plus a scalar offset.
        if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(a);
            op && op->getNumArgs() == 2 &&
            (op->getOperator() == clang::OO_Plus || op->getOperator() == clang::OO_Minus)) {
          const bool tile_first = record_name(strip(op->getArg(0))->getType()) == "tilecc::TileIndex";
          if (!tile_first && op->getOperator() == clang::OO_Minus)
            diags_.error(a->getSourceRange(), "a number minus a tile is not an index",
                         "shift a tile by adding or subtracting a number: x[tn + n1], x[tn - 1]");
          ExprPtr offset = lower_scalar(*op->getArg(tile_first ? 1 : 0), "a tile's offset");
          if (op->getOperator() == clang::OO_Minus) {
            auto neg = node(ir::Expr::Kind::Unary, *op, offset->dtype);
            neg->op = ir::Op::Neg;
            neg->args = {offset};
            offset = neg;
          }
          a = strip(op->getArg(tile_first ? 0 : 1));
          idx.expr = offset;
        }
        const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(a);
        auto it = ref ? symbols_.find(ref->getDecl()) : symbols_.end();
        if (it == symbols_.end() || it->second.kind != Symbol::Kind::LoopTile)
          diags_.error(a->getSourceRange(), "index with a tile loop variable directly");
        idx.kind = Index::Kind::Tile;
        idx.var = it->second.name;
      } else if (rn == "tilecc::Tile" || rn == "tilecc::TileRef") {
        idx.kind = Index::Kind::Gather;
        idx.expr = lower(*a);
        if (idx.expr->shape.size() != 1 || !ir::is_integer(idx.expr->dtype))
          diags_.error(a->getSourceRange(), "a tile used as an index must be a rank-1 integer tile");
      } else {
        idx.kind = Index::Kind::Scalar;
        idx.expr = lower_scalar(*a, "an index");
      }
      indices.push_back(idx);
    }
  }

  std::vector<Dim> access_shape(const std::string& tensor, const std::vector<Index>& indices) const {
    std::vector<Dim> shape;
    for (std::size_t d = 0; d < indices.size(); ++d) {
      const Index& i = indices[d];
      if (i.kind == Index::Kind::Tile)
        shape.push_back({Dim::Kind::Tile, i.var, 0, nullptr});
      else if (i.kind == Index::Kind::All)
        shape.push_back({Dim::Kind::Full, tensor, static_cast<int>(d), nullptr});
      else if (i.kind == Index::Kind::Gather)
        shape.push_back(i.expr->shape[0]);
    }
    return shape;
  }

  // ---- expressions -------------------------------------------------------------------

  ExprPtr lower_scalar(const clang::Expr& e, const std::string& where) {
    ExprPtr r = lower(e);
    if (!r->is_scalar())
      diags_.error(e.getSourceRange(), where + " must be a scalar, not a tile of shape " + shape_str(r->shape));
    return r;
  }

  ExprPtr binary(std::string op, ExprPtr a, ExprPtr b, const clang::Expr& at, DType dtype) const {
    static const std::set<std::string> compares = {"lt", "le", "gt", "ge", "eq", "ne"};
    // & and | (not && and ||) of integers are bitwise; of bools, logical.
    const auto* spelled = llvm::dyn_cast<clang::BinaryOperator>(strip(&at));
    const auto* over = llvm::dyn_cast<clang::CXXOperatorCallExpr>(strip(&at));
    const bool single = (spelled && (spelled->getOpcode() == clang::BO_And || spelled->getOpcode() == clang::BO_Or)) ||
                        (over && (over->getOperator() == clang::OO_Amp || over->getOperator() == clang::OO_Pipe));
    if (single && ir::is_integer(dtype)) op = op == "and" ? "bit_and" : "bit_or";
    auto e = node(compares.count(op) ? ir::Expr::Kind::Compare : ir::Expr::Kind::Binary, at, dtype,
                  broadcast(a->shape, b->shape, at));
    e->op = *ir::parse_op(op);
    e->args = {std::move(a), std::move(b)};
    return e;
  }

  /// Lowers one expression. The passes and the printer recurse over expression trees, so a
  /// nesting deeper than kMaxExprDepth is refused here instead of overflowing their stack.
  ExprPtr lower(const clang::Expr& raw) {
    if (depth_ >= kMaxExprDepth)
      diags_.error(raw.getSourceRange(), "expression nested more than " + std::to_string(kMaxExprDepth) + " deep",
                   "name intermediate results: auto t = ...;");
    ++depth_;
    const struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    return lower_node(raw);
  }

  ExprPtr lower_node(const clang::Expr& raw) {
    const clang::Expr* e = strip(&raw);
    using K = ir::Expr::Kind;

    if (const auto* i = llvm::dyn_cast<clang::IntegerLiteral>(e))
      return ir::make_const_int(i->getValue().getSExtValue(), scalar_dtype(i->getType()).value_or(DType::i64),
                                loc(e->getExprLoc()));
    if (const auto* f = llvm::dyn_cast<clang::FloatingLiteral>(e))
      return ir::make_const_float(f->getValueAsApproximateDouble(), dtype_of(*f), loc(e->getExprLoc()));
    if (const auto* b = llvm::dyn_cast<clang::CXXBoolLiteralExpr>(e))
      return ir::make_const_int(b->getValue(), DType::b1, loc(e->getExprLoc()));

    if (const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(e)) return lower_ref(*ref);

    // Constant scalar expressions (INFINITY, 1.0f / 3, constexpr math) fold to literals.
    if (!e->isValueDependent() && e->getType()->isArithmeticType() && !llvm::isa<clang::CXXOperatorCallExpr>(e)) {
      clang::Expr::EvalResult r;
      if (e->EvaluateAsRValue(r, ctx_) && !r.HasSideEffects) {
        if (r.Val.isInt()) return ir::make_const_int(r.Val.getInt().getExtValue(), dtype_of(*e), loc(e->getExprLoc()));
        if (r.Val.isFloat())
          return ir::make_const_float(r.Val.getFloat().convertToDouble(), dtype_of(*e), loc(e->getExprLoc()));
      }
    }

    if (const auto* u = llvm::dyn_cast<clang::UnaryOperator>(e)) {
      std::string op = u->getOpcode() == clang::UO_Minus  ? "neg"
                       : u->getOpcode() == clang::UO_LNot ? "not"
                       : u->getOpcode() == clang::UO_Not  ? "bit_not"
                                                          : "";
      if (u->getOpcode() == clang::UO_Plus) return lower(*u->getSubExpr());
      if (op.empty()) diags_.error(e->getSourceRange(), "unsupported unary operator in a kernel");
      ExprPtr a = lower(*u->getSubExpr());
      auto n = node(K::Unary, *e, dtype_of(*e), a->shape);
      n->op = *ir::parse_op(op);
      n->args = {a};
      return n;
    }
    if (const auto* b = llvm::dyn_cast<clang::BinaryOperator>(e)) {
      const std::string spelled = clang::BinaryOperator::getOpcodeStr(b->getOpcode()).str();
      std::string op;
      if (auto it = kBinaryOps.find(spelled); it != kBinaryOps.end()) op = it->second;
      if (auto it = kCompareOps.find(spelled); it != kCompareOps.end()) op = it->second;
      if (op.empty()) diags_.error(e->getSourceRange(), "unsupported operator '" + spelled + "' in a kernel");
      return binary(op, lower(*b->getLHS()), lower(*b->getRHS()), *e, dtype_of(*e));
    }
    if (const auto* c = llvm::dyn_cast<clang::ConditionalOperator>(e)) {
      ExprPtr cond = lower(*c->getCond()), a = lower(*c->getTrueExpr()), b = lower(*c->getFalseExpr());
      auto n = node(K::Select, *e, dtype_of(*e), broadcast(cond->shape, broadcast(a->shape, b->shape, *e), *e));
      n->args = {cond, a, b};
      return n;
    }
    if (const auto* c = llvm::dyn_cast<clang::ExplicitCastExpr>(e)) {
      ExprPtr a = lower(*c->getSubExpr());
      auto n = node(K::Cast, *e, dtype_of(*e), a->shape);
      n->args = {a};
      return n;
    }
    if (const auto* op = llvm::dyn_cast<clang::CXXOperatorCallExpr>(e)) return lower_operator(*op);
    if (const auto* m = llvm::dyn_cast<clang::CXXMemberCallExpr>(e)) return lower_method(*m);
    if (const auto* call = llvm::dyn_cast<clang::CallExpr>(e)) return lower_call(*call);

    diags_.error(e->getSourceRange(), "unsupported expression in a kernel: " + expression_name(*e),
                 "kernel expressions are built from tensor regions (x[t, tl::all]), tile loop variables, "
                 "scalars, arithmetic and comparison operators and tl:: functions");
  }

  ExprPtr lower_ref(const clang::DeclRefExpr& ref) {
    const clang::ValueDecl* d = ref.getDecl();
    auto it = symbols_.find(d);
    if (it == symbols_.end()) {
      // A constant from outside the kernel (constexpr, enumerator).
      clang::Expr::EvalResult r;
      if (ref.EvaluateAsRValue(r, ctx_)) {
        if (r.Val.isInt())
          return ir::make_const_int(r.Val.getInt().getExtValue(), dtype_of(ref), loc(ref.getLocation()));
        if (r.Val.isFloat())
          return ir::make_const_float(r.Val.getFloat().convertToDouble(), dtype_of(ref), loc(ref.getLocation()));
      }
      diags_.error(ref.getSourceRange(), "'" + d->getNameAsString() + "' is not visible to the kernel",
                   "kernels may use their parameters, their own locals and compile-time constants");
    }
    const Symbol& s = it->second;
    switch (s.kind) {
      case Symbol::Kind::TensorParam:
        diags_.error(ref.getSourceRange(), "tensor '" + s.name + "' used as a value",
                     "index it to read a tile: " + s.name + "[t, ...]");
      case Symbol::Kind::BlockSize:
        diags_.error(ref.getSourceRange(), "a registered block size can only be passed to tl::tile(...)");
      case Symbol::Kind::LoopTile:
        diags_.error(ref.getSourceRange(), "tile '" + s.name + "' used as a value",
                     "use " + s.name + ".index() for its indices or " + s.name + ".begin() for its start");
      case Symbol::Kind::ScalarParam: {
        auto n = node(ir::Expr::Kind::Param, ref, s.dtype);
        n->name = s.name;
        return n;
      }
      default: return ir::make_var(s.name, s.dtype, s.shape, loc(ref.getLocation()));
    }
  }

  ExprPtr lower_operator(const clang::CXXOperatorCallExpr& op) {
    if (subscript(op)) {
      auto n = node(ir::Expr::Kind::Load, op, dtype_of(op));
      access(op, n->name, n->indices);
      n->shape = access_shape(n->name, n->indices);
      return n;
    }
    const std::string spelled = clang::getOperatorSpelling(op.getOperator());
    if (op.getNumArgs() == 1) {
      ExprPtr a = lower(*op.getArg(0));
      auto n = node(ir::Expr::Kind::Unary, op, dtype_of(op), a->shape);
      n->op = spelled == "-"   ? ir::Op::Neg
              : spelled == "!" ? ir::Op::Not
              : spelled == "~" ? ir::Op::BitNot
                               : ir::Op::None;
      if (n->op == ir::Op::None) diags_.error(op.getSourceRange(), "unsupported operator '" + spelled + "' on a tile");
      n->args = {a};
      return n;
    }
    std::string name;
    if (auto it = kBinaryOps.find(spelled); it != kBinaryOps.end()) name = it->second;
    if (auto it = kCompareOps.find(spelled); it != kCompareOps.end()) name = it->second;
    if (name.empty() || op.getNumArgs() != 2)
      diags_.error(op.getSourceRange(), "unsupported operator '" + spelled + "' on tiles");
    return binary(name, lower(*op.getArg(0)), lower(*op.getArg(1)), op, dtype_of(op));
  }

  ExprPtr lower_method(const clang::CXXMemberCallExpr& call) {
    const clang::Expr* obj = strip(call.getImplicitObjectArgument());
    const std::string method = call.getMethodDecl()->getNameAsString();
    const std::string rn = record_name(obj->getType());
    const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(obj);
    auto it = ref ? symbols_.find(ref->getDecl()) : symbols_.end();
    if (rn == "tilecc::Tensor" && it != symbols_.end() && it->second.kind == Symbol::Kind::TensorParam) {
      if (method == "size" || method == "stride") {
        auto n = node(method == "size" ? ir::Expr::Kind::TensorSize : ir::Expr::Kind::TensorStride, call, DType::i64);
        n->name = it->second.name;
        n->ival = require_constant(*call.getArg(0), "the dimension of " + method + "()");
        if (n->ival < 0) n->ival += it->second.rank;
        if (n->ival < 0 || n->ival >= it->second.rank)
          diags_.error(call.getArg(0)->getSourceRange(), "dimension out of range for rank-" +
                                                             std::to_string(it->second.rank) + " tensor '" +
                                                             it->second.name + "'");
        return n;
      }
    }
    if (rn == "tilecc::TileIndex" && it != symbols_.end() && it->second.kind == Symbol::Kind::LoopTile) {
      if (method == "index") {
        auto n = node(ir::Expr::Kind::TileIndex, call, DType::i64, {{Dim::Kind::Tile, it->second.name, 0, nullptr}});
        n->name = it->second.name;
        return n;
      }
      if (kTileAttrs.count(method)) {
        auto n = node(ir::Expr::Kind::TileAttr, call, DType::i64);
        n->name = it->second.name;
        n->op = *ir::parse_op(method);
        return n;
      }
    }
    diags_.error(call.getSourceRange(), "unsupported method call '" + method + "' in a kernel",
                 "kernels may call .size(d)/.stride(d) on tensors and .begin()/.end()/.size()/.id()/"
                 ".index() on tiles");
  }

  std::vector<Dim> dims_of_args(const clang::CallExpr& call, unsigned first) {
    std::vector<Dim> shape;
    for (unsigned i = first; i < call.getNumArgs(); ++i) {
      const clang::Expr* a = strip(call.getArg(i));
      if (record_name(a->getType()) == "tilecc::TileIndex") {
        const auto* ref = llvm::dyn_cast<clang::DeclRefExpr>(a);
        auto it = ref ? symbols_.find(ref->getDecl()) : symbols_.end();
        if (it == symbols_.end() || it->second.kind != Symbol::Kind::LoopTile)
          diags_.error(a->getSourceRange(), "pass a tile loop variable");
        shape.push_back({Dim::Kind::Tile, it->second.name, 0, nullptr});
      } else if (constant_int(*a) == 1) {
        shape.push_back(Dim{});  // a broadcast dimension
      } else {
        shape.push_back({Dim::Kind::Expr, "", 0, lower_scalar(*a, "an extent")});
      }
    }
    return shape;
  }

  ExprPtr lower_call(const clang::CallExpr& call) {
    const std::string fn = language_function(call);
    using K = ir::Expr::Kind;
    if (kAtomics.count(fn))
      diags_.error(call.getSourceRange(), "tl::" + fn + " is a statement and has no value",
                   "call it on its own line: tl::" + fn + "(out[t], v);");
    const DType dt = dtype_of(call);
    auto arg = [&](unsigned i) { return lower(*call.getArg(i)); };
    if (kUnaryMath.count(fn)) {
      ExprPtr a = arg(0);
      auto n = node(K::Unary, call, dt, a->shape);
      n->op = *ir::parse_op(fn);
      n->args = {a};
      return n;
    }
    if (fn == "pow" || fn == "maximum" || fn == "minimum") return binary(fn, arg(0), arg(1), call, dt);
    if (fn == "clamp") {  // minimum(maximum(x, lo), hi): selections, exact in the result's type
      ExprPtr inner = binary("maximum", arg(0), arg(1), call, dt);
      return binary("minimum", inner, arg(2), call, dt);
    }
    if (fn == "fma") {
      ExprPtr a = arg(0), b = arg(1), c = arg(2);
      auto n = node(K::Binary, call, dt, broadcast(a->shape, broadcast(b->shape, c->shape, call), call));
      n->op = ir::Op::Fma;
      n->args = {a, b, c};
      return n;
    }
    if (fn == "rand" || fn == "randn") {
      ExprPtr seed = lower_scalar(*call.getArg(0), fn + "'s seed"), offsets = arg(1);
      if (!ir::is_integer(offsets->dtype))
        diags_.error(call.getArg(1)->getSourceRange(), fn + "'s offsets must be integers",
                     "pass integer offsets, e.g. t.index() or a tile of int64_t");
      auto n = node(K::Binary, call, DType::f32, offsets->shape);
      n->op = *ir::parse_op(fn);
      n->args = {seed, offsets};
      return n;
    }
    if (fn == "where") {
      ExprPtr c = arg(0), a = arg(1), b = arg(2);
      auto n = node(K::Select, call, dt, broadcast(c->shape, broadcast(a->shape, b->shape, call), call));
      n->args = {c, a, b};
      return n;
    }
    if (fn == "cast") {
      ExprPtr a = arg(0);
      auto n = node(K::Cast, call, dt, a->shape);
      n->args = {a};
      return n;
    }
    if (kReductions.count(fn)) {
      ExprPtr a = arg(0);
      if (a->is_scalar()) diags_.error(call.getSourceRange(), fn + " needs a tile, not a scalar");
      std::int64_t dim = require_constant(*call.getArg(1), "the dimension of " + fn);
      const auto rank = static_cast<std::int64_t>(a->shape.size());
      if (dim < 0) dim += rank;
      if (dim < 0 || dim >= rank)
        diags_.error(call.getArg(1)->getSourceRange(),
                     "dimension out of range for a tile of shape " + shape_str(a->shape));
      const bool keepdim = call.getNumArgs() > 2 && require_constant(*call.getArg(2), "keepdim") != 0;
      std::vector<Dim> shape = a->shape;
      if (keepdim)
        shape[static_cast<std::size_t>(dim)] = Dim{};
      else
        shape.erase(shape.begin() + dim);
      auto n = node(K::Reduce, call, dt, shape);
      n->op = *ir::parse_op(fn);
      n->ival = dim;
      n->keepdim = keepdim;
      n->args = {a};
      return n;
    }
    if (fn == "cumsum" || fn == "cummax") {
      ExprPtr a = arg(0);
      if (a->is_scalar()) diags_.error(call.getSourceRange(), fn + " needs a tile, not a scalar");
      if (call.getNumArgs() < 2)
        diags_.error(call.getSourceRange(), fn + " needs the dimension to scan along", "write tl::" + fn + "(t, 1)");
      std::int64_t dim = require_constant(*call.getArg(1), "the dimension of " + fn);
      const auto rank = static_cast<std::int64_t>(a->shape.size());
      if (dim < 0) dim += rank;
      if (dim < 0 || dim >= rank)
        diags_.error(call.getArg(1)->getSourceRange(),
                     "dimension out of range for a tile of shape " + shape_str(a->shape));
      if (a->dtype == DType::b1)
        diags_.error(call.getArg(0)->getSourceRange(), fn + " of a boolean tile",
                     "cast it first: tl::" + fn + "(tl::cast<int>(t), d)");
      auto n = node(K::Reduce, call, dt, a->shape);
      n->op = *ir::parse_op(fn);
      n->ival = dim;
      n->args = {a};
      return n;
    }
    if (fn == "zeros_like" || fn == "full_like") {
      ExprPtr a = arg(0);
      auto n = node(K::Full, call, dt, a->shape);
      n->args = {fn == "full_like" ? lower_scalar(*call.getArg(1), "full_like's value") : ir::make_const_int(0, dt)};
      return n;
    }
    if (fn == "dot") {
      ExprPtr a = arg(0), b = arg(1);
      if (a->shape.size() != 2 || b->shape.size() != 2)
        diags_.error(call.getSourceRange(),
                     "dot needs rank-2 tiles, got " + shape_str(a->shape) + " and " + shape_str(b->shape));
      if (!same_extent(a->shape[1], b->shape[0]))
        diags_.error(call.getSourceRange(),
                     "dot: inner dimensions " + shape_str(a->shape) + " @ " + shape_str(b->shape) + " differ");
      auto n = node(K::Dot, call, dt, {a->shape[0], b->shape[1]});
      n->args = {a, b};
      if (call.getNumArgs() > 2) {
        ExprPtr acc = arg(2);
        if (acc->shape.size() != 2 || !same_extent(acc->shape[0], n->shape[0]) ||
            !same_extent(acc->shape[1], n->shape[1]))
          diags_.error(call.getArg(2)->getSourceRange(),
                       "dot accumulator of shape " + shape_str(acc->shape) + " does not match " + shape_str(n->shape));
        n->args.push_back(acc);
      }
      return n;
    }
    if (fn == "zeros" || fn == "full") {
      const bool is_full = fn == "full";
      auto n = node(K::Full, call, dt, dims_of_args(call, is_full ? 1 : 0));
      n->args = {is_full ? arg(0) : ir::make_const_int(0, dt)};
      if (!n->args[0]->is_scalar()) diags_.error(call.getArg(0)->getSourceRange(), "full's value must be a scalar");
      return n;
    }
    if (fn == "arange") {
      ExprPtr len = lower_scalar(*call.getArg(0), "arange's length");
      auto n = node(K::Arange, call, dt, {{Dim::Kind::Expr, "", 0, len}});
      n->args = {len};
      return n;
    }
    if (fn == "unsqueeze") {
      ExprPtr a = arg(0);
      std::int64_t dim = require_constant(*call.getArg(1), "unsqueeze's dimension");
      const auto rank = static_cast<std::int64_t>(a->shape.size()) + 1;
      if (dim < 0) dim += rank;
      if (dim < 0 || dim >= rank) diags_.error(call.getArg(1)->getSourceRange(), "unsqueeze dimension out of range");
      std::vector<Dim> shape = a->shape;
      shape.insert(shape.begin() + dim, Dim{});
      auto n = node(K::Unsqueeze, call, dt, shape);
      n->ival = dim;
      n->args = {a};
      return n;
    }
    if (fn == "trans") {
      ExprPtr a = arg(0);
      if (a->shape.size() != 2) {
        diags_.error(call.getArg(0)->getSourceRange(), "tl::trans takes a rank-2 tile");
        return a;
      }
      auto n = node(K::Transpose, call, dt, {a->shape[1], a->shape[0]});
      n->args = {a};
      return n;
    }
    if (fn == "permute") return permute(call, arg(0));
    if (fn == "reshape" || fn == "cat" || fn == "split") {
      static const std::map<std::string, std::string> instead = {
          {"reshape", "load the tile in the shape you need from a view of the tensor reshaped on the host"},
          {"cat", "store each part at its offset: out[tm, tn] = a; out[tm, tn + n1] = b;"},
          {"split", "load each part at its offset: auto lo = x[tm, tn]; auto hi = x[tm, tn + half];"},
      };
      diags_.error(call.getSourceRange(), "tl::" + fn + " of tiles is not supported by the CUDA backend yet",
                   instead.at(fn));
    }
    const clang::FunctionDecl* f = call.getDirectCallee();
    diags_.error(call.getSourceRange(),
                 "call to '" + (f ? f->getQualifiedNameAsString() : std::string("?")) +
                     "' is not supported in a kernel",
                 "kernels call the tile language (tl::exp, tl::sum, tl::dot, ...); helper functions are "
                 "not inlined yet");
  }

  /// tl::permute(t, {d0, d1, ...}): dimension i of the result is dimension d_i of t; a
  /// Transpose node (ival 0 for rank 2, else the order, ir/permutation.hpp).
  ExprPtr permute(const clang::CallExpr& call, ExprPtr a) {
    const clang::Expr* list = call.getArg(1)->IgnoreImplicit();
    if (const auto* l = clang::dyn_cast<clang::CXXStdInitializerListExpr>(list))
      list = l->getSubExpr()->IgnoreImplicit();
    const auto* init = clang::dyn_cast<clang::InitListExpr>(list);
    if (!init)
      diags_.error(call.getArg(1)->getSourceRange(), "tl::permute's dimensions must be a braced list of numbers");
    const std::size_t rank = a->shape.size();
    std::vector<int> dims;
    std::vector<bool> seen(rank, false);
    for (const clang::Expr* d : init->inits()) {
      std::int64_t v = require_constant(*d, "a dimension of tl::permute");
      if (v < 0) v += static_cast<std::int64_t>(rank);
      if (v < 0 || v >= static_cast<std::int64_t>(rank) || seen[static_cast<std::size_t>(v)])
        diags_.error(d->getSourceRange(), "tl::permute needs each dimension of the tile once, got " +
                                              std::to_string(v) + " for a tile of shape " + shape_str(a->shape));
      seen[static_cast<std::size_t>(v)] = true;
      dims.push_back(static_cast<int>(v));
    }
    if (dims.size() != rank)
      diags_.error(call.getArg(1)->getSourceRange(), "tl::permute needs " + std::to_string(rank) +
                                                         " dimensions for a tile of shape " + shape_str(a->shape));
    bool identity = true;
    std::vector<Dim> shape;
    for (std::size_t d = 0; d < rank; ++d) {
      identity = identity && dims[d] == static_cast<int>(d);
      shape.push_back(a->shape[static_cast<std::size_t>(dims[d])]);
    }
    if (identity) return a;
    auto n = node(ir::Expr::Kind::Transpose, call, a->dtype, shape);
    n->ival = ir::encode_permutation(dims);
    n->args = {a};
    return n;
  }

  clang::ASTContext& ctx_;
  Diagnostics& diags_;
  const clang::FunctionDecl& fn_;
  ir::Kernel kernel_;
  std::map<const clang::ValueDecl*, Symbol> symbols_;
  int depth_ = 0;  // of the expression lower() is in
};

}  // namespace

std::optional<ir::Kernel> lower_kernel(clang::ASTContext& ctx, Diagnostics& diags, const clang::FunctionDecl& fn,
                                       const std::string& source_file) {
  try {
    return Lowering(ctx, diags, fn, source_file).run();
  } catch (const LoweringAborted&) {
    return std::nullopt;
  }
}

}  // namespace tilecc::frontend
