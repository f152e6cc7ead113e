// Checks that tile IR is well formed before codegen trusts it: names are
// defined before use and in scope, tensors are indexed by their rank, stores
// target mutable tensors, tile indices name enclosing tile loops, block-size
// slots exist. Serialized IR from elsewhere passes through here.
#pragma once

#include <stdexcept>
#include <string>

#include "ir.hpp"

namespace tilecc::ir {

/// Malformed IR; the message names the kernel and what is wrong.
struct VerifyError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void verify(const Kernel& kernel);
void verify(const Module& module);

}  // namespace tilecc::ir
