// Why: a register fragment has two axes; a tile of rank 3 or 4 runs each leading tile dimension
// as a loop over its positions inside the program, where every tile is of rank 2 or less.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "passes.hpp"
#include "translator/ir/permutation.hpp"

namespace tilecc::passes {

namespace {

using ir::Dim;
using ir::Expr;
using ir::ExprPtr;
using ir::Stmt;
using ir::StmtPtr;

bool is_var_dim(const Dim& d, const std::string& var) { return d.kind == Dim::Kind::Tile && d.var == var; }

/// The position of the tile dimension of `var` in a shape, or -1.
int position(const std::vector<Dim>& s, const std::string& var) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (is_var_dim(s[i], var)) return static_cast<int>(i);
  return -1;
}

/// The first tile of rank 3 or more, in source order.
const Expr* first_high_rank(const ExprPtr& e) {
  if (!e) return nullptr;
  for (const ExprPtr& a : e->args)
    if (const Expr* f = first_high_rank(a)) return f;
  for (const ir::Index& i : e->indices)
    if (const Expr* f = first_high_rank(i.expr)) return f;
  return e->shape.size() > 2 ? e.get() : nullptr;
}
const Expr* first_high_rank(const std::vector<StmtPtr>& body) {
  for (const StmtPtr& s : body) {
    if (const Expr* f = first_high_rank(s->expr)) return f;
    for (const ir::Index& i : s->indices)
      if (const Expr* f = first_high_rank(i.expr)) return f;
    if (const Expr* f = first_high_rank(s->body)) return f;
  }
  return nullptr;
}

/// Whether an expression's values depend on the tile dimension of `var`.
bool mentions(const ExprPtr& e, const std::string& var) {
  if (!e) return false;
  if (position(e->shape, var) >= 0) return true;
  if (e->kind == Expr::Kind::TileIndex && e->name == var) return true;
  for (const ir::Index& i : e->indices)
    if ((i.kind == ir::Index::Kind::Tile && i.var == var) || mentions(i.expr, var)) return true;
  for (const ExprPtr& a : e->args)
    if (mentions(a, var)) return true;
  return false;
}
bool mentions(const Stmt& s, const std::string& var) {
  if (mentions(s.expr, var)) return true;
  for (const ir::Index& i : s.indices)
    if ((i.kind == ir::Index::Kind::Tile && i.var == var) || mentions(i.expr, var)) return true;
  for (const StmtPtr& b : s.body)
    if (mentions(*b, var)) return true;
  return false;
}

/// Whether an expression or statement reads the let `name`.
bool reads(const ExprPtr& e, const std::string& name) {
  if (!e) return false;
  if (e->kind == Expr::Kind::Var && e->name == name) return true;
  for (const ir::Index& i : e->indices)
    if (reads(i.expr, name)) return true;
  for (const ExprPtr& a : e->args)
    if (reads(a, name)) return true;
  return false;
}
bool reads(const Stmt& s, const std::string& name) {
  if (reads(s.expr, name) || (s.kind == Stmt::Kind::Assign && s.name == name)) return true;
  for (const ir::Index& i : s.indices)
    if (reads(i.expr, name)) return true;
  for (const ir::LoopDim& d : s.dims)
    if (reads(d.begin, name) || reads(d.end, name)) return true;
  for (const StmtPtr& b : s.body)
    if (reads(*b, name)) return true;
  return false;
}

/// A reduction along the looped dimension that a let holds: accumulated across the positions.
bool is_loop_reduction(const Stmt& s, const std::string& var) {
  if (s.kind != Stmt::Kind::Let || !s.expr || s.expr->kind != Expr::Kind::Reduce) return false;
  const Expr& r = *s.expr;
  return !ir::is_scan(r.op) && position(r.args[0]->shape, var) == r.ival;
}

/// Reductions along the looped dimension inside larger expressions, each moved into a let of
/// its own before its statement (`acc = acc + tl::sum(x[tb, tm, tn], 0)`).
class Hoist {
 public:
  explicit Hoist(std::string var) : var_(std::move(var)) {}

