// How generated code names and spells what several printers share: the __global__ functions'
// symbols (the CUDA printer defines them, launchers, dispatch tables and the runtime call them)
// and the launcher's parameter types (the CUDA launcher declares them, the PyTorch bindings
// build views of those types).
#pragma once

#include <string>

#include "translator/ir/ir.hpp"

namespace tilecc::codegen {

/// The identifier-safe suffix of a kernel instance: "tilecc::bf16" -> "bf16".
std::string instance_suffix(const ir::Kernel& kernel);

/// The __global__ function's name of `kernel` emitted with EmitOptions::symbol_suffix `suffix`.
std::string kernel_symbol(const ir::Kernel& kernel, const std::string& suffix);

/// A variant's symbol suffix under a config's own: ("cfg0", "looped") -> "cfg0_looped",
/// ("", "looped") -> "looped".
std::string joined_suffix(const std::string& outer, const std::string& inner);

/// The symbol suffix of the looped variant (whole extents beyond full_extent).
inline constexpr const char* kLoopedSuffix = "looped";

/// A launcher parameter's type, for tensors and for scalars the source spelled
/// (`tilecc::Tensor<const float, 2>`, `long`): the source's spelling where the IR has it, else
/// the language type built from the dtype (IR written by hand: `auto` would make a launcher
/// specialization ill-formed).
std::string launcher_param_type(const ir::Param& p);

}  // namespace tilecc::codegen
