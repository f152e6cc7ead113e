#include "visitor.hpp"

namespace tilecc::ir {

void Visitor::visit(const ExprPtr& e) {
  if (!e) return;
  using K = Expr::Kind;
  switch (e->kind) {
    case K::Const: return visit_const(*e);
    case K::Param: return visit_param(*e);
    case K::Var: return visit_var(*e);
    case K::TensorSize: return visit_tensor_size(*e);
    case K::TensorStride: return visit_tensor_stride(*e);
    case K::TileAttr: return visit_tile_attr(*e);
    case K::TileIndex: return visit_tile_index(*e);
    case K::Unary: return visit_unary(*e);
    case K::Binary: return visit_binary(*e);
    case K::Compare: return visit_compare(*e);
    case K::Select: return visit_select(*e);
    case K::Cast: return visit_cast(*e);
    case K::Load: return visit_load(*e);
    case K::Full: return visit_full(*e);
    case K::Arange: return visit_arange(*e);
    case K::Reduce: return visit_reduce(*e);
    case K::Dot: return visit_dot(*e);
    case K::Unsqueeze: return visit_unsqueeze(*e);
    case K::Transpose: return visit_transpose(*e);
  }
}

void Visitor::visit(const StmtPtr& s) {
  if (!s) return;
  using K = Stmt::Kind;
  switch (s->kind) {
    case K::Let: return visit_let(*s);
    case K::Assign: return visit_assign(*s);
    case K::Store: return visit_store(*s);
    case K::AtomicAdd: return visit_atomic_add(*s);
    case K::Check: return visit_check(*s);
    case K::Loop: return visit_loop(*s);
    case K::DotLoopStore: return visit_dot_loop_store(*s);
    case K::ChunkReduce: return visit_chunk_reduce(*s);
    case K::ChunkLoop: return visit_chunk_loop(*s);
  }
}

void Visitor::visit(const std::vector<StmtPtr>& body) {
  for (const StmtPtr& s : body) visit(s);
}

void Visitor::visit(const Kernel& k) {
  visit(k.host);
  visit(k.body);
}

void Visitor::visit_children(const Expr& e) {
  for (const ExprPtr& a : e.args) visit(a);
  for (const Index& i : e.indices) visit(i.expr);
  for (const Dim& d : e.shape) visit(d.extent);
}

void Visitor::visit_children(const Stmt& s) {
  visit(s.expr);
  for (const Index& i : s.indices) visit(i.expr);
  for (const LoopDim& d : s.dims) {
    visit(d.begin);
    visit(d.end);
  }
  visit(s.body);
}

ExprPtr Mutator::mutate(const ExprPtr& e) {
  if (!e) return e;
  using K = Expr::Kind;
  switch (e->kind) {
    case K::Const: return mutate_const(e);
    case K::Param: return mutate_param(e);
    case K::Var: return mutate_var(e);
    case K::TensorSize: return mutate_tensor_size(e);
    case K::TensorStride: return mutate_tensor_stride(e);
    case K::TileAttr: return mutate_tile_attr(e);
    case K::TileIndex: return mutate_tile_index(e);
    case K::Unary: return mutate_unary(e);
    case K::Binary: return mutate_binary(e);
    case K::Compare: return mutate_compare(e);
    case K::Select: return mutate_select(e);
    case K::Cast: return mutate_cast(e);
    case K::Load: return mutate_load(e);
    case K::Full: return mutate_full(e);
    case K::Arange: return mutate_arange(e);
    case K::Reduce: return mutate_reduce(e);
    case K::Dot: return mutate_dot(e);
    case K::Unsqueeze: return mutate_unsqueeze(e);
    case K::Transpose: return mutate_transpose(e);
  }
  return e;
}

StmtPtr Mutator::mutate(const StmtPtr& s) {
  if (!s) return s;
  using K = Stmt::Kind;
  switch (s->kind) {
    case K::Let: return mutate_let(s);
    case K::Assign: return mutate_assign(s);
    case K::Store: return mutate_store(s);
    case K::AtomicAdd: return mutate_atomic_add(s);
    case K::Check: return mutate_check(s);
    case K::Loop: return mutate_loop(s);
    case K::DotLoopStore: return mutate_dot_loop_store(s);
    case K::ChunkReduce: return mutate_chunk_reduce(s);
    case K::ChunkLoop: return mutate_chunk_loop(s);
  }
  return s;
}

std::vector<StmtPtr> Mutator::mutate(const std::vector<StmtPtr>& body) {
  std::vector<StmtPtr> out;
  out.reserve(body.size());
  for (const StmtPtr& s : body)
    if (StmtPtr m = mutate(s)) out.push_back(std::move(m));
  return out;
}

Kernel Mutator::mutate(const Kernel& k) {
  Kernel out = k;
  out.host = mutate(k.host);
  out.body = mutate(k.body);
  return out;
}

namespace {

std::vector<Index> mutate_indices(Mutator& m, const std::vector<Index>& in, bool& changed) {
  std::vector<Index> out = in;
  for (Index& i : out) {
    ExprPtr x = m.mutate(i.expr);
    changed = changed || x != i.expr;
    i.expr = std::move(x);
  }
  return out;
}

}  // namespace

ExprPtr Mutator::mutate_children(const ExprPtr& e) {
  bool changed = false;
  std::vector<ExprPtr> args;
  args.reserve(e->args.size());
  for (const ExprPtr& a : e->args) {
    args.push_back(mutate(a));
    changed = changed || args.back() != a;
  }
  std::vector<Index> indices = mutate_indices(*this, e->indices, changed);
  std::vector<Dim> shape = e->shape;
  for (Dim& d : shape) {
    ExprPtr x = mutate(d.extent);
    changed = changed || x != d.extent;
    d.extent = std::move(x);
  }
  if (!changed) return e;
  auto out = std::make_shared<Expr>(*e);
  out->args = std::move(args);
  out->indices = std::move(indices);
  out->shape = std::move(shape);
  return out;
}

StmtPtr Mutator::mutate_children(const StmtPtr& s) {
  bool changed = false;
  ExprPtr expr = mutate(s->expr);
  changed = expr != s->expr;
  std::vector<Index> indices = mutate_indices(*this, s->indices, changed);
  std::vector<LoopDim> dims = s->dims;
  for (LoopDim& d : dims) {
    ExprPtr b = mutate(d.begin), e = mutate(d.end);
    changed = changed || b != d.begin || e != d.end;
    d.begin = std::move(b);
    d.end = std::move(e);
  }
  std::vector<StmtPtr> body = mutate(s->body);
  changed = changed || body != s->body;
  if (!changed) return s;
  auto out = std::make_shared<Stmt>(*s);
  out->expr = std::move(expr);
  out->indices = std::move(indices);
  out->dims = std::move(dims);
  out->body = std::move(body);
  return out;
}

}  // namespace tilecc::ir
