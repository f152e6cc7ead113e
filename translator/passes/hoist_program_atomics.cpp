// Why: `tl::atomic_add(dweight[tl::all], tl::sum(g * xhat, 0))` in every program makes each tile
// of rows add a whole row of partial sums atomically to the same addresses: thousands of tiles
// contend for a few thousand floats. A persistent program walks many tiles; it can add its
// tiles' values into registers and update memory once, after its last tile.
#include "partial_accumulator.hpp"
#include "passes.hpp"
#include "translator/ir/layout.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

/// `tensor[all, ...] op= value` whose target is the same for every tile: every index whole (so
/// one partial per tensor: `tensor` names it).
bool invariant_atomic(const ir::Stmt& s) {
  if (s.kind != ir::Stmt::Kind::AtomicAdd || !s.expr || s.expr->shape.empty()) return false;
  if (s.op != ir::Op::Add && s.op != ir::Op::Maximum && s.op != ir::Op::Minimum) return false;
  // f32 / f64 registers: a 16-bit partial would round at every tile.
  if (s.expr->dtype != ir::DType::f32 && s.expr->dtype != ir::DType::f64) return false;
  for (const ir::Index& i : s.indices)
    if (i.kind != ir::Index::Kind::All) return false;
  for (const ir::Dim& d : s.expr->shape)
    if (d.kind == ir::Dim::Kind::Tile) return false;
  return true;
}

class Hoist {
 public:
  Hoist(ir::Kernel& k) : k_(k) {}

  /// The launch body with each invariant atomic turned into an update of a program's partial.
  std::vector<ir::StmtPtr> body(const std::vector<ir::StmtPtr>& in) {
    if (!in.empty() && in[0]->kind == ir::Stmt::Kind::Loop && in[0]->is_launch) {
      std::vector<ir::StmtPtr> out = in;
      auto loop = std::make_shared<ir::Stmt>(*in[0]);
      loop->body = body(in[0]->body);
      out[0] = loop;
      return out;
    }
    std::vector<ir::StmtPtr> out;
    for (const ir::StmtPtr& s : in) {
      if (!invariant_atomic(*s) || registers_ + registers(*s->expr) > budget()) {
        out.push_back(s);
        continue;
      }
      registers_ += registers(*s->expr);
      // Before the programs: the identity of the update; each tile: its valid elements combine
      // into the partial.
      const PartialAccumulator acc = partial_accumulator(s->name + "_program_part", s->op, *s->expr, s->loc);
      k_.programs.before.push_back(acc.let);
      out.push_back(acc.update(s->expr, s->loc));
      // After the last tile: one atomic update of memory.
      auto flush = std::make_shared<ir::Stmt>(*s);
      flush->expr = acc.var;
      k_.programs.after.push_back(flush);
    }
    return out;
  }

 private:
  /// Registers a thread takes for a tile of e's shape.
  std::int64_t registers(const ir::Expr& e) const {
    const auto [r, c] = ir::physical(k_.layout, e.shape);
    const std::int64_t tc = k_.layout.threads_per_row, tr = k_.layout.threads / tc;
    return (r >= tr ? r / tr : 1) * (c >= tc ? c / tc : 1);
  }

  /// The partials' registers a thread, all together: 32 on 256 threads (two rows of 4096 floats),
  /// fewer on larger blocks, whose threads have fewer registers (a row of 16384 floats on 512
  /// threads spilled beside the rows a program holds).
  std::int64_t budget() const { return 8192 / k_.layout.threads; }
  ir::Kernel& k_;
  std::int64_t registers_ = 0;
};

}  // namespace

ir::Kernel hoist_program_atomics(const ir::Kernel& k, const PassContext&) {
  if (!k.programs.persistent() || k.layout.mma_rows) return k;
  ir::Kernel out = k;
  Hoist hoist(out);
  out.body = hoist.body(k.body);
  return out;
}

}  // namespace tilecc::passes