  std::vector<StmtPtr> run(const std::vector<StmtPtr>& body) {
    std::vector<StmtPtr> out;
    for (const StmtPtr& s : body) {
      if (s->kind == Stmt::Kind::Loop || !s->expr || is_loop_reduction(*s, var_)) {
        out.push_back(s);
        continue;
      }
      lets_.clear();
      ExprPtr e = expr(s->expr, s->loc);
      for (StmtPtr& l : lets_) out.push_back(std::move(l));
      if (e == s->expr) {
        out.push_back(s);
        continue;
      }
      auto copy = std::make_shared<Stmt>(*s);
      copy->expr = e;
      out.push_back(copy);
    }
    return out;
  }

 private:
  ExprPtr expr(const ExprPtr& e, ir::SourceLoc at) {
    if (!e) return e;
    if (e->kind == Expr::Kind::Reduce && !ir::is_scan(e->op) && position(e->args[0]->shape, var_) == e->ival) {
      auto let = std::make_shared<Stmt>();
      let->kind = Stmt::Kind::Let;
      let->name = fmt::format("{}_{}_{}", ir::name(e->op), var_, count_++);
      let->expr = e;
      let->loc = at;
      lets_.push_back(let);
      auto v = std::make_shared<Expr>();
      v->kind = Expr::Kind::Var;
      v->name = let->name;
      v->dtype = e->dtype;
      v->shape = e->shape;
      v->loc = e->loc;
      return v;
    }
    std::vector<ExprPtr> args;
    bool changed = false;
    for (const ExprPtr& a : e->args) {
      args.push_back(expr(a, at));
      changed = changed || args.back() != a;
    }
    if (!changed) return e;
    auto out = std::make_shared<Expr>(*e);
    out->args = std::move(args);
    return out;
  }

  std::string var_;
  std::vector<StmtPtr> lets_;
  int count_ = 0;
};

class Looper {
 public:
  Looper(const PassContext& ctx, std::string var) : ctx_(ctx), var_(std::move(var)), pos_(var_ + "_pos") {}

  /// The loop goes inside the loop over the dimension, and inside the innermost launch loop
  /// (launch loops stay outermost).
  std::vector<StmtPtr> rewrite(const std::vector<StmtPtr>& body, bool in_scope = false) {
    std::vector<StmtPtr> out;
    for (const StmtPtr& s : body) {
      if (s->kind != Stmt::Kind::Loop) {
        out.push_back(s);
        continue;
      }
      auto loop = std::make_shared<Stmt>(*s);
      bool scope = in_scope;
      for (const ir::LoopDim& d : s->dims) scope = scope || d.var == var_;
      bool launch_inside = false;
      for (const StmtPtr& b : s->body) launch_inside = launch_inside || (b->kind == Stmt::Kind::Loop && b->is_launch);
      loop->body = scope && !launch_inside ? wrap(s->body) : rewrite(s->body, scope);
      out.push_back(loop);
    }
    return out;
  }

