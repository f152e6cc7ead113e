// Walking and rewriting tile IR, in the style of Halide's IRVisitor / IRMutator:
// a pass overrides only the node kinds it cares about; every other node is
// walked (Visitor) or rebuilt from its rewritten children (Mutator).
//
//   struct CountLoads : ir::Visitor {
//     int loads = 0;
//     void visit_load(const ir::Expr& e) override { ++loads; visit_children(e); }
//   };
//
// Children of an expression: its operands (args), the index expressions of a
// load, and the run-time extents of its shape. Children of a statement: its
// expression, its index expressions, a loop's bounds and its body.
#pragma once

#include <vector>

#include "ir.hpp"

namespace tilecc::ir {

class Visitor {
 public:
  virtual ~Visitor() = default;

  /// Dispatches on e->kind (null: nothing).
  void visit(const ExprPtr& e);
  void visit(const StmtPtr& s);
  void visit(const std::vector<StmtPtr>& body);
  /// The kernel's host prologue, then its body.
  void visit(const Kernel& k);

  void visit_children(const Expr& e);
  void visit_children(const Stmt& s);

 protected:
  // Expressions. Each default visits the children.
  virtual void visit_const(const Expr& e) { visit_children(e); }
  virtual void visit_param(const Expr& e) { visit_children(e); }
  virtual void visit_var(const Expr& e) { visit_children(e); }
  virtual void visit_tensor_size(const Expr& e) { visit_children(e); }
  virtual void visit_tensor_stride(const Expr& e) { visit_children(e); }
  virtual void visit_tile_attr(const Expr& e) { visit_children(e); }
  virtual void visit_tile_index(const Expr& e) { visit_children(e); }
  virtual void visit_unary(const Expr& e) { visit_children(e); }
  virtual void visit_binary(const Expr& e) { visit_children(e); }
  virtual void visit_compare(const Expr& e) { visit_children(e); }
  virtual void visit_select(const Expr& e) { visit_children(e); }
  virtual void visit_cast(const Expr& e) { visit_children(e); }
  virtual void visit_load(const Expr& e) { visit_children(e); }
  virtual void visit_full(const Expr& e) { visit_children(e); }
  virtual void visit_arange(const Expr& e) { visit_children(e); }
  virtual void visit_reduce(const Expr& e) { visit_children(e); }
  virtual void visit_dot(const Expr& e) { visit_children(e); }
  virtual void visit_unsqueeze(const Expr& e) { visit_children(e); }
  virtual void visit_transpose(const Expr& e) { visit_children(e); }

  // Statements. Each default visits the children.
  virtual void visit_let(const Stmt& s) { visit_children(s); }
  virtual void visit_assign(const Stmt& s) { visit_children(s); }
  virtual void visit_store(const Stmt& s) { visit_children(s); }
  virtual void visit_atomic_add(const Stmt& s) { visit_children(s); }
  virtual void visit_check(const Stmt& s) { visit_children(s); }
  virtual void visit_loop(const Stmt& s) { visit_children(s); }
  virtual void visit_dot_loop_store(const Stmt& s) { visit_children(s); }
  virtual void visit_chunk_reduce(const Stmt& s) { visit_children(s); }
  virtual void visit_chunk_loop(const Stmt& s) { visit_children(s); }
};

class Mutator {
 public:
  virtual ~Mutator() = default;

  /// Dispatches on e->kind; returns e itself when nothing below it changed.
  ExprPtr mutate(const ExprPtr& e);
  /// Dispatches on s->kind; nullptr removes the statement from its block.
  StmtPtr mutate(const StmtPtr& s);
  /// Each statement in order (removed ones dropped).
  virtual std::vector<StmtPtr> mutate(const std::vector<StmtPtr>& body);
  /// The kernel with its host prologue and body rewritten.
  Kernel mutate(const Kernel& k);

  /// e rebuilt from its rewritten children (e itself when none changed).
  ExprPtr mutate_children(const ExprPtr& e);
  StmtPtr mutate_children(const StmtPtr& s);

 protected:
  virtual ExprPtr mutate_const(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_param(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_var(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_tensor_size(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_tensor_stride(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_tile_attr(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_tile_index(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_unary(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_binary(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_compare(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_select(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_cast(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_load(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_full(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_arange(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_reduce(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_dot(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_unsqueeze(const ExprPtr& e) { return mutate_children(e); }
  virtual ExprPtr mutate_transpose(const ExprPtr& e) { return mutate_children(e); }

  virtual StmtPtr mutate_let(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_assign(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_store(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_atomic_add(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_check(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_loop(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_dot_loop_store(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_chunk_reduce(const StmtPtr& s) { return mutate_children(s); }
  virtual StmtPtr mutate_chunk_loop(const StmtPtr& s) { return mutate_children(s); }
};

}  // namespace tilecc::ir
