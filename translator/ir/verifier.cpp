#include "verifier.hpp"

#include <fmt/format.h>

#include <map>
#include <set>
#include <vector>

namespace tilecc::ir {

namespace {

class Verifier {
 public:
  explicit Verifier(const Kernel& k) : k_(k) {}

  void run() {
    std::set<std::string> names;
    for (const Param& p : k_.params) {
      if (!names.insert(p.name).second) fail({}, "parameter '" + p.name + "' is declared twice");
      if (p.is_tensor && (p.rank < 1 || p.rank > 4)) fail({}, "tensor '" + p.name + "' has rank outside 1..4");
      params_[p.name] = &p;
    }
    scopes_.emplace_back();
    for (const StmtPtr& s : k_.host) {
      if (s->kind != Stmt::Kind::Let && s->kind != Stmt::Kind::Check)
        fail(s->loc, "the host prologue may only hold lets and checks");
      expr(s->expr, s->loc);
      if (s->expr && !s->expr->is_scalar()) fail(s->loc, "host values must be scalars");
      if (s->kind == Stmt::Kind::Let) define(s->name, s->loc);
    }
    bool launch_done = false;
    for (const StmtPtr& s : k_.body) {
      if (s->kind != Stmt::Kind::Loop || !s->is_launch || launch_done)
        fail(s->loc, "the kernel body must be exactly one launch loop nest");
      launch_done = true;
      stmt(*s);
    }
    if (!launch_done) fail(k_.loc, "the kernel has no launch loop");
  }

 private:
  [[noreturn]] void fail(SourceLoc at, const std::string& what) const {
    throw VerifyError(fmt::format("tile IR of kernel '{}' (line {}): {}", k_.name, at.line, what));
  }

  bool defined(const std::string& n) const {
    for (const auto& scope : scopes_)
      if (scope.count(n)) return true;
    return false;
  }
  void define(const std::string& n, SourceLoc at) {
    if (n.empty()) fail(at, "a let without a name");
    scopes_.back().insert(n);
  }

  const Param& tensor(const std::string& n, SourceLoc at) const {
    auto it = params_.find(n);
    if (it == params_.end() || !it->second->is_tensor) fail(at, "'" + n + "' is not a tensor parameter");
    return *it->second;
  }

  void indices(const std::string& t, const std::vector<Index>& idx, SourceLoc at) {
    const Param& p = tensor(t, at);
    if (static_cast<int>(idx.size()) != p.rank)
      fail(at, fmt::format("'{}' has rank {} but is indexed with {} indices", t, p.rank, idx.size()));
    for (const Index& i : idx) {
      if (i.kind == Index::Kind::Tile && !tile_vars_.count(i.var))
        fail(at, "index '" + i.var + "' is not an enclosing tile loop variable");
      if ((i.kind == Index::Kind::Scalar || i.kind == Index::Kind::Gather) && !i.expr)
        fail(at, "an index without its expression");
      if (i.expr) expr(i.expr, at);
    }
  }

  void dims(const std::vector<Dim>& shape, SourceLoc at) {
    for (const Dim& d : shape) {
      if (d.kind == Dim::Kind::Tile && !tile_vars_.count(d.var))
        fail(at, "a tile dimension of '" + d.var + "' outside its loop");
      if (d.kind == Dim::Kind::Full) {
        const Param& p = tensor(d.var, at);
        if (d.index < 0 || d.index >= p.rank) fail(at, "a whole dimension beyond the rank of '" + d.var + "'");
      }
      if (d.kind == Dim::Kind::Expr) {
        if (!d.extent) fail(at, "a run-time extent without its expression");
        expr(d.extent, at);
      }
    }
  }