 private:
  /// The statements from the first to the last that depend on the dimension run once per
  /// position; lets reducing along it accumulate across the positions and are read after.
  std::vector<StmtPtr> wrap(const std::vector<StmtPtr>& written) {
    const std::vector<StmtPtr> body = Hoist(var_).run(written);
    std::size_t first = body.size(), last = 0;
    for (std::size_t i = 0; i < body.size(); ++i)
      if (mentions(*body[i], var_)) {
        first = std::min(first, i);
        last = i;
      }
    if (first == body.size()) return body;
    std::vector<StmtPtr> before(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(first)), inside, after;
    std::set<std::string> declared_before;
    for (const StmtPtr& s : before)
      if (s->kind == Stmt::Kind::Let) declared_before.insert(s->name);
    for (std::size_t i = first; i <= last; ++i) {
      const Stmt& s = *body[i];
      if (is_loop_reduction(s, var_)) {
        for (std::size_t j = i + 1; j <= last; ++j)
          if (reads(*body[j], s.name))
            fail(ctx_, body[j]->loc,
                 fmt::format("'{}' reduces along the tile dimension '{}', which runs as a loop here, and is read "
                             "before the last statement over '{}'",
                             s.name, var_, var_),
                 "read the reduction after the statements that use the rank-3 tiles");
        accumulate(s, before, inside, after);
        continue;
      }
      if (!mentions(s, var_)) {
        if (s.kind == Stmt::Kind::AtomicAdd)
          fail(ctx_, s.loc,
               fmt::format("an atomic update between statements over the leading tile dimension '{}' would run "
                           "once per position of it",
                           var_),
               "move it before or after the statements that use the rank-3 tiles");
        if (s.kind == Stmt::Kind::Assign && declared_before.count(s.name))
          fail(ctx_, s.loc,
               fmt::format("'{}' is updated between statements over the leading tile dimension '{}', which run "
                           "once per position of it",
                           s.name, var_),
               "move the update before or after the statements that use the rank-3 tiles");
        if (s.kind == Stmt::Kind::Let)
          for (std::size_t j = last + 1; j < body.size(); ++j)
            if (reads(*body[j], s.name))
              fail(ctx_, s.loc,
                   fmt::format("'{}' is declared between statements over the leading tile dimension '{}' and read "
                               "after them",
                               s.name, var_),
                   "declare it before the statements that use the rank-3 tiles");
      }
      inside.push_back(stmt(body[i]));
    }
    auto loop = std::make_shared<Stmt>();
    loop->kind = Stmt::Kind::Loop;
    loop->is_grid = true;
    loop->loc = body[first]->loc;
    ir::LoopDim d;
    d.var = pos_;
    d.begin = attr(ir::Op::Begin);
    d.end = attr(ir::Op::End);
    d.block = {ir::BlockSpec::Kind::One, 0, 1};
    loop->dims.push_back(std::move(d));
    loop->body = std::move(inside);
    std::vector<StmtPtr> out = std::move(before);
    out.push_back(loop);
    out.insert(out.end(), after.begin(), after.end());
    out.insert(out.end(), body.begin() + static_cast<std::ptrdiff_t>(last) + 1, body.end());
    return out;
  }

  ExprPtr attr(ir::Op op) const {
    auto e = std::make_shared<Expr>();
    e->kind = Expr::Kind::TileAttr;
    e->name = var_;
    e->op = op;
    e->dtype = ir::DType::i64;
    return e;
  }

