#include "verifier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "permutation.hpp"

namespace tilecc::ir {

namespace {

/// Largest block size a kernel may register (the bound of whole-row tiles).
constexpr std::int64_t kMaxBlockSize = 65536;
/// Deepest expression tree accepted (the frontend and the IR reader have the same limit).
constexpr int kMaxDepth = 256;

class Verifier {
 public:
  explicit Verifier(const Kernel& k) : k_(k) {}

  void run() {
    // Printed as it is before an instance's launcher: at least the shape of that declaration.
    const std::string& decl = k_.template_decl;
    if (!decl.empty() && (k_.instance.empty() || decl.rfind("template <", 0) != 0 ||
                          decl.find("cudaError_t " + k_.name + "(") == std::string::npos || decl.size() < 2 ||
                          decl.compare(decl.size() - 2, 2, ");") != 0))
      fail(k_.loc, "template_decl is not the declaration 'template <...> cudaError_t " + k_.name +
                       "(...);' of an instance's launcher template");
    // An instance's launcher specializes that template: its parameters must be spelled as the
    // instance has them (a spelling made up from the dtype may name another type).
    if (!decl.empty())
      for (const Param& p : k_.params)
        if (p.cpp_type.empty())
          fail(k_.loc, "parameter '" + p.name + "' of an instance of a kernel template has no cpp_type");
    // A tensor's spelling names a Tensor, a scalar's does not: the launcher declares each so.
    for (const Param& p : k_.params)
      if (!p.cpp_type.empty() && (p.cpp_type.find("Tensor<") != std::string::npos) != p.is_tensor)
        fail(k_.loc, "parameter '" + p.name + "' has cpp_type '" + p.cpp_type + "', which does not spell " +
                         (p.is_tensor ? "a tilecc::Tensor" : "a scalar"));
    for (std::size_t i = 0; i < k_.block_slots.size(); ++i) {
      const BlockSlot& b = k_.block_slots[i];
      std::int64_t pow2 = 1;
      while (pow2 < b.min && pow2 <= kMaxBlockSize) pow2 *= 2;
      if (b.min < 1 || b.max < b.min || b.max > kMaxBlockSize || pow2 > b.max)
        fail(k_.loc, fmt::format("block size '{}' ranges over [{}, {}], which holds no power of two in [1, {}]", b.name,
                                 b.min, b.max, kMaxBlockSize));
    }
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
      if (!s->expr) fail(s->loc, "a statement without its value");
      if (s->kind == Stmt::Kind::Let) define(s->name, s->loc, 0);
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
  /// `rank`: of the value's tile shape (0: scalar), -1 for a loop variable.
  void define(const std::string& n, SourceLoc at, int rank) {
    if (n.empty()) fail(at, "a let without a name");
    scopes_.back()[n] = rank;
  }
  int rank_of(const std::string& n) const {
    for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope)
      if (auto it = scope->find(n); it != scope->end()) return it->second;
    return -1;
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
      if (i.kind == Index::Kind::Tile && i.expr && (!i.expr->shape.empty() || !is_integer(i.expr->dtype)))
        fail(at, "a tile index's offset must be an integer scalar");
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
    // Lowering and printing recurse over expressions: a deeper tree would overflow the stack.
    if (depth_ >= kMaxDepth) fail(loc, fmt::format("expressions nest more than {} deep", kMaxDepth));
    ++depth_;
    const struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
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
      case K::Transpose:
        if (e->args.size() != 1) fail(loc, "this operation takes one operand");
        break;
      case K::Binary:
      case K::Compare:
        if (static_cast<int>(e->args.size()) != op_arity(e->op))
          fail(loc, fmt::format("'{}' takes {} operands", name(e->op), op_arity(e->op)));
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
    ranks(*e, loc);
    types(*e, loc);
  }

