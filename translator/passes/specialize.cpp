// Why: a variant specialized for its arguments folds what they guarantee (constant shapes,
// unit strides, full tiles, aligned pointers) so the printed code has fewer masks and indices.

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

class Fold : public ir::Mutator {
 public:
  explicit Fold(const ir::Assumptions& a) : a_(a) {}

 protected:
  ir::ExprPtr mutate_tensor_size(const ir::ExprPtr& e) override { return fold(e, a_.sizes); }
  ir::ExprPtr mutate_tensor_stride(const ir::ExprPtr& e) override { return fold(e, a_.strides); }
  ir::StmtPtr mutate_loop(const ir::StmtPtr& s) override {
    auto out = std::make_shared<ir::Stmt>(*mutate_children(s));
    for (ir::LoopDim& d : out->dims) d.divisible = divisible_.count(d.var) > 0;
    return out;
  }

 public:
  std::set<std::string> divisible_;

 private:
  static ir::ExprPtr fold(const ir::ExprPtr& e, const std::map<std::pair<std::string, int>, std::int64_t>& known) {
    const auto it = known.find({e->name, static_cast<int>(e->ival)});
    return it == known.end() ? e : ir::make_const_int(it->second, ir::DType::i64, e->loc);
  }
  const ir::Assumptions& a_;
};

}  // namespace

ir::Kernel specialize(const ir::Kernel& k, const PassContext& ctx) {
  const config::Specialization& sp = ctx.specialization;
  if (sp.empty() && sp.facts.empty()) return k;
  ir::Assumptions a;
  for (const auto& [s, value] : sp.constants) (s.stride ? a.strides : a.sizes)[{s.tensor, s.dim}] = value;
  for (const config::ShapeSlot& s : sp.unit_strides) a.strides[{s.tensor, s.dim}] = 1;
  a.aligned_tensors.assign(sp.aligned_tensors.begin(), sp.aligned_tensors.end());
  // A stride already folded to a constant needs no alignment hint.
  for (const config::ShapeSlot& s : sp.div16_strides)
    if (!a.strides.count({s.tensor, s.dim})) a.div16_strides.push_back({s.tensor, s.dim});
  a.facts = sp.facts;
  Fold fold(a);
  fold.divisible_ = sp.divisible_loops;
  ir::Kernel out = fold.mutate(k);
  out.assumptions = std::move(a);
  return out;
}

}  // namespace tilecc::passes
