#include "builder.hpp"

#include <stdexcept>

namespace tilecc::ir {

namespace {

std::shared_ptr<Expr> node(Expr::Kind kind, DType t, std::vector<Dim> shape = {}) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->dtype = t;
  e->shape = std::move(shape);
  return e;
}

std::shared_ptr<Stmt> stmt(Stmt::Kind kind) {
  auto s = std::make_shared<Stmt>();
  s->kind = kind;
  return s;
}

}  // namespace

Builder::Builder(std::string kernel_name, std::string source_file) {
  kernel_.name = std::move(kernel_name);
  kernel_.source_file = std::move(source_file);
}

void Builder::tensor(const std::string& name, DType t, int rank, bool is_const) {
  kernel_.params.push_back({name, true, t, rank, is_const, ""});
}

void Builder::scalar(const std::string& name, DType t) { kernel_.params.push_back({name, false, t, 0, false, ""}); }

const Param& Builder::find_param(const std::string& name) const {
  for (const Param& p : kernel_.params)
    if (p.name == name) return p;
  throw std::invalid_argument("ir::Builder: no parameter '" + name + "'");
}

std::vector<Dim> Builder::broadcast(const std::vector<Dim>& a, const std::vector<Dim>& b) {
  std::vector<Dim> out = a.size() >= b.size() ? a : b;
  const std::vector<Dim>& shorter = a.size() >= b.size() ? b : a;
  const std::size_t offset = out.size() - shorter.size();
  for (std::size_t i = 0; i < shorter.size(); ++i)
    if (out[offset + i].kind == Dim::Kind::One) out[offset + i] = shorter[i];
  return out;
}

ExprPtr Builder::constant(std::int64_t v, DType t) const { return make_const_int(v, t); }
ExprPtr Builder::constant_float(double v, DType t) const { return make_const_float(v, t); }

ExprPtr Builder::param(const std::string& name) const {
  auto e = node(Expr::Kind::Param, find_param(name).dtype);
  e->name = name;
  return e;
}

ExprPtr Builder::var(const std::string& name) const {
  const auto it = lets_.find(name);
  if (it == lets_.end()) throw std::invalid_argument("ir::Builder: no let '" + name + "'");
  return it->second;
}

ExprPtr Builder::size(const std::string& tensor, int d) const {
  auto e = node(Expr::Kind::TensorSize, DType::i64);
  e->name = tensor;
  e->ival = d;
  return e;
}

ExprPtr Builder::stride(const std::string& tensor, int d) const {
  auto e = node(Expr::Kind::TensorStride, DType::i64);
  e->name = tensor;
  e->ival = d;
  return e;
}

ExprPtr Builder::tile_attr(const std::string& var, Op attr) const {
  auto e = node(Expr::Kind::TileAttr, DType::i64);
  e->name = var;
  e->op = attr;
  return e;
}

ExprPtr Builder::load(const std::string& tensor, std::vector<Index> indices) const {
  std::vector<Dim> shape;
  for (std::size_t d = 0; d < indices.size(); ++d) {
    const Index& i = indices[d];
    if (i.kind == Index::Kind::Tile) shape.push_back(tile_dim(i.var));
    if (i.kind == Index::Kind::All) shape.push_back({Dim::Kind::Full, tensor, static_cast<int>(d), nullptr});
    if (i.kind == Index::Kind::Gather) shape.insert(shape.end(), i.expr->shape.begin(), i.expr->shape.end());
  }
  auto e = node(Expr::Kind::Load, find_param(tensor).dtype, std::move(shape));
  e->name = tensor;
  e->indices = std::move(indices);
  return e;
}

ExprPtr Builder::tile_index(const std::string& var) const {
  auto e = node(Expr::Kind::TileIndex, DType::i64, {tile_dim(var)});
  e->name = var;
  return e;
}

ExprPtr Builder::unsqueeze(ExprPtr a, int dim) const {
  std::vector<Dim> shape = a->shape;
  shape.insert(shape.begin() + dim, Dim{});
  auto e = node(Expr::Kind::Unsqueeze, a->dtype, std::move(shape));
  e->ival = dim;
  e->args = {std::move(a)};
  return e;
}

ExprPtr Builder::unary(Op op, ExprPtr a) const {
  auto e = node(Expr::Kind::Unary, op == Op::Not ? DType::b1 : a->dtype, a->shape);
  e->op = op;
  e->args = {std::move(a)};
  return e;
}

ExprPtr Builder::binary(Op op, ExprPtr a, ExprPtr b) const {
  const Expr::Kind kind = op_kind(op);
  if (kind != Expr::Kind::Binary && kind != Expr::Kind::Compare)
    throw std::invalid_argument(std::string("ir::Builder: '") + name(op) + "' is not a binary operation");
  const bool logical = op == Op::And || op == Op::Or;
  const bool random = op == Op::Rand || op == Op::Randn;
  const DType t = kind == Expr::Kind::Compare || logical ? DType::b1
                  : random                               ? DType::f32
                                                         : promote(a->dtype, b->dtype);
  auto e = node(kind, t, broadcast(a->shape, b->shape));
  e->op = op;
  e->args = {std::move(a), std::move(b)};
  return e;
}

