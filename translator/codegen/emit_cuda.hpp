// Prints a kernel's tile IR as CUDA C++: one __global__ function over the
// device template library, and a host launcher with the kernel's name and
// parameters that checks the host conditions, computes the grid and launches.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "config.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::codegen {

/// The kernel uses something codegen cannot express yet; the message says
/// what, where (source line) and what to write instead.
struct CodegenError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct EmitOptions {
  std::vector<std::string> source_lines;  // the kernel's source, for line comments (optional)
  std::string arch = "sm_90a";
};

struct KernelCode {
  std::string global_function;  // __global__ void <name>_kernel(...) { ... }
  std::string launcher;         // cudaError_t <name>(..., cudaStream_t stream) { ... }
  std::string kernel_symbol;    // the __global__ function's name
};

KernelCode emit_kernel(const ir::Kernel& kernel, const Config& config, const EmitOptions& options);

/// The identifier-safe suffix of a kernel instance: "tilecc::bf16" -> "bf16".
std::string instance_suffix(const ir::Kernel& kernel);

}  // namespace tilecc::codegen
