// Why: how program ids walk the launch loops' tiles (flat, xyz, persistent, L2 bands) decides
// L2 reuse and occupancy; persistent programs can also load ahead, which needs the loads named.
#include <set>

#include "passes.hpp"
#include "translator/launch/launch_plan.hpp"
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
  // The launch dims and their grid axis groups: the launch plan's, so that the launcher, the
  // runtime and the kernel's program-id decomposition agree.
  launch::LaunchPlan plan;
  try {
    plan = launch::plan_launch(k, c);
  } catch (const launch::PlanError& e) {
    throw config::ConfigError(e.what());
  }
  std::set<std::string> launch_vars;
  const ir::Stmt* last_loop = plan.dims.empty() ? nullptr : plan.dims.back().loop;
  for (const launch::LaunchDim& d : plan.dims) {
    p.dims.push_back({d.dim->var, d.is_grid, d.group, false, d.dim->begin, d.dim->end, d.block, d.dim->divisible});
    if (!d.is_grid) launch_vars.insert(d.dim->var);
  }
  // L2 grouping: the two innermost dims, when they belong to the innermost launch loop and it
  // tiles two dims or more.
  const std::size_t n = p.dims.size();
  if (c.l2_grouping > 1 && n >= 2 && last_loop && !last_loop->is_grid && last_loop->dims.size() >= 2 &&
      plan.dims[n - 2].loop == last_loop)
    p.dims[n - 2].l2 = p.dims[n - 1].l2 = true;
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
