// Why: the printer must never meet code it cannot express; the user learns here, with the line.
#include "passes.hpp"
#include "translator/ir/visitor.hpp"

namespace tilecc::passes {

namespace {

class Checker : public ir::Visitor {
 public:
  explicit Checker(const PassContext& ctx) : ctx_(ctx) {}

 protected:
  void visit_store(const ir::Stmt& s) override {
    scatter(s, "a store");
    visit_children(s);
  }
  void visit_atomic_add(const ir::Stmt& s) override {
    scatter(s, s.op == ir::Op::Add ? "atomic_add" : s.op == ir::Op::Maximum ? "atomic_max" : "atomic_min");
    visit_children(s);
  }
  void visit_loop(const ir::Stmt& s) override {
    for (const ir::LoopDim& d : s.dims) {
      scalar(d.begin, s.loc, "a loop bound");
      scalar(d.end, s.loc, "a loop bound");
    }
    visit_children(s);
  }
  void visit_load(const ir::Expr& e) override {
    for (const ir::Index& i : e.indices)
      if (i.kind == ir::Index::Kind::Scalar) scalar(i.expr, e.loc, "a scalar index");
    visit_children(e);
  }
  void visit_dot(const ir::Expr& e) override {
    // The library's dot stages its operands through shared memory, where a transpose is free.
    for (std::size_t i = 0; i < e.args.size(); ++i)
      if (i < 2 && e.args[i]->kind == ir::Expr::Kind::Transpose)
        visit_children(*e.args[i]);
      else
        visit(e.args[i]);
  }
  void visit_transpose(const ir::Expr& e) override {
    // fold_transposes reads a loaded tile through its transposed view.
    if (e.ival != 0) return visit_children(e);  // tl::permute of rank 3 or 4: loop_leading_dims
    const ir::Expr& a = *e.args[0];
    bool gather = false;
    for (const ir::Index& i : a.indices) gather = gather || i.kind == ir::Index::Kind::Gather;
    if (a.kind != ir::Expr::Kind::Load || gather)
      fail(ctx_, e.loc, "tl::trans of a computed tile is supported only as an operand of tl::dot by the CUDA backend",
           "transpose the tile where it is loaded, tl::trans(x[tm, tn]), or multiply by it: tl::dot(a, tl::trans(b))");
    visit_children(e);
  }
  void visit_check(const ir::Stmt& s) override {
    fail(ctx_, s.loc, "TILECC_CHECK inside a tile loop", "check shapes before the tile loop");
  }

 private:
  void scalar(const ir::ExprPtr& e, ir::SourceLoc at, const char* what) {
    if (e && !e->shape.empty())
      fail(ctx_, e->loc.line ? e->loc : at, std::string("a tile is used as ") + what + ", where a scalar is needed",
           "reduce the tile to a scalar first, or index with a tile loop variable");
  }
  /// Scatters write each element at the position its index names: one gathered index per
  /// target (rows or columns), the value's tile dimension lying where the index's does.
  void scatter(const ir::Stmt& s, const char* what) {
    int gathered = 0, tiles = 0;
    for (const ir::Index& i : s.indices) {
      if (i.kind == ir::Index::Kind::Gather) ++gathered;
      if (i.kind != ir::Index::Kind::Scalar) ++tiles;
    }
    if (gathered > 1)
      fail(ctx_, s.loc, std::string(what) + " through more than one gathered index",
           "gather one dimension: out[ids, td] = v, or combine the indices into one (rows * n + cols) "
           "over a flattened view");
    if (gathered && tiles > 2)
      fail(ctx_, s.loc, std::string(what) + " through gathered indices into a tile of rank 3 or more",
           "index the leading dimensions with numbers");
  }
  const PassContext& ctx_;
};

}  // namespace

ir::Kernel check_supported(const ir::Kernel& k, const PassContext& ctx) {
  Checker(ctx).visit(k.body);
  return k;
}

}  // namespace tilecc::passes