ExprPtr Builder::select(ExprPtr cond, ExprPtr a, ExprPtr b) const {
  auto e = node(Expr::Kind::Select, promote(a->dtype, b->dtype), broadcast(cond->shape, broadcast(a->shape, b->shape)));
  e->args = {std::move(cond), std::move(a), std::move(b)};
  return e;
}

ExprPtr Builder::cast(DType t, ExprPtr a) const {
  auto e = node(Expr::Kind::Cast, t, a->shape);
  e->args = {std::move(a)};
  return e;
}

ExprPtr Builder::reduce(Op op, ExprPtr a, int dim, bool keepdim) const {
  if (op_kind(op) != Expr::Kind::Reduce)
    throw std::invalid_argument(std::string("ir::Builder: '") + name(op) + "' is not a reduction");
  std::vector<Dim> shape = a->shape;
  if (keepdim)
    shape.at(static_cast<std::size_t>(dim)) = Dim{};
  else if (!is_scan(op))
    shape.erase(shape.begin() + dim);
  const DType t = op == Op::Argmax || op == Op::Argmin ? DType::i64 : a->dtype;
  auto e = node(Expr::Kind::Reduce, t, std::move(shape));
  e->op = op;
  e->ival = dim;
  e->keepdim = keepdim;
  e->args = {std::move(a)};
  return e;
}

ExprPtr Builder::dot(ExprPtr a, ExprPtr b, ExprPtr acc) const {
  const DType t = acc ? acc->dtype : is_floating(a->dtype) ? DType::f32 : DType::i32;
  auto e = node(Expr::Kind::Dot, t, {a->shape.at(0), b->shape.at(1)});
  e->args = {std::move(a), std::move(b)};
  if (acc) e->args.push_back(std::move(acc));
  return e;
}

ExprPtr Builder::full(ExprPtr value, std::vector<Dim> shape, DType t) const {
  auto e = node(Expr::Kind::Full, t, std::move(shape));
  e->args = {std::move(value)};
  return e;
}

ExprPtr Builder::zeros(std::vector<Dim> shape, DType t) const {
  return full(is_floating(t) ? constant_float(0, t) : constant(0, t), std::move(shape), t);
}

StmtPtr Builder::let(const std::string& name, ExprPtr e) {
  lets_[name] = make_var(name, e->dtype, e->shape);
  auto s = stmt(Stmt::Kind::Let);
  s->name = name;
  s->expr = std::move(e);
  return s;
}

StmtPtr Builder::assign(const std::string& name, ExprPtr e) const {
  auto s = stmt(Stmt::Kind::Assign);
  s->name = name;
  s->expr = std::move(e);
  return s;
}

StmtPtr Builder::store(const std::string& tensor, std::vector<Index> indices, ExprPtr e) const {
  auto s = stmt(Stmt::Kind::Store);
  s->name = tensor;
  s->indices = std::move(indices);
  s->expr = std::move(e);
  return s;
}

StmtPtr Builder::atomic_add(const std::string& tensor, std::vector<Index> indices, ExprPtr e) const {
  auto s = stmt(Stmt::Kind::AtomicAdd);
  s->name = tensor;
  s->indices = std::move(indices);
  s->expr = std::move(e);
  return s;
}

StmtPtr Builder::check(ExprPtr condition, const std::string& text) const {
  auto s = stmt(Stmt::Kind::Check);
  s->expr = std::move(condition);
  s->text = text;
  return s;
}

LoopDim Builder::dim(const std::string& var, ExprPtr begin, ExprPtr end) {
  const int slot = static_cast<int>(kernel_.block_slots.size());
  kernel_.block_slots.push_back({"block_size_" + var, 1, 1024});
  return {var, std::move(begin), std::move(end), {BlockSpec::Kind::Tunable, slot, 1}};
}

LoopDim Builder::dim(const std::string& var, ExprPtr begin, ExprPtr end, BlockSpec block) const {
  return {var, std::move(begin), std::move(end), block};
}

StmtPtr Builder::launch_loop(std::vector<LoopDim> dims, std::vector<StmtPtr> body) const {
  auto s = stmt(Stmt::Kind::Loop);
  s->is_launch = true;
  s->dims = std::move(dims);
  s->body = std::move(body);
  return s;
}

StmtPtr Builder::loop(std::vector<LoopDim> dims, std::vector<StmtPtr> body) const {
  auto s = stmt(Stmt::Kind::Loop);
  s->dims = std::move(dims);
  s->body = std::move(body);
  return s;
}

StmtPtr Builder::grid_loop(std::vector<LoopDim> dims, std::vector<StmtPtr> body, bool launch) const {
  auto s = stmt(Stmt::Kind::Loop);
  s->is_grid = true;
  s->is_launch = launch;
  for (LoopDim& d : dims) d.block = {BlockSpec::Kind::One, 0, 1};
  s->dims = std::move(dims);
  s->body = std::move(body);
  return s;
}

Kernel Builder::finish(std::vector<StmtPtr> host, std::vector<StmtPtr> body) const {
  Kernel k = kernel_;
  k.host = std::move(host);
  k.body = std::move(body);
  return k;
}

}  // namespace tilecc::ir
