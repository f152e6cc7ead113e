// A running partial of `acc op= value` kept in registers: its let (the op's identity over the
// value's shape) and the update that combines a value's valid elements into it
// (Expr::accumulate). defer_loop_reductions keeps one across a loop's tiles,
// hoist_program_atomics across a persistent block's programs.
#pragma once

#include <string>

#include "translator/ir/ir.hpp"

namespace tilecc::passes {

struct PartialAccumulator {
  ir::StmtPtr let;  // `let name = full(identity of op; value's shape)`
  ir::ExprPtr var;  // a read of it
  /// `name = accumulate_op(name, value)`, at the statement `at`'s position.
  ir::StmtPtr update(const ir::ExprPtr& value, ir::SourceLoc at) const;
  ir::Op op = ir::Op::Add;
};

/// op: Add, Maximum or Minimum; `like` gives the dtype and shape.
PartialAccumulator partial_accumulator(const std::string& name, ir::Op op, const ir::Expr& like, ir::SourceLoc at);

}  // namespace tilecc::passes
