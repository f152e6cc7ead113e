// Prints a kernel's tile IR as CUDA C++: one __global__ function over the
// device template library, and a host launcher with the kernel's name and
// parameters that checks the host conditions, computes the grid and launches.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "translator/config/config.hpp"
#include "translator/config/specialization.hpp"
#include "translator/ir/ir.hpp"
#include "translator/passes/pass.hpp"

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
  /// Appended to the __global__ function's name ("unit_div": add_f32_kernel_unit_div).
  std::string symbol_suffix;
};

/// What a kernel's code needs of the GPU, estimated while emitting (config_space's check()).
struct KernelResources {
  int shared_bytes = 0;        // static shared memory of the library calls it makes
  int dynamic_shared_bytes = 0;  // dynamic shared memory the launcher asks for (deep dot pipelines)
  std::string shared_what;     // the largest user of it
  int fragment_registers = 0;  // 32-bit registers per thread of the largest register tile
  std::string fragment_what;   // that tile
  std::string vector_conflict; // a load/store the config asks to vectorize that cannot be ('' if none)
  std::string stages_conflict; // pipeline stages the config asks for that the dot loop cannot have
  // Per tile load / store (KernelStructure order): its fragment is one column wide, so it is
  // moved element by element whatever load_vectors / store_vectors say.
  std::vector<bool> load_rows_only, store_rows_only;
  // Per tile store: written by dot_loop_store straight from the mma registers (no store_tma).
  std::vector<bool> store_from_dot;
  int prefetchable_loads = 0;  // loads a persistent program can issue for the next one (prefetch)
};

struct KernelCode {
  std::string global_function;  // __global__ void <name>_kernel(...) { ... }
  std::string launcher;         // cudaError_t <name>(..., cudaStream_t stream) { ... }
  std::string kernel_symbol;    // the __global__ function's name
  KernelResources resources;
};

KernelCode emit_kernel(const ir::Kernel& kernel, const Config& config, const EmitOptions& options);

/// The identifier-safe suffix of a kernel instance: "tilecc::bf16" -> "bf16".
std::string instance_suffix(const ir::Kernel& kernel);

}  // namespace tilecc::codegen
