// Why: rows longer than the registers can hold are walked in chunks (reduction_loops); which
// values are recomputed per chunk and where each row reduction is computed is decided here.
#include <map>
#include <optional>
#include <set>

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

bool is_whole(const ir::Dim& d) { return d.kind == ir::Dim::Kind::Full || d.kind == ir::Dim::Kind::Expr; }

bool has_whole(const std::vector<ir::Dim>& shape) {
  for (const ir::Dim& d : shape)
    if (is_whole(d)) return true;
  return false;
}

class Chunking {
 public:
  explicit Chunking(std::int64_t chunk) : chunk_(chunk) {}

  std::vector<ir::StmtPtr> body(const std::vector<ir::StmtPtr>& in) {
    std::vector<ir::StmtPtr> out;
    for (const ir::StmtPtr& s : in) {
      if (s->kind == ir::Stmt::Kind::Let && has_whole(s->expr->shape)) {
        // A whole row: not materialized, recomputed in each chunk loop that reads it; the
        // reductions it needs are computed first.
        auto let = std::make_shared<ir::Stmt>(*s);
        let->expr = hoist(s->expr, let->body);
        let->deferred = true;
        deferred_[s->name] = let->expr;
        out.push_back(let);
        continue;
      }
      const bool writes = s->kind == ir::Stmt::Kind::Store || s->kind == ir::Stmt::Kind::AtomicAdd;
      if (s->kind == ir::Stmt::Kind::Let || writes) {
        auto copy = std::make_shared<ir::Stmt>(*s);
        copy->expr = hoist(s->expr, out);
        bool whole = false;
        int dim = 0;
        for (std::size_t d = 0; d < s->indices.size(); ++d)
          if (s->indices[d].kind == ir::Index::Kind::All && !whole) {
            whole = true;
            dim = static_cast<int>(d);
          }
        if (writes && whole) {
          auto loop = std::make_shared<ir::Stmt>();
          loop->kind = ir::Stmt::Kind::ChunkLoop;
          loop->loc = s->loc;
          loop->chunk = chunk_;
          loop->whole = {ir::Dim::Kind::Full, s->name, dim, nullptr};
          loop->body = {copy};
          out.push_back(loop);
        } else {
          out.push_back(copy);
        }
        continue;
      }
      out.push_back(s);
    }
    return out;
  }

 private:
  /// e with each reduction over a whole row (innermost first, not through lets: a deferred
  /// let's are computed where it is defined) marked as computed by a ChunkReduce appended to out.
  ir::ExprPtr hoist(const ir::ExprPtr& e, std::vector<ir::StmtPtr>& out) {
    if (!e) return e;
    auto copy = std::make_shared<ir::Expr>(*e);
    bool changed = false;
    for (ir::ExprPtr& a : copy->args) {
      ir::ExprPtr h = hoist(a, out);
      changed = changed || h != a;
      a = h;
    }
    if (e->kind == ir::Expr::Kind::Reduce && e->chunked < 0 &&
        is_whole(e->args[0]->shape.at(static_cast<std::size_t>(e->ival)))) {
      copy->chunked = next_id_++;
      auto red = std::make_shared<ir::Stmt>();
      red->kind = ir::Stmt::Kind::ChunkReduce;
      red->loc = e->loc;
      red->chunk = chunk_;
      red->whole = *whole_dim(*copy->args[0]);
      red->expr = copy;
      out.push_back(red);
      return copy;
    }
    return changed ? ir::ExprPtr(copy) : e;
  }

  /// The whole dimension an expression's row runs over, found in its tree.
  std::optional<ir::Dim> whole_dim(const ir::Expr& e) const {
    for (const ir::Dim& d : e.shape)
      if (is_whole(d)) return d;
    for (const ir::ExprPtr& a : e.args)
      if (a)
        if (auto w = whole_dim(*a)) return w;
    if (e.kind == ir::Expr::Kind::Var)
      if (auto d = deferred_.find(e.name); d != deferred_.end()) return whole_dim(*d->second);
    return std::nullopt;
  }

  std::int64_t chunk_;
  int next_id_ = 0;
  std::map<std::string, ir::ExprPtr> deferred_;
};

std::vector<ir::StmtPtr> chunk_launch_body(const std::vector<ir::StmtPtr>& body, Chunking& chunking) {
  if (!body.empty() && body[0]->kind == ir::Stmt::Kind::Loop && body[0]->is_launch) {
    std::vector<ir::StmtPtr> out = body;
    auto loop = std::make_shared<ir::Stmt>(*body[0]);
    loop->body = chunk_launch_body(body[0]->body, chunking);
    out[0] = loop;
    return out;
  }
  return chunking.body(body);
}

}  // namespace

ir::Kernel chunk_reductions(const ir::Kernel& k, const PassContext& ctx) {
  const config::Config& c = ctx.config;
  if (c.reduction_loops.empty() || c.reduction_loops[0] == 0) return k;
  Chunking chunking(c.reduction_loops[0]);
  ir::Kernel out = k;
  out.body = chunk_launch_body(k.body, chunking);
  return out;
}

}  // namespace tilecc::passes
