// Lowers one kernel function (a non-template or one template instantiation)
// from Clang's AST to tile IR.
#pragma once

#include <clang/AST/Decl.h>

#include <optional>
#include <string>

#include "diagnostics.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::frontend {

/// Returns the kernel, or nullopt after reporting an error through `diags`.
std::optional<ir::Kernel> lower_kernel(clang::ASTContext& ctx, Diagnostics& diags, const clang::FunctionDecl& fn,
                                       const std::string& source_file);

}  // namespace tilecc::frontend
