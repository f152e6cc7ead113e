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

/// Whether the kernel's tiles take the tensor-core accumulator layout (MmaRows): some dot's A
/// operand is computed or kept in a let (its rows flow from earlier tiles, as attention's
/// scores do into the second dot), every dot multiplies f16 / bf16 into float with its B operand
/// a tile load (copied to shared memory), every tile's rows are one tile dimension whose block
/// gives each warp whole 16-row groups, columns are 1 or at least 16, and nothing reduces down
/// the rows. Then each dot's products stay in the registers they are used from.
class MmaRowsFit {
 public:
  MmaRowsFit(const ir::Layout& l, const std::set<std::string>& dot_only) : l_(l), dot_only_(dot_only) {}

  bool fits(const std::vector<ir::StmtPtr>& body) {
    for (const ir::StmtPtr& s : body) stmt(*s);
    for (const std::string& name : a_names_)
      if (b_names_.count(name)) ok_ = false;
    return ok_ && chained_dot_;
  }

 private:
  void stmt(const ir::Stmt& s) {
    if (s.kind == ir::Stmt::Kind::Let && dot_only_.count(s.name)) {
      // Read only as dot operands: a B operand goes to shared memory, an A operand must be a load.
      if (!s.expr || !b_operand(*s.expr)) ok_ = false;
      if (s.expr) lets_[s.name] = s.expr.get();
      return;
    }
    if (s.kind == ir::Stmt::Kind::Let || s.kind == ir::Stmt::Kind::Assign || s.kind == ir::Stmt::Kind::Store) {
      if (s.expr) visit(*s.expr);
    } else if (s.expr) {
      visit(*s.expr);
    }
    for (const ir::StmtPtr& b : s.body) stmt(*b);
  }

  static bool low_precision(ir::DType t) { return t == ir::DType::f16 || t == ir::DType::bf16; }
  bool b_operand(const ir::Expr& b) const {
    const ir::Expr* e = b.kind == ir::Expr::Kind::Transpose ? b.args[0].get() : &b;
    if (e->kind == ir::Expr::Kind::Var) return dot_only_.count(e->name) > 0 && !a_names_.count(e->name);
    return e->kind == ir::Expr::Kind::Load && !e->transposed && e->shape.size() == 2 && wide(e->shape[1]);
  }
  std::int64_t extent(const ir::Dim& d) const {
    if (d.kind == ir::Dim::Kind::Tile && !l_.blocks.count(d.var)) return 0;
    return ir::extent_of(l_, d);
  }
  /// The B operand's shared tile (rows padded by 16 bytes, as SharedTile): all of them must fit
  /// the 48 KB of static shared memory.
  void count_shared(const ir::Expr& b) {
    const ir::Expr* e = b.kind == ir::Expr::Kind::Transpose ? b.args[0].get() : &b;
    if (e->kind == ir::Expr::Kind::Var && lets_.count(e->name)) e = lets_.at(e->name);
    if (e->kind != ir::Expr::Kind::Load || e->shape.size() != 2) return;
    shared_bytes_ += extent(e->shape[0]) * (extent(e->shape[1]) + 8) * ir::size_bytes(e->dtype);
    if (shared_bytes_ > 46 * 1024) ok_ = false;
  }
  /// A column extent of at least 16 (whole 16-byte chunks of a shared tile row, k steps of 16).
  bool wide(const ir::Dim& c) const { return c.kind != ir::Dim::Kind::One && extent(c) >= 16; }

  void visit(const ir::Expr& e) {
    shape(e.shape);
    for (const ir::Index& i : e.indices)
      if (i.kind == ir::Index::Kind::Gather) ok_ = false;
    if (e.kind == ir::Expr::Kind::Reduce && e.ival == 0 && e.args[0]->shape.size() == 2) ok_ = false;
    if (e.kind == ir::Expr::Kind::Dot) {
      const ir::Expr& a = *e.args[0];
      if (e.dtype != ir::DType::f32 || !low_precision(a.dtype) || e.args[1]->dtype != a.dtype || !b_operand(*e.args[1]))
        ok_ = false;
      if (a.kind == ir::Expr::Kind::Load || a.kind == ir::Expr::Kind::Transpose) ok_ = false;
      if (a.kind != ir::Expr::Kind::Var) chained_dot_ = true;
      // A let read as an A operand is packed as mma registers; as a B operand, copied to shared
      // memory: not both.
      if (a.kind == ir::Expr::Kind::Var) a_names_.insert(a.name);
      const ir::Expr* b = e.args[1]->kind == ir::Expr::Kind::Transpose ? e.args[1]->args[0].get() : e.args[1].get();
      if (b->kind == ir::Expr::Kind::Var) b_names_.insert(b->name);
      count_shared(*e.args[1]);
      visit(a);
      for (std::size_t i = 2; i < e.args.size(); ++i) visit(*e.args[i]);
      return;
    }
    for (const ir::ExprPtr& a : e.args) visit(*a);
    for (const ir::Index& i : e.indices)
      if (i.expr) visit(*i.expr);
  }

  void shape(const std::vector<ir::Dim>& s) {
    if (s.size() > 2) ok_ = false;
    if (s.size() != 2) return;
    const ir::Dim& r = s[0];
    if (r.kind == ir::Dim::Kind::Tile) {
      const std::int64_t block = l_.blocks.count(r.var) ? l_.blocks.at(r.var) : 0;
      if ((!rows_var_.empty() && rows_var_ != r.var) || block % (16 * (l_.threads / 32)) != 0) ok_ = false;
      rows_var_ = r.var;
    } else if (r.kind != ir::Dim::Kind::One) {
      ok_ = false;
    }
    if (s[1].kind != ir::Dim::Kind::One && !wide(s[1])) ok_ = false;
  }

  const ir::Layout& l_;
  const std::set<std::string> dot_only_;
  std::string rows_var_;
  std::set<std::string> a_names_, b_names_;
  std::map<std::string, const ir::Expr*> lets_;  // dot-only lets: their loads
  std::int64_t shared_bytes_ = 0;
  bool ok_ = true, chained_dot_ = false;
};

/// mma.sync m16n8k16 needs sm_80 or newer.
bool has_mma_sync(const std::string& arch) {
  std::string digits;
  for (char ch : arch)
    if (ch >= '0' && ch <= '9') digits += ch;
  return !digits.empty() && std::stoi(digits) >= 80;
}

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
  l.threads_per_row =
      static_cast<int>(std::min<std::int64_t>(l.threads, std::max<std::int64_t>(1, widest / (16 / narrowest))));
  if (c.threads_per_row) l.threads_per_row = c.threads_per_row;
  l.mma_rows =
      !c.threads_per_row && !looped && has_mma_sync(ctx.target.arch) && MmaRowsFit(l, dot_only.names()).fits(k.body);
  out.min_blocks_per_sm = c.min_blocks_per_sm;
  out.arch = ctx.target.arch;
  check_unsqueezes(ctx, l, k.body);
  return out;
}

}  // namespace tilecc::passes
