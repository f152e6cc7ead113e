// Why: every fragment of a kernel shares one thread layout; it is chosen once, from the
// widest row and the narrowest element, before anything sizes a fragment.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "passes.hpp"
#include "translator/ir/layout.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

/// Tile lets read only as operands of dot (`auto kt = k[tn, tl::all]; dot(q, trans(kt))`): dot
/// stages its operands through shared memory, so their dims need no axis either.
class DotOnlyLets : public ir::Visitor {
 public:
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& [name, uses] : uses_)
      if (uses.first == uses.second) out.insert(name);
    return out;
  }

 protected:
  void visit_var(const ir::Expr& e) override { ++uses_[e.name].first; }
  void visit_dot(const ir::Expr& e) override {
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      const ir::Expr* a = e.args[i].get();
      if (i < 2 && a->kind == ir::Expr::Kind::Transpose) a = a->args[0].get();
      if (i < 2 && a->kind == ir::Expr::Kind::Var) ++uses_[a->name].second;
      visit(e.args[i]);
    }
  }

 private:
  std::map<std::string, std::pair<int, int>> uses_;  // name: (all reads, reads as a dot operand)
};

class Axes {
 public:
  Axes(const PassContext& ctx, ir::Layout& l, std::set<std::string> dot_only)
      : ctx_(ctx), l_(l), dot_only_(std::move(dot_only)) {}

  void loops(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) {
      if (s->kind != ir::Stmt::Kind::Loop) continue;
      for (const ir::LoopDim& d : s->dims) l_.blocks[d.var] = d.block.value;
      loops(s->body);
    }
  }

  void body(const std::vector<ir::StmtPtr>& b) {
    for (const ir::StmtPtr& s : b) {
      if (s->kind == ir::Stmt::Kind::Let && dot_only_.count(s->name)) continue;
      expr(s->expr);
      for (const ir::Index& i : s->indices) expr(i.expr);
      body(s->body);
    }
  }

 private:
  void expr(const ir::ExprPtr& e) {
    if (!e) return;
    shape(e->shape, e->loc);
    // dot's operands are staged through shared memory: their dims need no axis.
    const std::size_t first = e->kind == ir::Expr::Kind::Dot ? 2 : 0;
    for (std::size_t i = first; i < e->args.size(); ++i) expr(e->args[i]);
    for (const ir::Index& i : e->indices) expr(i.expr);
  }

  void shape(const std::vector<ir::Dim>& s, ir::SourceLoc at) {
    if (s.size() > 2) fail(ctx_, at, "tiles of rank 3 or more are not supported by the CUDA backend yet");
    if (s.size() != 2) return;
    for (int i = 0; i < 2; ++i) {
      if (s[i].kind == ir::Dim::Kind::One) continue;
      const ir::Axis want = i == 0 ? ir::Axis::Row : ir::Axis::Col;
      auto [it, fresh] = l_.axes.emplace(ir::axis_key(s[i]), want);
      if (!fresh && it->second != want)
        fail(ctx_, at,
             fmt::format("'{}' is a row dimension in one tile and a column dimension in another", ir::axis_key(s[i])),
             "transposed use of a tile dimension is not supported by the CUDA backend yet");
    }
  }

  const PassContext& ctx_;
  ir::Layout& l_;
  std::set<std::string> dot_only_;
};

/// Unsqueeze keeps a fragment as it is: refuse one that would move a dimension between axes.
void check_unsqueezes(const PassContext& ctx, const ir::Layout& l, const std::vector<ir::StmtPtr>& body);

void check_expr(const PassContext& ctx, const ir::Layout& l, const ir::ExprPtr& e) {
  if (!e) return;
  for (const ir::ExprPtr& a : e->args) check_expr(ctx, l, a);
  for (const ir::Index& i : e->indices) check_expr(ctx, l, i.expr);
  if (e->kind == ir::Expr::Kind::Unsqueeze && !e->args[0]->shape.empty() &&
      ir::physical(l, e->shape) != ir::physical(l, e->args[0]->shape))
    fail(ctx, e->loc, "this unsqueeze moves a tile dimension between rows and columns",
         "not supported by the CUDA backend yet");
  // A gather picks rows: its tile dimension must lie down the rows.
  if (e->kind == ir::Expr::Kind::Load) {
    std::size_t tile_dim = 0;
    for (const ir::Index& i : e->indices) {
      if (i.kind == ir::Index::Kind::Scalar) continue;
      if (i.kind == ir::Index::Kind::Gather && (tile_dim != 0 || ir::axis_of(l, e->shape[0]) != ir::Axis::Row))
        fail(ctx, e->loc, "gathering along a column dimension is not supported by the CUDA backend yet",
             "gather rows: table[indices, t]");
      ++tile_dim;
    }
  }
}

void check_unsqueezes(const PassContext& ctx, const ir::Layout& l, const std::vector<ir::StmtPtr>& body) {
  for (const ir::StmtPtr& s : body) {
    check_expr(ctx, l, s->expr);
    for (const ir::Index& i : s->indices) check_expr(ctx, l, i.expr);
    check_unsqueezes(ctx, l, s->body);
  }
}

}  // namespace

ir::Kernel assign_layout(const ir::Kernel& k, const PassContext& ctx) {
  const config::Config& c = ctx.config;
  ir::Kernel out = k;
  ir::Layout& l = out.layout;
  const bool looped = !c.reduction_loops.empty() && c.reduction_loops[0] != 0;
  l.whole_extent = looped ? c.reduction_loops[0] : c.full_extent;
  l.threads = 32 * c.num_warps;
  DotOnlyLets dot_only;
  dot_only.visit(k.body);
  Axes axes(ctx, l, dot_only.names());
  axes.loops(k.body);
  axes.body(k.body);
  std::int64_t widest = 1;
  for (const auto& [key, a] : l.axes)
    if (a == ir::Axis::Col) widest = std::max(widest, key == "<whole>" ? l.whole_extent : l.blocks.at(key));
  for (const auto& [var, b] : l.blocks)
    if (!l.axes.count(var)) widest = std::max(widest, b);  // 1-D tiles run along columns
  // Columns per thread: one 16-byte vector of the narrowest tensor element type.
  int narrowest = 8;
  for (const ir::Param& p : k.params)
    if (p.is_tensor) narrowest = std::min(narrowest, ir::size_bytes(p.dtype));
  l.threads_per_row = static_cast<int>(
      std::min<std::int64_t>(l.threads, std::max<std::int64_t>(1, widest / (16 / narrowest))));
  if (c.threads_per_row) l.threads_per_row = c.threads_per_row;
  out.min_blocks_per_sm = c.min_blocks_per_sm;
  out.arch = ctx.target.arch;
  check_unsqueezes(ctx, l, k.body);
  return out;
}

}  // namespace tilecc::passes
