#include "partial_accumulator.hpp"

#include <limits>

namespace tilecc::passes {

PartialAccumulator partial_accumulator(const std::string& name, ir::Op op, const ir::Expr& like, ir::SourceLoc at) {
  auto init = std::make_shared<ir::Expr>();
  init->kind = ir::Expr::Kind::Const;
  init->dtype = like.dtype;
  init->fval = op == ir::Op::Add       ? 0.0
               : op == ir::Op::Maximum ? -std::numeric_limits<double>::infinity()
                                       : std::numeric_limits<double>::infinity();
  init->loc = at;
  auto full = std::make_shared<ir::Expr>();
  full->kind = ir::Expr::Kind::Full;
  full->dtype = like.dtype;
  full->shape = like.shape;
  full->args = {init};
  full->loc = at;
  auto let = std::make_shared<ir::Stmt>();
  let->kind = ir::Stmt::Kind::Let;
  let->name = name;
  let->expr = full;
  let->loc = at;
  auto var = std::make_shared<ir::Expr>();
  var->kind = ir::Expr::Kind::Var;
  var->name = name;
  var->dtype = like.dtype;
  var->shape = like.shape;
  var->loc = at;
  return {let, var, op};
}

ir::StmtPtr PartialAccumulator::update(const ir::ExprPtr& value, ir::SourceLoc at) const {
  auto combine = std::make_shared<ir::Expr>();
  combine->kind = ir::Expr::Kind::Binary;
  combine->op = op;
  combine->dtype = var->dtype;
  combine->shape = var->shape;
  combine->args = {var, value};
  combine->accumulate = true;
  combine->loc = value->loc;
  auto step = std::make_shared<ir::Stmt>();
  step->kind = ir::Stmt::Kind::Assign;
  step->name = let->name;
  step->expr = combine;
  step->loc = at;
  return step;
}

}  // namespace tilecc::passes
