// The CUDA source the runtime compiles for one variant of a kernel (a config and the facts
// of a specialization key), shared by the launch path (runtime/kernel.cpp) and the ahead-of-time
// compile of shipped cubins (runtime/shipped.hpp), so both compile the same code.
#pragma once

#include <string>
#include <vector>

#include "translator/config/config.hpp"
#include "translator/config/specialization.hpp"
#include "translator/ir/ir.hpp"
#include "translator/launch/launch_plan.hpp"

namespace tilecc::runtime {

struct VariantSource {
  std::string source;           // a whole translation unit for NVRTC
  std::string global_function;  // the kernel's code in it (what shipped_key hashes)
  std::string symbol;           // the __global__ function's name
  int dynamic_shared = 0;       // bytes of dynamic shared memory the kernel asks for
  std::vector<launch::TensorMapPacking> tensor_maps;  // the kernel's tensor-map parameters
};

/// `key_text` names the specialization key in the source's header comment.
VariantSource variant_source(const ir::Kernel& kernel, const config::Config& config, const config::Specialization& spec,
                             const std::string& arch, const std::string& key_text);

}  // namespace tilecc::runtime
