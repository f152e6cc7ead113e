// Builds tile IR by hand, shapes and dtypes inferred as the frontend infers them:
// for tests of passes and the printer that should not need Clang.
//
//   ir::Builder b("softmax");
//   b.tensor("x", ir::DType::bf16, 2, /*is_const=*/true);
//   b.tensor("out", ir::DType::bf16, 2);
//   auto v = b.cast(ir::DType::f32, b.load("x", {b.tile("tm"), b.all()}));
//   auto loop = b.launch_loop({b.dim("tm", b.constant(0), b.size("x", 0))},
//                             {b.store("out", {b.tile("tm"), b.all()}, b.cast(ir::DType::bf16, v))});
//   ir::Kernel k = b.finish({}, {loop});
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir.hpp"

namespace tilecc::ir {

class Builder {
 public:
  explicit Builder(std::string kernel_name, std::string source_file = "built.tile.cpp");

  // Parameters, in order.
  void tensor(const std::string& name, DType t, int rank, bool is_const = false);
  void scalar(const std::string& name, DType t);

  // Indices of a tensor access.
  static Index tile(const std::string& var) { return {Index::Kind::Tile, var, nullptr}; }
  static Index all() { return {Index::Kind::All, "", nullptr}; }
  static Index at(ExprPtr e) { return {Index::Kind::Scalar, "", std::move(e)}; }
  static Index gather(ExprPtr rows) { return {Index::Kind::Gather, "", std::move(rows)}; }

  // Expressions.
  ExprPtr constant(std::int64_t v, DType t = DType::i64) const;
  ExprPtr constant_float(double v, DType t = DType::f32) const;
  ExprPtr param(const std::string& name) const;  // a scalar parameter
  ExprPtr var(const std::string& name) const;    // a let defined earlier (its dtype and shape)
  ExprPtr size(const std::string& tensor, int d) const;
  ExprPtr stride(const std::string& tensor, int d) const;
  ExprPtr tile_attr(const std::string& var, Op attr) const;
  ExprPtr load(const std::string& tensor, std::vector<Index> indices) const;
  ExprPtr tile_index(const std::string& var) const;  // var.index(), rank 1
  ExprPtr unsqueeze(ExprPtr a, int dim) const;       // a size-1 dimension inserted at dim
  ExprPtr unary(Op op, ExprPtr a) const;
  ExprPtr binary(Op op, ExprPtr a, ExprPtr b) const;  // Binary or Compare, by op
  ExprPtr select(ExprPtr cond, ExprPtr a, ExprPtr b) const;
  ExprPtr cast(DType t, ExprPtr a) const;
  ExprPtr reduce(Op op, ExprPtr a, int dim, bool keepdim = false) const;
  ExprPtr dot(ExprPtr a, ExprPtr b, ExprPtr acc = nullptr) const;
  ExprPtr full(ExprPtr value, std::vector<Dim> shape, DType t) const;
  ExprPtr zeros(std::vector<Dim> shape, DType t = DType::f32) const;

  // Dimensions of shapes.
  static Dim tile_dim(const std::string& var) { return {Dim::Kind::Tile, var, 0, nullptr}; }

  // Statements (a let records its name's dtype and shape for var()).
  StmtPtr let(const std::string& name, ExprPtr e);
  StmtPtr assign(const std::string& name, ExprPtr e) const;
  StmtPtr store(const std::string& tensor, std::vector<Index> indices, ExprPtr e) const;
  StmtPtr atomic_add(const std::string& tensor, std::vector<Index> indices, ExprPtr e) const;
  StmtPtr check(ExprPtr condition, const std::string& text) const;
  /// A loop dimension; block: a new tunable slot (default), or BlockSpec{Fixed, 0, n}.
  LoopDim dim(const std::string& var, ExprPtr begin, ExprPtr end);
  LoopDim dim(const std::string& var, ExprPtr begin, ExprPtr end, BlockSpec block) const;
  StmtPtr launch_loop(std::vector<LoopDim> dims, std::vector<StmtPtr> body) const;
  StmtPtr loop(std::vector<LoopDim> dims, std::vector<StmtPtr> body) const;
  StmtPtr grid_loop(std::vector<LoopDim> dims, std::vector<StmtPtr> body, bool launch) const;

  /// The kernel: the parameters and slots so far, this prologue and body.
  Kernel finish(std::vector<StmtPtr> host, std::vector<StmtPtr> body) const;

 private:
  const Param& find_param(const std::string& name) const;
  static std::vector<Dim> broadcast(const std::vector<Dim>& a, const std::vector<Dim>& b);

  Kernel kernel_;
  std::map<std::string, ExprPtr> lets_;  // name -> a Var of its dtype and shape
};

}  // namespace tilecc::ir
