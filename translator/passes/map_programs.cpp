// Why: how program ids walk the launch loops' tiles (flat, xyz, persistent, L2 bands) decides
// L2 reuse and occupancy; persistent programs can also load ahead, which needs the loads named.
#include <set>

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

ir::Programs::Kind kind_of(config::Pid p) {
  switch (p) {
    case config::Pid::Flat: return ir::Programs::Kind::Flat;
    case config::Pid::Xyz: return ir::Programs::Kind::Xyz;
    case config::Pid::PersistentBlocked: return ir::Programs::Kind::PersistentBlocked;
    case config::Pid::PersistentInterleaved: return ir::Programs::Kind::PersistentInterleaved;
  }
  return ir::Programs::Kind::Flat;
}

/// Loads at the top of the launch body that read const tensors at launch tiles only: safe to
/// issue one program ahead. Marks them (persistent programs) and counts them.
class Prefetchable : public ir::Mutator {
 public:
  Prefetchable(const ir::Kernel& k, std::set<std::string> launch_vars, bool persistent, bool prefetch)
      : k_(k), vars_(std::move(launch_vars)), persistent_(persistent), prefetch_(prefetch) {}
  int count = 0;

 protected:
  ir::ExprPtr mutate_load(const ir::ExprPtr& e) override {
    if (e->shape.empty()) return e;
    bool ok = false, whole = true;
    for (const ir::Param& p : k_.params)
      if (p.name == e->name) ok = p.is_const;
    for (const ir::Index& i : e->indices) {
      ok = ok && (i.kind == ir::Index::Kind::All || (i.kind == ir::Index::Kind::Tile && vars_.count(i.var)));
      whole = whole && i.kind == ir::Index::Kind::All;
    }
    if (!ok) return e;
    ++count;
    if (!persistent_ || (!whole && !prefetch_)) return e;
    auto out = std::make_shared<ir::Expr>(*e);
    out->access.prefetch = whole ? ir::Prefetch::Invariant : ir::Prefetch::Next;
    return out;
  }
  ir::ExprPtr mutate_dot(const ir::ExprPtr& e) override { return e; }

 private:
  const ir::Kernel& k_;
  std::set<std::string> vars_;
  bool persistent_, prefetch_;
};

/// The body with the statements at the top of the launch body (lets and stores) marked.
std::vector<ir::StmtPtr> mark_launch_body(const std::vector<ir::StmtPtr>& body, Prefetchable& marks) {
  std::vector<ir::StmtPtr> out = body;
  if (!body.empty() && body[0]->kind == ir::Stmt::Kind::Loop && body[0]->is_launch) {
    auto loop = std::make_shared<ir::Stmt>(*body[0]);
    loop->body = mark_launch_body(body[0]->body, marks);
    out[0] = loop;
    return out;
  }
  for (ir::StmtPtr& s : out) {
    if ((s->kind != ir::Stmt::Kind::Let && s->kind != ir::Stmt::Kind::Store) || !s->expr) continue;
    auto copy = std::make_shared<ir::Stmt>(*s);
    copy->expr = marks.mutate(s->expr);
    s = copy;
  }
  return out;
}

}  // namespace

ir::Kernel map_programs(const ir::Kernel& k, const PassContext& ctx) {
  const config::Config& c = ctx.config;
  ir::Kernel out = k;
  ir::Programs& p = out.programs;
  p.kind = kind_of(c.pid);
  p.programs_per_sm = c.programs_per_sm;
  p.l2_grouping = c.l2_grouping;
  // The launch loops, outermost first, each in its configured dimension order; pid xyz gives
  // each dim (each flattened loop) a grid axis group.
  std::set<std::string> launch_vars;
  const std::vector<ir::StmtPtr>* body = &k.body;
  const ir::Stmt* last_loop = nullptr;
  int group = -1;
  while (!body->empty() && (*body)[0]->kind == ir::Stmt::Kind::Loop && (*body)[0]->is_launch) {
    const ir::Stmt& s = *(*body)[0];
    if (s.flatten) ++group;
    std::vector<std::size_t> order;
    for (int i : s.order) order.push_back(static_cast<std::size_t>(i));
    if (order.empty())
      for (std::size_t i = 0; i < s.dims.size(); ++i) order.push_back(i);
    for (std::size_t i : order) {
      const ir::LoopDim& d = s.dims.at(i);
      p.dims.push_back({d.var, s.is_grid, s.flatten ? group : ++group, false, d.begin, d.end, d.block.value, d.divisible});
      if (!s.is_grid) launch_vars.insert(d.var);
    }
    last_loop = &s;
    body = &s.body;
  }
  // L2 grouping: the two innermost dims, when they belong to the innermost launch loop and it
  // tiles two dims or more.
  const std::size_t n = p.dims.size();
  if (c.l2_grouping > 1 && n >= 2 && last_loop && !last_loop->is_grid && last_loop->dims.size() >= 2) {
    bool both = true;
    for (std::size_t i = n - 2; i < n; ++i) {
      bool in_last = false;
      for (const ir::LoopDim& d : last_loop->dims) in_last = in_last || d.var == p.dims[i].var;
      both = both && in_last;
    }
    if (both) p.dims[n - 2].l2 = p.dims[n - 1].l2 = true;
  }
  // Loads issued early: not while rows are walked in chunks.
  const bool looped = !c.reduction_loops.empty() && c.reduction_loops[0] != 0;
  if (!looped) {
    Prefetchable marks(k, launch_vars, p.persistent(), c.prefetch);
    out.body = mark_launch_body(k.body, marks);
    p.prefetchable = marks.count;
  }
  return out;
}

}  // namespace tilecc::passes