  /// The element types the math, bit and random ops take (the older ops are typed by the
  /// frontend alone).
  void types(const Expr& e, SourceLoc loc) const {
    const auto all_integer = [&] {
      if (!is_integer(e.dtype)) return false;
      for (const ExprPtr& a : e.args)
        if (!is_integer(a->dtype) && a->dtype != DType::b1) return false;
      return true;
    };
    switch (e.op) {
      case Op::BitNot:
      case Op::BitAnd:
      case Op::BitOr:
      case Op::BitXor:
      case Op::Shl:
      case Op::Shr:
        if (!all_integer()) fail(loc, fmt::format("'{}' of a non-integer value", name(e.op)));
        break;
      case Op::Log1p:
      case Op::Expm1:
      case Op::Sin:
      case Op::Cos:
      case Op::Fma:
        if (!is_floating(e.dtype)) fail(loc, fmt::format("'{}' with a result of type {}", name(e.op), name(e.dtype)));
        break;
      case Op::Floor:
      case Op::Ceil:
      case Op::Round:
      case Op::Trunc:
      case Op::Sign:
        if (e.dtype == DType::b1) fail(loc, fmt::format("'{}' of a bool value", name(e.op)));
        break;
      case Op::Rand:
      case Op::Randn:
        if (e.dtype != DType::f32 || !e.args[0]->is_scalar() || !is_integer(e.args[0]->dtype) ||
            !is_integer(e.args[1]->dtype))
          fail(loc, fmt::format("'{}' takes an integer scalar seed and integer offsets, and gives f32", name(e.op)));
        break;
      default: break;
    }
  }

  /// The rank of each node agrees with its operands' and indices' (the printer indexes
  /// shapes by them).
  void ranks(const Expr& e, SourceLoc loc) const {
    using K = Expr::Kind;
    const auto rank = [&](std::size_t i) { return e.args[i]->shape.size(); };
    std::size_t want = e.shape.size();
    switch (e.kind) {
      case K::Const:
      case K::Param:
      case K::TensorSize:
      case K::TensorStride:
      case K::TileAttr: want = 0; break;
      case K::Var: {
        const int r = rank_of(e.name);
        if (r >= 0) want = static_cast<std::size_t>(r);
        break;
      }
      case K::TileIndex:
      case K::Arange: want = 1; break;
      case K::Load: {
        want = 0;
        for (const Index& i : e.indices) {
          if (i.kind == Index::Kind::Tile || i.kind == Index::Kind::All) ++want;
          if (i.kind == Index::Kind::Gather) want += i.expr->shape.size();
        }
        break;
      }
      case K::Unary:
      case K::Cast: want = rank(0); break;
      case K::Binary:
      case K::Compare:
        want = 0;
        for (std::size_t i = 0; i < e.args.size(); ++i) want = std::max(want, rank(i));
        break;
      case K::Select: want = std::max({rank(0), rank(1), rank(2)}); break;
      case K::Full:
        if (rank(0) != 0) fail(loc, "full's value must be a scalar");
        break;
      case K::Reduce:
        if (rank(0) == 0) fail(loc, "a reduction of a scalar");
        want = rank(0) - (e.keepdim || is_scan(e.op) ? 0 : 1);
        break;
      case K::Unsqueeze:
        if (e.ival < 0 || e.ival > static_cast<std::int64_t>(rank(0)))
          fail(loc, "unsqueeze at a dimension out of range");
        want = rank(0) + 1;
        break;
      case K::Transpose:
        if (e.ival != 0) {  // tl::permute of a tile of rank 3 or 4
          const std::vector<int> dims = permutation(e);
          if (dims.size() < 3 || dims.size() > 4) fail(loc, "a permute of a tile that is not rank 3 or 4");
          std::vector<int> sorted = dims;
          std::sort(sorted.begin(), sorted.end());
          for (std::size_t d = 0; d < sorted.size(); ++d)
            if (sorted[d] != static_cast<int>(d)) fail(loc, "a permute whose dimensions are not a permutation");
          if (rank(0) != dims.size()) fail(loc, "a permute of as many dimensions as its operand has");
          for (std::size_t d = 0; d < dims.size() && d < e.shape.size(); ++d)
            if (!(e.shape[d] == e.args[0]->shape[static_cast<std::size_t>(dims[d])]))
              fail(loc, "a permute whose shape is not its operand's, reordered");
          want = dims.size();
          break;
        }
        if (rank(0) != 2) fail(loc, "a transpose of a tile that is not rank 2");
        if (e.shape.size() == 2 && (!(e.shape[0] == e.args[0]->shape[1]) || !(e.shape[1] == e.args[0]->shape[0])))
          fail(loc, "a transpose whose shape is not its operand's, swapped");
        want = 2;
        break;
      case K::Dot:
        for (std::size_t i = 0; i < e.args.size(); ++i)
          if (rank(i) != 2) fail(loc, "a dot of operands that are not rank-2 tiles");
        want = 2;
        break;
    }
    if (e.shape.size() != want)
      fail(loc, fmt::format("an expression of shape rank {} where its operands and indices give rank {}",
                            e.shape.size(), want));
  }

