// Prints PyTorch bindings for a translated file (`tilecc translate --emit=torch`): each kernel
// becomes the op torch.ops.tilecc.<name> (its template instances behind one op, chosen by the
// tensors' dtypes), which checks its arguments and calls the kernel's launcher on the current
// CUDA stream. Appended to the translated CUDA, the file is a PyTorch C++ extension.
#pragma once

#include <string>

#include "translator/ir/ir.hpp"

namespace tilecc::codegen {

/// The bindings of every kernel of the module, in the order their names first appear: the
/// includes, one function per op, the op schemas and their registration. Throws CodegenError
/// (located at the kernel) when an op cannot take a kernel's parameters: a scalar type that no
/// schema type converts to, instances whose parameter lists differ or take the same dtypes,
/// a kernel without tensor parameters.
std::string emit_torch_bindings(const ir::Module& module);

}  // namespace tilecc::codegen
