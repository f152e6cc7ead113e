// Why: in the MmaRows layout (attention-like kernels) a dot's B operand is copied to shared
// memory with cp.async. Issued where the operand is read, the copy stalls the dot that waits
// for it; a loop whose dots each read their own shared operand can instead issue each copy
// one dot ahead: the next operand's copy (or the first operand's for the next tile) goes out
// right after the barrier before a dot, and flies while that dot and the softmax between the
// dots run. This pass records that schedule on the loop; the printer follows it.
#include <map>
#include <set>
#include <string>

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

using ir::Expr;
using ir::Stmt;

/// The shared B operand (a let's load or the load itself) each dot of a loop reads.
class CopyOrder {
 public:
  /// The access sites of loop s's shared operand loads in the order of the dots that read
  /// them, when each is read by exactly one dot of the loop's own statements and no nested
  /// statement reads one; otherwise none.
  std::vector<int> of(const Stmt& s) {
    body(s.body, true);
    for (const auto& [b, n] : readers_)
      if (n != 1 || !loads_.count(b)) return {};
    if (loads_.size() != order_.size()) return {};
    std::vector<int> sites;
    for (const Expr* b : order_) sites.push_back(b->access.site);
    return sites;
  }

 private:
  void expr(const Expr& e) {
    for (const ir::ExprPtr& a : e.args) expr(*a);
    if (e.kind == Expr::Kind::Load && e.access.shared) loads_.insert(&e);
    if (e.kind != Expr::Kind::Dot) return;
    const Expr* b = e.args[1].get();
    if (b->kind == Expr::Kind::Transpose) b = b->args[0].get();
    if (b->kind == Expr::Kind::Var) b = lets_.count(b->name) ? lets_.at(b->name) : nullptr;
    if (!b || !b->access.shared) return;
    if (readers_[b]++ == 0) order_.push_back(b);
  }

  // Dots of nested statements count as readers too (a second reader breaks the schedule), but
  // only the loop's own dots order the copies.
  void body(const std::vector<ir::StmtPtr>& stmts, bool top) {
    for (const ir::StmtPtr& st : stmts) {
      const bool nested = st->kind == Stmt::Kind::Loop || st->kind == Stmt::Kind::ChunkLoop;
      if (st->expr && !nested) {
        const std::size_t before = order_.size();
        expr(*st->expr);
        if (!top) order_.resize(before);
        if (top && st->kind == Stmt::Kind::Let && st->expr->kind == Expr::Kind::Load && st->expr->access.shared)
          lets_[st->name] = st->expr.get();
      }
      body(st->body, top && !nested);
    }
  }

  std::vector<const Expr*> order_;
  std::map<const Expr*, int> readers_;
  std::set<const Expr*> loads_;
  std::map<std::string, const Expr*> lets_;
};

class Schedule : public ir::Mutator {
 protected:
  ir::StmtPtr mutate_loop(const ir::StmtPtr& s) override {
    ir::StmtPtr out = mutate_children(s);
    if (out->is_launch || out->is_grid || out->is_dot || out->dims.size() != 1) return out;
    std::vector<int> sites = CopyOrder().of(*out);
    // One operand alone has nothing to overlap with: its copy stays where the dot reads it.
    if (sites.size() < 2) return out;
    auto scheduled = std::make_shared<Stmt>(*out);
    scheduled->copy_schedule = std::move(sites);
    return scheduled;
  }
};

}  // namespace

ir::Kernel schedule_shared_copies(const ir::Kernel& k, const PassContext&) {
  if (!k.layout.mma_rows) return k;
  return Schedule().mutate(k);
}

}  // namespace tilecc::passes
