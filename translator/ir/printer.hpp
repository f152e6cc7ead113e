// Prints tile IR as readable text (for --dump-ir, tests and diagnostics).
#pragma once

#include <string>

#include "ir.hpp"

namespace tilecc::ir {

std::string to_string(const Dim& d);
std::string to_string(const Expr& e);
std::string to_string(const Kernel& k);
std::string to_string(const Module& m);

}  // namespace tilecc::ir