  /// `auto s = tl::sum(v, d)` along the looped dimension d: an accumulator before the loop
  /// (float for 16-bit types, as tl::sum accumulates), combined with v at each position, and s
  /// (rounded, divided for mean) after it.
  void accumulate(const Stmt& s, std::vector<StmtPtr>& before, std::vector<StmtPtr>& inside,
                  std::vector<StmtPtr>& after) {
    const Expr& r = *s.expr;
    if (r.op != ir::Op::Sum && r.op != ir::Op::Mean && r.op != ir::Op::Max && r.op != ir::Op::Min)
      fail(ctx_, r.loc,
           fmt::format("tl::{} along the tile dimension '{}', which runs as a loop here", ir::name(r.op), var_),
           "reduce along it with tl::sum, tl::mean, tl::max or tl::min");
    if (r.keepdim)
      fail(ctx_, r.loc, fmt::format("keepdim along the tile dimension '{}', which runs as a loop here", var_),
           "reduce without keepdim and tl::unsqueeze the result where it is used");
    const ir::DType acc_t = r.dtype == ir::DType::f16 || r.dtype == ir::DType::bf16 ? ir::DType::f32 : r.dtype;
    const std::string acc = s.name + "_acc";
    auto shaped = [&](Expr e) {
      e.shape = drop(r.shape);
      e.loc = r.loc;
      return std::make_shared<Expr>(std::move(e));
    };
    Expr init_value;
    init_value.kind = Expr::Kind::Const;
    init_value.dtype = acc_t;
    const bool floating = ir::is_floating(acc_t);
    if (r.op == ir::Op::Max) {
      init_value.fval = -std::numeric_limits<double>::infinity();
      if (!floating)
        init_value.ival = acc_t == ir::DType::i64 ? std::numeric_limits<std::int64_t>::min() : -(1LL << 31);
    } else if (r.op == ir::Op::Min) {
      init_value.fval = std::numeric_limits<double>::infinity();
      if (!floating)
        init_value.ival = acc_t == ir::DType::i64 ? std::numeric_limits<std::int64_t>::max() : (1LL << 31) - 1;
    }
    if (!floating && acc_t != ir::DType::i64 && acc_t != ir::DType::i32)
      fail(ctx_, r.loc,
           fmt::format("tl::{} of {} along the tile dimension '{}', which runs as a loop here", ir::name(r.op),
                       ir::name(acc_t), var_),
           "cast the tile to float, int32 or int64 first");
    Expr init;
    init.kind = Expr::Kind::Full;
    init.dtype = acc_t;
    init.args = {std::make_shared<Expr>(init_value)};
    auto let = std::make_shared<Stmt>(s);
    let->expr = shaped(init);
    let->name = acc;
    before.push_back(let);

    Expr var_expr;
    var_expr.kind = Expr::Kind::Var;
    var_expr.name = acc;
    var_expr.dtype = acc_t;
    const ExprPtr acc_var = shaped(var_expr);
    ExprPtr value = expr(r.args[0]);
    if (value->dtype != acc_t) {
      Expr c;
      c.kind = Expr::Kind::Cast;
      c.dtype = acc_t;
      c.args = {value};
      c.shape = value->shape;
      c.loc = r.loc;
      value = std::make_shared<Expr>(std::move(c));
    }
    Expr combine;
    combine.kind = Expr::Kind::Binary;
    combine.dtype = acc_t;
    combine.op = r.op == ir::Op::Max ? ir::Op::Maximum : r.op == ir::Op::Min ? ir::Op::Minimum : ir::Op::Add;
    combine.args = {acc_var, value};
    auto update = std::make_shared<Stmt>(s);
    update->kind = Stmt::Kind::Assign;
    update->name = acc;
    update->expr = shaped(combine);
    inside.push_back(update);

    ExprPtr result = acc_var;
    if (r.op == ir::Op::Mean) {
      Expr n;
      n.kind = Expr::Kind::Cast;
      n.dtype = acc_t;
      n.args = {attr(ir::Op::Size)};
      n.loc = r.loc;
      Expr div;
      div.kind = Expr::Kind::Binary;
      div.op = ir::Op::Div;
      div.dtype = acc_t;
      div.args = {acc_var, std::make_shared<Expr>(std::move(n))};
      result = shaped(div);
    }
    if (acc_t != r.dtype) {
      Expr c;
      c.kind = Expr::Kind::Cast;
      c.dtype = r.dtype;
      c.args = {result};
      result = shaped(c);
    }
    auto final_let = std::make_shared<Stmt>(s);
    final_let->expr = result;
    after.push_back(final_let);
  }

  std::vector<Dim> drop(const std::vector<Dim>& s) const {
    std::vector<Dim> out;
    for (const Dim& d : s)
      if (!is_var_dim(d, var_)) out.push_back(d);
    return out;
  }

  ExprPtr pos_expr(const ExprPtr& offset) const {
    auto p = std::make_shared<Expr>();
    p->kind = Expr::Kind::Var;
    p->name = pos_;
    p->dtype = ir::DType::i64;
    if (!offset) return p;
    auto sum = std::make_shared<Expr>();
    sum->kind = Expr::Kind::Binary;
    sum->op = ir::Op::Add;
    sum->dtype = ir::DType::i64;
    sum->args = {p, offset};
    return sum;
  }

  std::vector<ir::Index> indices(const std::vector<ir::Index>& in) {
    std::vector<ir::Index> out;
    for (const ir::Index& i : in) {
      if (i.kind == ir::Index::Kind::Tile && i.var == var_)
        out.push_back({ir::Index::Kind::Scalar, "", pos_expr(i.expr)});
      else
        out.push_back({i.kind, i.var, i.expr ? expr(i.expr) : nullptr});
    }
    return out;
  }

