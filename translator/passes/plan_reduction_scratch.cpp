// Why: a block reduction's closing barrier protects its scratch buffer from the next
// reduction; two reductions in straight-line code can use alternate buffers instead, and the
// kernel's last one needs none. Which code is straight-line is read from the IR's blocks.
#include <map>

#include "passes.hpp"
#include "resources.hpp"
#include "templates/tilecc/sizing.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

/// A block reduction in the order the printed kernel runs them.
struct Site {
  const ir::Expr* reduce = nullptr;  // nullptr: a chunk's partial reduction (not planned)
  bool flexible = false;             // takes <Buffer, Barrier> (not argmax/argmin or partials)
  int block = 0, segment = 0;        // the statement list it is in, and the run of it without loops
  bool top = false;                  // in the kernel function's own body, outside every loop
};

class Sites {
 public:
  std::vector<Site> sites;

  void kernel(const ir::Kernel& k) {
    // The launch body is the kernel function's body unless persistent programs loop over it.
    const std::vector<ir::StmtPtr>* body = &k.body;
    while (!body->empty() && (*body)[0]->kind == ir::Stmt::Kind::Loop && (*body)[0]->is_launch)
      body = &(*body)[0]->body;
    top_ = !k.programs.persistent();
    block(*body);
  }

 private:
  void block(const std::vector<ir::StmtPtr>& b) {
    const int saved_block = block_, saved_segment = segment_;
    const bool saved_top = top_;
    block_ = next_block_++;
    segment_ = 0;
    for (const ir::StmtPtr& s : b) stmt(*s);
    block_ = saved_block;
    segment_ = saved_segment;
    top_ = saved_top;
  }

  /// A nested block: whatever follows in this one is no longer straight-line with what preceded.
  void nested(const std::vector<ir::StmtPtr>& b) {
    top_ = false;
    block(b);
    ++segment_;
  }

  void stmt(const ir::Stmt& s) {
    using K = ir::Stmt::Kind;
    const bool saved_top = top_;
    switch (s.kind) {
      case K::Let:
        if (s.deferred) {
          for (const ir::StmtPtr& r : s.body) stmt(*r);
          deferred_[s.name] = s.expr.get();
        } else {
          expr(s.expr);
        }
        break;
      case K::Assign:
      case K::Check: expr(s.expr); break;
      case K::Store:
      case K::AtomicAdd:
        for (const ir::Index& i : s.indices) expr(i.expr);
        expr(s.expr);
        break;
      case K::Loop:
        if (!s.is_dot) nested(s.body);
        break;
      case K::DotLoopStore: break;
      case K::ChunkReduce: {
        top_ = false;
        const int saved_block = block_;
        block_ = next_block_++;
        expr(s.expr->args[0]);
        sites.push_back({nullptr, false, block_, 0, false});
        block_ = saved_block;
        ++segment_;
        break;
      }
      case K::ChunkLoop: nested(s.body); break;
    }
    top_ = saved_top;
  }

  void expr(const ir::ExprPtr& p) {
    if (!p) return;
    const ir::Expr& e = *p;
    if (e.kind == ir::Expr::Kind::Reduce && e.chunked >= 0) return;
    if (e.kind == ir::Expr::Kind::Var) {
      if (const auto it = deferred_.find(e.name); it != deferred_.end()) {
        const ir::Expr* d = it->second;
        deferred_.erase(it);
        for (const ir::ExprPtr& a : d->args) expr(a);
      }
      return;
    }
    for (const ir::ExprPtr& a : e.args) expr(a);
    for (const ir::Index& i : e.indices) expr(i.expr);
    if (e.kind == ir::Expr::Kind::Reduce) {
      const bool arg = e.op == ir::Op::Argmax || e.op == ir::Op::Argmin;
      sites.push_back({&e, !arg, block_, segment_, top_});
    }
  }

  int block_ = 0, segment_ = 0, next_block_ = 0;
  bool top_ = false;
  std::map<std::string, const ir::Expr*> deferred_;
};

class Mark : public ir::Mutator {
 public:
  std::map<const ir::Expr*, ir::Scratch> plan;

 protected:
  ir::ExprPtr mutate_reduce(const ir::ExprPtr& e) override {
    ir::ExprPtr m = mutate_children(e);
    const auto it = plan.find(e.get());
    if (it == plan.end()) return m;
    auto out = std::make_shared<ir::Expr>(*m);
    out->scratch = it->second;
    return out;
  }
};

}  // namespace

ir::Kernel plan_reduction_scratch(const ir::Kernel& k, const PassContext&) {
  Sites walk;
  walk.kernel(k);
  const std::vector<Site>& sites = walk.sites;
  // The second buffer costs threads x 16 bytes of static shared memory: not where that would
  // pass the 48 KB every arch allows (then every reduction keeps its barrier).
  const bool room =
      analyze_resources(k).shared_bytes + sizing::reduce_scratch_bytes(k.layout.threads) <= sizing::static_shared_limit;
  Mark mark;
  bool second = false;
  int required = -1;  // the buffer the previous reduction left for this one (-1: any)
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const Site& r = sites[i];
    if (!r.flexible || !room) {
      required = -1;
      continue;
    }
    const int buffer = required < 0 ? 0 : required;
    bool barrier = true;
    required = -1;
    if (i + 1 < sites.size()) {
      const Site& next = sites[i + 1];
      if (next.flexible && next.block == r.block && next.segment == r.segment) {
        barrier = false;
        required = 1 - buffer;
      }
    } else if (r.top) {
      barrier = false;  // the kernel's last reduction, outside every loop
    }
    second = second || buffer == 1;
    mark.plan[r.reduce] = {true, buffer, barrier};
  }
  ir::Kernel out = mark.mutate(k);
  out.second_scratch = second;
  return out;
}

}  // namespace tilecc::passes