  void stmt(const Stmt& s) {
    switch (s.kind) {
      case Stmt::Kind::DotLoopStore:
      case Stmt::Kind::ChunkReduce:
      case Stmt::Kind::ChunkLoop: fail(s.loc, "a statement made by lowering passes; the IR given to lowering has none");
      case Stmt::Kind::Let:
        if (!s.expr) fail(s.loc, "a let without its value");
        expr(s.expr, s.loc);
        define(s.name, s.loc, static_cast<int>(s.expr->shape.size()));
        return;
      case Stmt::Kind::Assign:
        if (!defined(s.name)) fail(s.loc, "assignment to undefined '" + s.name + "'");
        if (!s.expr) fail(s.loc, "an assignment without its value");
        expr(s.expr, s.loc);
        if (const int r = rank_of(s.name); r >= 0 && r != static_cast<int>(s.expr->shape.size()))
          fail(s.loc, "assigning a value of another rank to '" + s.name + "'");
        return;
      case Stmt::Kind::Store:
      case Stmt::Kind::AtomicAdd:
        if (!s.expr) fail(s.loc, "a store without its value");
        if (s.kind == Stmt::Kind::AtomicAdd && s.op != Op::Add && s.op != Op::Maximum && s.op != Op::Minimum)
          fail(s.loc, fmt::format("an atomic update by '{}' (add, maximum or minimum)", name(s.op)));
        indices(s.name, s.indices, s.loc);
        if (tensor(s.name, s.loc).is_const) fail(s.loc, "a store into const tensor '" + s.name + "'");
        expr(s.expr, s.loc);
        return;
      case Stmt::Kind::Check: fail(s.loc, "a check inside a loop");
      case Stmt::Kind::Loop: {
        scopes_.emplace_back();
        std::vector<std::string> added;
        if (s.dims.empty()) fail(s.loc, "a loop without dimensions");
        for (const LoopDim& d : s.dims) {
          if (!d.begin || !d.end) fail(s.loc, "loop '" + d.var + "' without its bounds");
          if (!d.begin->is_scalar() || !d.end->is_scalar()) fail(s.loc, "loop '" + d.var + "' with tile bounds");
          expr(d.begin, s.loc);
          expr(d.end, s.loc);
          if (d.block.kind == BlockSpec::Kind::Tunable &&
              (d.block.slot < 0 || d.block.slot >= static_cast<int>(k_.block_slots.size())))
            fail(s.loc,
                 fmt::format("loop '{}' uses block_sizes[{}], which the kernel does not have", d.var, d.block.slot));
          if (d.block.kind == BlockSpec::Kind::Fixed && d.block.value < 1) fail(s.loc, "a block size below 1");
          define(d.var, s.loc, -1);
          if (!s.is_grid && tile_vars_.insert(d.var).second) added.push_back(d.var);
        }
        for (const StmtPtr& b : s.body) {
          if (b->kind == Stmt::Kind::Loop && b->is_launch && !s.is_launch)
            fail(b->loc, "a launch loop inside a device loop");
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
  std::vector<std::map<std::string, int>> scopes_;  // name -> rank (-1: loop variable)
  int depth_ = 0;                                   // of the expression being checked
  std::set<std::string> tile_vars_;
};

}  // namespace

void verify(const Kernel& kernel) { Verifier(kernel).run(); }

void verify(const Module& module) {
  for (const Kernel& k : module.kernels) verify(k);
}

}  // namespace tilecc::ir