  ExprPtr expr(const ExprPtr& e) {
    if (!e) return e;
    if (e->kind == Expr::Kind::TileIndex && e->name == var_) return pos_expr(nullptr);
    auto out = std::make_shared<Expr>(*e);
    for (ExprPtr& a : out->args) a = expr(a);
    out->indices = indices(e->indices);
    out->shape = drop(e->shape);
    switch (e->kind) {
      case Expr::Kind::Reduce: {
        const int p = position(e->args[0]->shape, var_);
        if (p == e->ival && ir::is_scan(e->op))
          fail(ctx_, e->loc,
               fmt::format("tl::{} along the tile dimension '{}' of a tile of rank 3 or more, which runs as a loop "
                           "over its positions",
                           ir::name(e->op), var_),
               "scan along one of the last two dimensions");
        // Reductions directly inside the loop over the dimension were hoisted into lets (Hoist);
        // this one sits in a loop of the kernel, or in the loop over a rank-4 tile's first dimension.
        if (p == e->ival)
          fail(ctx_, e->loc,
               fmt::format("tl::{} along the tile dimension '{}', which runs as a loop here, inside another loop",
                           ir::name(e->op), var_),
               fmt::format("reduce along '{}' in a statement directly inside the loop over it; of a rank-4 tile, "
                           "along its first dimension or its last two",
                           var_));
        if (p >= 0 && p < e->ival) --out->ival;
        break;
      }
      case Expr::Kind::Unsqueeze: {
        const int p = position(e->shape, var_);
        if (p >= 0 && p < e->ival) --out->ival;
        break;
      }
      case Expr::Kind::Transpose:
        if (e->ival != 0) return permute(*e, out);
        [[fallthrough]];
      case Expr::Kind::Dot:
        if (mentions(e, var_))
          fail(ctx_, e->loc,
               fmt::format("{} of a tile over the tile dimension '{}', which runs as a loop here",
                           e->kind == Expr::Kind::Dot ? "tl::dot" : "tl::trans", var_),
               "index that dimension with a number, or keep these tiles out of the rank-3 tile's loop");
        break;
      default: break;
    }
    return out;
  }

  /// tl::permute at one position of the looped dimension: the order of the dimensions left.
  /// The same order is the operand itself; the last two swapped, a transpose, which only a
  /// loaded tile has (fold_transposes reads it through swapped strides).
  ExprPtr permute(const Expr& e, const std::shared_ptr<Expr>& out) {
    const std::vector<int> dims = ir::permutation(e);
    const int from = position(e.args[0]->shape, var_);
    std::vector<int> left;
    for (std::size_t d = 0; d < dims.size(); ++d)
      if (dims[d] != from) left.push_back(dims[d] - (dims[d] > from ? 1 : 0));
    if (from < 0 || left.size() + 1 != dims.size()) return out;
    bool identity = true;
    for (std::size_t d = 0; d < left.size(); ++d) identity = identity && left[d] == static_cast<int>(d);
    if (identity) return out->args[0];
    out->ival = ir::encode_permutation(left);
    const Expr& a = *out->args[0];
    bool gather = false;
    for (const ir::Index& i : a.indices) gather = gather || i.kind == ir::Index::Kind::Gather;
    if (left.size() == 2 && (a.kind != Expr::Kind::Load || gather))
      fail(ctx_, e.loc,
           "tl::permute of a computed tile that swaps the two dimensions left at each position of the looped "
           "dimension",
           "permute the loaded tile where it is loaded: tl::permute(x[tb, tm, tn], {0, 2, 1}) * 2");
    return out;
  }

  StmtPtr stmt(const StmtPtr& s) {
    auto out = std::make_shared<Stmt>(*s);
    out->expr = expr(s->expr);
    out->indices = indices(s->indices);
    for (ir::LoopDim& d : out->dims) {
      d.begin = expr(d.begin);
      d.end = expr(d.end);
    }
    std::vector<StmtPtr> body;
    for (const StmtPtr& b : s->body) body.push_back(stmt(b));
    out->body = body;
    return out;
  }

  const PassContext& ctx_;
  std::string var_, pos_;
};

}  // namespace

ir::Kernel loop_leading_dims(const ir::Kernel& k, const PassContext& ctx) {
  ir::Kernel out = k;
  // Rank 4 takes two rounds: each runs one leading dimension as a loop.
  std::set<std::string> looped;
  while (const Expr* t = first_high_rank(out.body)) {
    const Dim& lead = t->shape[0];
    if (lead.kind != Dim::Kind::Tile || looped.count(lead.var))
      fail(ctx, t->loc, "a tile of rank 3 or more whose leading dimension is not a tile loop's",
           "loop over the leading dimension and index it with the loop variable (for (auto tb : tl::tile(b)) ... "
           "x[tb, tm, tn]), or index it with a number (x[b, tm, tn])");
    looped.insert(lead.var);
    out.body = Looper(ctx, lead.var).rewrite(out.body);
  }
  return out;
}

}  // namespace tilecc::passes
