// Why: `tl::atomic_add(dweight[tl::all], tl::sum(g * xhat, 0))` in every program makes each tile
// of rows add a whole row of partial sums atomically to the same addresses: thousands of tiles
// contend for a few thousand floats. A persistent program walks many tiles; it can add its
// tiles' values into registers and update memory once, after its last tile.
#include <limits>

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

ir::ExprPtr var(const std::string& name, const ir::Expr& like) {
  auto v = std::make_shared<ir::Expr>();
  v->kind = ir::Expr::Kind::Var;
  v->name = name;
  v->dtype = like.dtype;
  v->shape = like.shape;
  v->loc = like.loc;
  return v;
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
      const ir::Expr& value = *s->expr;
      const std::string part = s->name + "_program_part";
      // Before the programs: the identity of the update.
      auto init = std::make_shared<ir::Expr>();
      init->kind = ir::Expr::Kind::Const;
      init->dtype = value.dtype;
      init->fval = s->op == ir::Op::Add       ? 0.0
                   : s->op == ir::Op::Maximum ? -std::numeric_limits<double>::infinity()
                                              : std::numeric_limits<double>::infinity();
      init->loc = s->loc;
      auto full = std::make_shared<ir::Expr>();
      full->kind = ir::Expr::Kind::Full;
      full->dtype = value.dtype;
      full->shape = value.shape;
      full->args = {init};
      full->loc = s->loc;
      auto let = std::make_shared<ir::Stmt>();
      let->kind = ir::Stmt::Kind::Let;
      let->name = part;
      let->expr = full;
      let->loc = s->loc;
      k_.programs.before.push_back(let);
      // Each tile: its valid elements combine into the partial.
      auto combine = std::make_shared<ir::Expr>();
      combine->kind = ir::Expr::Kind::Binary;
      combine->op = s->op;
      combine->dtype = value.dtype;
      combine->shape = value.shape;
      combine->args = {var(part, value), s->expr};
      combine->accumulate = true;
      combine->loc = value.loc;
      auto step = std::make_shared<ir::Stmt>();
      step->kind = ir::Stmt::Kind::Assign;
      step->name = part;
      step->expr = combine;
      step->loc = s->loc;
      out.push_back(step);
      // After the last tile: one atomic update of memory.
      auto flush = std::make_shared<ir::Stmt>(*s);
      flush->expr = var(part, value);
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
