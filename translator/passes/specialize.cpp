// Why: a variant specialized for its arguments folds what they guarantee (constant shapes,
// unit strides, full tiles, aligned pointers) so the printed code has fewer masks and indices.
#include <optional>

#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

/// A slot named as a host expression in a Specialization: "x.size(1)", "x.stride(0)".
struct ShapeSlot {
  std::string tensor;
  bool stride = false;
  int dim = 0;
};

std::optional<ShapeSlot> parse_slot(const std::string& text) {
  const std::size_t dot = text.find('.'), open = text.find('(');
  if (dot == std::string::npos || open == std::string::npos || text.back() != ')') return std::nullopt;
  const std::string what = text.substr(dot + 1, open - dot - 1);
  if (what != "size" && what != "stride") return std::nullopt;
  ShapeSlot s{text.substr(0, dot), what == "stride", std::stoi(text.substr(open + 1, text.size() - open - 2))};
  return s;
}

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
  for (const auto& [text, value] : sp.constants)
    if (const auto s = parse_slot(text)) (s->stride ? a.strides : a.sizes)[{s->tensor, s->dim}] = value;
  for (const std::string& text : sp.unit_strides)
    if (const auto s = parse_slot(text); s && s->stride) a.strides[{s->tensor, s->dim}] = 1;
  a.aligned_tensors.assign(sp.aligned_tensors.begin(), sp.aligned_tensors.end());
  // A stride already folded to a constant needs no alignment hint.
  for (const std::string& text : sp.div16_strides)
    if (const auto s = parse_slot(text); s && s->stride && !a.strides.count({s->tensor, s->dim}))
      a.div16_strides.push_back({s->tensor, s->dim});
  a.facts = sp.facts;
  Fold fold(a);
  fold.divisible_ = sp.divisible_loops;
  ir::Kernel out = fold.mutate(k);
  out.assumptions = std::move(a);
  return out;
}

}  // namespace tilecc::passes
