// Why: a causal mask compares a tile's row indices with its column indices. As index tiles
// that is a 64-bit compare of two 64-bit values an element (four instructions); against the
// difference of the two tiles' offsets, taken once, it is one 32-bit compare an element.
// Runs last: no pass after it rewrites the offsets it records.
#include <memory>
#include <optional>

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

/// `loop.index()`, unsqueezed, plus or minus host integer scalars.
struct IndexTerm {
  std::string loop;
  std::vector<ir::IndexCompare::Term> offset;
};

std::optional<IndexTerm> index_term(const ir::Expr& e) {
  using K = ir::Expr::Kind;
  if (e.kind == K::TileIndex) return IndexTerm{e.name, {}};
  if (e.kind == K::Unsqueeze) return index_term(*e.args[0]);
  if (e.kind != K::Binary || (e.op != ir::Op::Add && e.op != ir::Op::Sub) || e.dtype != ir::DType::i64)
    return std::nullopt;
  // index + s, s + index, index - s; not s - index (that counts the indices down).
  for (std::size_t side = 0; side < (e.op == ir::Op::Add ? 2u : 1u); ++side) {
    const ir::ExprPtr& other = e.args[1 - side];
    if (!other->is_scalar() || !ir::is_integer(other->dtype)) continue;
    if (auto t = index_term(*e.args[side])) {
      t->offset.push_back({e.op == ir::Op::Sub, other});
      return t;
    }
  }
  return std::nullopt;
}

/// b OP a as a OP' b.
ir::Op mirrored(ir::Op op) {
  switch (op) {
    case ir::Op::Lt: return ir::Op::Gt;
    case ir::Op::Gt: return ir::Op::Lt;
    case ir::Op::Le: return ir::Op::Ge;
    case ir::Op::Ge: return ir::Op::Le;
    default: return op;  // Eq, Ne
  }
}

class Select : public ir::Mutator {
 protected:
  ir::ExprPtr mutate_compare(const ir::ExprPtr& e) override {
    const ir::ExprPtr m = mutate_children(e);
    using DK = ir::Dim::Kind;
    if (m->shape.size() != 2 || m->shape[0].kind != DK::Tile || m->shape[1].kind != DK::Tile) return m;
    auto rows = index_term(*m->args[0]), cols = index_term(*m->args[1]);
    if (!rows || !cols) return m;
    ir::Op op = m->op;
    if (rows->loop == m->shape[1].var && cols->loop == m->shape[0].var) {
      std::swap(rows, cols);
      op = mirrored(op);
    }
    if (rows->loop != m->shape[0].var || cols->loop != m->shape[1].var || rows->loop == cols->loop) return m;
    auto out = std::make_shared<ir::Expr>(*m);
    out->index_compare = {op, std::move(rows->offset), std::move(cols->offset)};
    return out;
  }
};

}  // namespace

ir::Kernel select_index_compares(const ir::Kernel& k, const PassContext&) { return Select().mutate(k); }

}  // namespace tilecc::passes
