// Why: `acc += sum(x[tm, tn], 1)` in a loop over tn reduces across threads at every step (shuffles,
// and shared memory with a barrier once a row spans warps), which leaves a loop that should stream
// at copy bandwidth waiting on its own reductions. Adding the tiles elementwise into a partial
// accumulator of the tile's shape and reducing it once after the loop does the same sum with no
// cross-thread traffic in the loop.
#include <map>
#include <set>

#include "partial_accumulator.hpp"
#include "passes.hpp"
#include "translator/ir/layout.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

/// Reads of each variable, and every name declared or assigned, in a subtree.
class Uses : public ir::Visitor {
 public:
  std::map<std::string, int> reads, writes;

 protected:
  void visit_var(const ir::Expr& e) override {
    ++reads[e.name];
    visit_children(e);
  }
  void visit_let(const ir::Stmt& s) override {
    ++writes[s.name];
    visit_children(s);
  }
  void visit_assign(const ir::Stmt& s) override {
    ++writes[s.name];
    visit_children(s);
  }
};

/// The reduction kind that folds into an accumulator with `op`.
ir::Op reduction_for(ir::Op op) {
  switch (op) {
    case ir::Op::Add: return ir::Op::Sum;
    case ir::Op::Maximum: return ir::Op::Max;
    case ir::Op::Minimum: return ir::Op::Min;
    default: return ir::Op::None;
  }
}

bool whole(const ir::Dim& d) { return d.kind == ir::Dim::Kind::Full || d.kind == ir::Dim::Kind::Expr; }

class Deferral : public ir::Mutator {
 public:
  Deferral(const ir::Layout& l, std::set<std::string> names) : l_(l), names_(std::move(names)) {}
  using ir::Mutator::mutate;

  std::vector<ir::StmtPtr> mutate(const std::vector<ir::StmtPtr>& body) override {
    std::vector<ir::StmtPtr> out;
    for (const ir::StmtPtr& s : body) {
      ir::StmtPtr m = ir::Mutator::mutate(s);
      if (!m) continue;
      if (!device_tile_loop(*m)) {
        out.push_back(m);
        continue;
      }
      std::vector<ir::StmtPtr> before, after;
      out.push_back(defer(m, before, after));
      out.insert(out.end() - 1, before.begin(), before.end());
      out.insert(out.end(), after.begin(), after.end());
    }
    return out;
  }

 private:
  static bool device_tile_loop(const ir::Stmt& s) {
    return s.kind == ir::Stmt::Kind::Loop && !s.is_launch && !s.is_grid && !s.is_dot && s.dims.size() == 1;
  }

  /// The loop with each deferrable accumulation rewritten: `before` receives the partial
  /// accumulators' lets, `after` the reductions that fold them into the accumulators.
  ir::StmtPtr defer(const ir::StmtPtr& loop, std::vector<ir::StmtPtr>& before, std::vector<ir::StmtPtr>& after) {
    Uses uses;
    uses.visit(loop->body);
    const std::string& v = loop->dims[0].var;
    auto out = std::make_shared<ir::Stmt>(*loop);
    bool changed = false;
    for (ir::StmtPtr& s : out->body) {
      const ir::Expr* reduce = deferrable(*s, v, uses);
      if (!reduce) continue;
      const ir::Expr& e = *reduce->args[0];
      const std::string part = fresh(s->name + "_part");
      // Before the loop: the partial accumulator, the reduction's identity over one whole tile;
      // in the loop: each tile's valid elements combine into it.
      const PartialAccumulator acc = partial_accumulator(part, s->expr->op, e, s->loc);
      before.push_back(acc.let);
      const ir::StmtPtr step = acc.update(reduce->args[0], s->loc);
      // After the loop: the accumulator takes the partial one's reduction, as it took each tile's.
      auto folded = std::make_shared<ir::Expr>(*reduce);
      folded->args[0] = acc.var;
      auto fold = std::make_shared<ir::Expr>(*s->expr);
      for (ir::ExprPtr& a : fold->args)
        if (a.get() == reduce) a = folded;
      auto last = std::make_shared<ir::Stmt>(*s);
      last->expr = fold;
      after.push_back(last);
      s = step;
      changed = true;
    }
    return changed ? ir::StmtPtr(out) : loop;
  }

  /// The reduction of `acc = op(acc, reduce(e, dim))` when s is one whose reduced dimension is
  /// the loop's own tile, acc is read nowhere else in the loop, and the partial accumulator fits
  /// in registers; else null.
  const ir::Expr* deferrable(const ir::Stmt& s, const std::string& v, Uses& uses) const {
    if (s.kind != ir::Stmt::Kind::Assign || !s.expr || s.expr->kind != ir::Expr::Kind::Binary) return nullptr;
    const ir::Expr& b = *s.expr;
    const ir::Op want = reduction_for(b.op);
    if (want == ir::Op::None || b.args.size() != 2 || b.accumulate) return nullptr;
    const ir::Expr* acc = b.args[0].get();
    const ir::Expr* red = b.args[1].get();
    if (acc->kind != ir::Expr::Kind::Var || acc->name != s.name) std::swap(acc, red);  // each op commutes
    if (acc->kind != ir::Expr::Kind::Var || acc->name != s.name || red->kind != ir::Expr::Kind::Reduce) return nullptr;
    if (red->op != want || red->chunked >= 0 || red->args.empty()) return nullptr;
    const ir::Expr& e = *red->args[0];
    if (e.shape.size() != 2 || e.dtype != b.dtype) return nullptr;
    if ((want != ir::Op::Sum) && !ir::is_floating(e.dtype)) return nullptr;
    // A 16-bit accumulator rounds at every add: elementwise partial sums would round more often.
    if (e.dtype == ir::DType::f16 || e.dtype == ir::DType::bf16) return nullptr;
    const ir::Dim& reduced = e.shape.at(static_cast<std::size_t>(red->ival));
    if (reduced.kind != ir::Dim::Kind::Tile || reduced.var != v) return nullptr;
    for (const ir::Dim& d : e.shape)
      if (whole(d)) return nullptr;  // whole rows may be walked in chunks (chunk_reductions)
    if (uses.reads[s.name] != 1 || uses.writes[s.name] != 1) return nullptr;
    // The partial accumulator's registers: at most 32 a thread.
    const auto [r, c] = ir::physical(l_, e.shape);
    const std::int64_t tc = l_.threads_per_row, tr = l_.threads / l_.threads_per_row;
    if ((r >= tr ? r / tr : 1) * (c >= tc ? c / tc : 1) > kPartialRegisters) return nullptr;
    return red;
  }

  std::string fresh(const std::string& base) {
    std::string name = base;
    for (int i = 1; names_.count(name); ++i) name = base + std::to_string(i);
    names_.insert(name);
    return name;
  }

  static constexpr std::int64_t kPartialRegisters = 32;
  const ir::Layout& l_;
  std::set<std::string> names_;
};

}  // namespace

ir::Kernel defer_loop_reductions(const ir::Kernel& k, const PassContext&) {
  if (k.layout.mma_rows) return k;
  Uses uses;
  uses.visit(k);
  std::set<std::string> names;
  for (const auto& [name, n] : uses.writes) names.insert(name);
  for (const auto& [name, n] : uses.reads) names.insert(name);
  for (const ir::Param& p : k.params) names.insert(p.name);
  Deferral d(k.layout, std::move(names));
  return d.mutate(k);
}

}  // namespace tilecc::passes
