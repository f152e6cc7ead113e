// Several architectures in one generated file (`translate --arch sm_80,sm_90a`): each arch's
// kernels and launchers under symbols of their own, device bodies compiled only in the nvcc
// device passes that run them, and a public launcher that picks the arch at run time.
//
// nvcc compiles a .cu once for the host and once per -gencode target. Each device pass
// compiles the kernel bodies of exactly one of the file's arches, the best one its target can
// run (sm_90a's wgmma and bulk copies need __CUDA_ARCH_FEAT_SM90_ALL; sm_80's bodies are left
// out where sm_90a's compile), and records which in a __device__ variable. The public
// launcher reads the device's compute capability and that variable once per device, so it
// launches only kernels whose bodies the loaded device code holds; without code for the
// device it returns cudaErrorNoKernelImageForDevice.
#pragma once

#include <string>
#include <vector>

#include "translator/ir/ir.hpp"

namespace tilecc::codegen {

/// The arches of a translation, most preferred first: higher compute capability first, an
/// arch-specific target ("sm_90a") before the plain one of its generation. Throws
/// std::invalid_argument for an empty list, a repeated arch or an unknown one.
std::vector<std::string> ordered_arches(const std::vector<std::string>& arches);

/// The symbol tag of an arch: "sm_90a" -> "sm90a".
std::string arch_tag(const std::string& arch);

/// The preprocessor condition under which a device pass compiles the bodies of arch `index`
/// of `arches` (ordered_arches order): its target runs that arch and none preferred to it.
std::string arch_device_guard(const std::vector<std::string>& arches, std::size_t index);

/// The helpers the public launchers of a multi-arch file call, printed once at its top (they
/// need only the CUDA runtime API, which nvcc includes in every .cu): the __device__ variable
/// each device pass sets and tilecc_select_arch().
std::string arch_select_preamble(const std::vector<std::string>& arches);

/// The public launcher of `kernel` over per-arch launchers `<kernel>[_<instance>]_<tag>`
/// (arch_launcher_name), with the launcher's parameters `params` ("tilecc::Tensor<...> x, ...").
std::string emit_arch_launcher(const ir::Kernel& kernel, const std::vector<std::string>& arches,
                               const std::string& params);

/// The file-local launcher of `kernel`'s variant for `arch`: "softmax_bf16_sm90a".
std::string arch_launcher_name(const ir::Kernel& kernel, const std::string& arch);

}  // namespace tilecc::codegen
