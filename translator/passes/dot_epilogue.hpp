// Which stores of a dot k-loop's products may run as the k-loop's fused epilogue: the value
// stored at each output element computed from that element's product alone, where the products
// leave the tensor cores' registers (match_dot_loops' dot_loop_store; the printer spells it as
// a function of one product and its place).
#pragma once

#include <string>

#include "translator/ir/ir.hpp"

namespace tilecc::passes {

/// Whether `value` (stored to an [.., row, col] tile) is an elementwise function of the
/// accumulator `acc` that reads nothing but acc, scalars and elements of tensors at the same
/// place (x[row], x[col], x[row, col], with scalar indices beside them): bias, scales, residuals,
/// activations, casts. It must read acc.
bool fusable_dot_epilogue(const ir::Expr& value, const std::string& acc, const std::string& row,
                          const std::string& col);

/// `acc` or `cast(acc)`: the products stored as they are.
bool plain_dot_epilogue(const ir::Expr& value, const std::string& acc);

}  // namespace tilecc::passes