  void expr(const ExprPtr& e, SourceLoc at) {
    if (!e) return;
    const SourceLoc loc = e->loc.line ? e->loc : at;
    dims(e->shape, loc);
    for (const ExprPtr& a : e->args) {
      if (!a) fail(loc, "an operation with a missing operand");
      expr(a, loc);
    }
    using K = Expr::Kind;
    const bool takes_op = e->kind == K::Unary || e->kind == K::Binary || e->kind == K::Compare ||
                          e->kind == K::Reduce || e->kind == K::TileAttr;
    if (takes_op && op_kind(e->op) != e->kind)
      fail(loc, fmt::format("op '{}' is not an operation of this expression kind", name(e->op)));
    if (!takes_op && e->op != Op::None) fail(loc, fmt::format("op '{}' on an expression that takes none", name(e->op)));
    switch (e->kind) {
      case K::Var:
        if (!defined(e->name)) fail(loc, "'" + e->name + "' is used before it is defined");
        break;
      case K::Param:
        if (!params_.count(e->name) || params_.at(e->name)->is_tensor)
          fail(loc, "'" + e->name + "' is not a scalar parameter");
        break;
      case K::TensorSize:
      case K::TensorStride:
        if (e->ival < 0 || e->ival >= tensor(e->name, loc).rank) fail(loc, "dimension beyond the rank of " + e->name);
        break;
      case K::TileAttr:
      case K::TileIndex:
        if (!tile_vars_.count(e->name)) fail(loc, "'" + e->name + "' is not an enclosing tile loop variable");
        break;
      case K::Load: indices(e->name, e->indices, loc); break;
      case K::Unary:
      case K::Cast:
      case K::Arange:
      case K::Full:
      case K::Unsqueeze:
        if (e->args.size() != 1) fail(loc, "this operation takes one operand");
        break;
      case K::Binary:
      case K::Compare:
        if (e->args.size() != 2) fail(loc, fmt::format("'{}' takes two operands", name(e->op)));
        break;
      case K::Select:
        if (e->args.size() != 3) fail(loc, "where takes three operands");
        break;
      case K::Reduce:
        if (e->args.size() != 1 || e->ival < 0 || e->ival >= static_cast<std::int64_t>(e->args[0]->shape.size()))
          fail(loc, "a reduction over a dimension the operand does not have");
        break;
      case K::Dot:
        if (e->args.size() < 2 || e->args.size() > 3 || e->shape.size() != 2) fail(loc, "a malformed dot");
        break;
      case K::Const: break;
    }
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case Stmt::Kind::DotLoopStore:
      case Stmt::Kind::ChunkReduce:
      case Stmt::Kind::ChunkLoop:
        fail(s.loc, "a statement made by lowering passes; the IR given to lowering has none");
      case Stmt::Kind::Let:
        expr(s.expr, s.loc);
        define(s.name, s.loc);
        return;
      case Stmt::Kind::Assign:
        if (!defined(s.name)) fail(s.loc, "assignment to undefined '" + s.name + "'");
        expr(s.expr, s.loc);
        return;
      case Stmt::Kind::Store:
      case Stmt::Kind::AtomicAdd:
        indices(s.name, s.indices, s.loc);
        if (tensor(s.name, s.loc).is_const) fail(s.loc, "a store into const tensor '" + s.name + "'");
        expr(s.expr, s.loc);
        return;
      case Stmt::Kind::Check: fail(s.loc, "a check inside a loop");
      case Stmt::Kind::Loop: {
        scopes_.emplace_back();
        std::vector<std::string> added;
        for (const LoopDim& d : s.dims) {
          expr(d.begin, s.loc);
          expr(d.end, s.loc);
          if (d.block.kind == BlockSpec::Kind::Tunable &&
              (d.block.slot < 0 || d.block.slot >= static_cast<int>(k_.block_slots.size())))
            fail(s.loc, fmt::format("loop '{}' uses block_sizes[{}], which the kernel does not have", d.var, d.block.slot));
          if (d.block.kind == BlockSpec::Kind::Fixed && d.block.value < 1) fail(s.loc, "a block size below 1");
          define(d.var, s.loc);
          if (!s.is_grid && tile_vars_.insert(d.var).second) added.push_back(d.var);
        }
        for (const StmtPtr& b : s.body) {
          if (b->kind == Stmt::Kind::Loop && b->is_launch && !s.is_launch) fail(b->loc, "a launch loop inside a device loop");
          stmt(*b);
        }
        for (const std::string& v : added) tile_vars_.erase(v);
        scopes_.pop_back();
        return;
      }
    }
  }

  const Kernel& k_;
  std::map<std::string, const Param*> params_;
  std::vector<std::set<std::string>> scopes_;
  std::set<std::string> tile_vars_;
};

}  // namespace

void verify(const Kernel& kernel) { Verifier(kernel).run(); }

void verify(const Module& module) {
  for (const Kernel& k : module.kernels) verify(k);
}

}  // namespace tilecc::ir
