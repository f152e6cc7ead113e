// Prints a kernel's tile IR as CUDA C++: one __global__ function over the
// device template library, and a host launcher with the kernel's name and
// parameters that checks the host conditions, computes the grid and launches.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "translator/config/config.hpp"
#include "translator/config/specialization.hpp"
#include "translator/codegen/names.hpp"
#include "translator/ir/ir.hpp"
#include "translator/launch/launch_plan.hpp"
#include "translator/passes/pass.hpp"
#include "translator/passes/resources.hpp"

namespace tilecc::codegen {

using config::Config;
using config::ConfigError;
using config::DispatchVariant;
using config::Specialization;

/// The kernel uses something codegen cannot express yet; the message says
/// what, where (source line) and what to write instead.
using CodegenError = passes::LoweringError;

struct EmitOptions {
  std::vector<std::string> source_lines;  // the kernel's source, for line comments (optional)
  std::string arch = "sm_90a";
  /// Facts about the arguments the kernel may assume (specialization.hpp); empty: generic.
  Specialization specialization;
  /// Specialized kernels (emitted separately) the launcher calls, in order, when their facts hold.
  std::vector<DispatchVariant> dispatch;
  /// Bytes of dynamic shared memory the looped variant asks for, where the launch plan runs
  /// one (launch::BeyondGuards::RunLooped; the caller emits it separately, with
  /// symbol_suffix kLoopedSuffix).
  int looped_dynamic_shared = 0;
  /// Whole extents beyond full_extent are refused even where a looped variant could run them:
  /// the caller never launches them here (a shape dispatch row that holds its rows whole).
  bool refuse_beyond_full_extent = false;
  /// Appended to the __global__ function's name ("unit_div": add_f32_kernel_unit_div).
  std::string symbol_suffix;
  /// The launcher as a file-local function of this name (one config of a shape dispatch,
  /// emit_dispatch.hpp); empty: the launcher is the kernel's public function.
  std::string launcher_name;
  /// --line-directives: the source file `#line` directives name (empty: no directives). The
  /// output then holds markers that resolve_line_directives (line_directives.hpp) replaces.
  std::string line_file;
};

/// What a kernel's code needs of the GPU (the resource analysis of the lowered kernel).
using KernelResources = passes::Resources;

struct KernelCode {
  std::string global_function;  // __global__ void <name>_kernel(...) { ... }
  std::string launcher;         // cudaError_t <name>(..., cudaStream_t stream) { ... }
  std::string kernel_symbol;    // the __global__ function's name
  std::string launcher_params;  // the launcher's parameters before the stream: "tilecc::Tensor<...> x, ..."
  KernelResources resources;
  std::vector<launch::TensorMapPacking> tensor_maps;  // passed after the parameters (dot_operand_load tma)
};

KernelCode emit_kernel(const ir::Kernel& kernel, const Config& config, const EmitOptions& options);

}  // namespace tilecc::codegen
