// Why: a transposed tile read from memory is the same tile read through swapped strides, which
// the printer's loads take as they are; only dot, which stages its operands through shared
// memory, transposes a fragment.
#include <memory>

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

class Fold : public ir::Mutator {
 protected:
  ir::ExprPtr mutate_dot(const ir::ExprPtr& e) override {
    std::vector<ir::ExprPtr> args;
    bool changed = false;
    for (std::size_t i = 0; i < e->args.size(); ++i) {
      const ir::ExprPtr& a = e->args[i];
      // dot's own operands stay transposes: dot stages them transposed, from coalesced loads.
      args.push_back(i < 2 && a->kind == ir::Expr::Kind::Transpose ? mutate_children(a) : mutate(a));
      changed = changed || args.back() != a;
    }
    if (!changed) return e;
    auto out = std::make_shared<ir::Expr>(*e);
    out->args = std::move(args);
    return out;
  }

  ir::ExprPtr mutate_transpose(const ir::ExprPtr& e) override {
    const ir::ExprPtr m = mutate_children(e);
    const ir::Expr& load = *m->args[0];
    if (load.kind != ir::Expr::Kind::Load) return m;  // check_supported refused the rest
    auto out = std::make_shared<ir::Expr>(load);
    out->transposed = !load.transposed;
    out->shape = m->shape;
    return out;
  }
};

}  // namespace

ir::Kernel fold_transposes(const ir::Kernel& k, const PassContext&) { return Fold().mutate(k); }

}  // namespace tilecc::passes
