// What the tuner needs to launch a kernel without its generated (host, <<<>>>)
// launcher: the arguments it tunes for, the kernel's program grid for a config,
// and the kernel's parameters packed as the __global__ function takes them.
//
// Shapes are known when tuning (`--arg x=bf16[8192,4096]`), so the host
// prologue and the launch loops' extents are evaluated here, once per config,
// with the launch plan, host evaluator, grid and packing the runtime launches
// with (translator/launch/).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "translator/config/config.hpp"
#include "translator/config/specialization.hpp"
#include "translator/ir/ir.hpp"
#include "translator/launch/arg_pack.hpp"
#include "translator/launch/grid.hpp"

namespace tilecc::autotune {

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One `--arg`: a tensor `x=bf16[8192,4096]` (contiguous, row-major) or a scalar `n=4096`.
struct ArgSpec {
  std::string name;
  bool is_tensor = false;
  ir::DType dtype = ir::DType::f32;
  std::vector<std::int64_t> sizes;   // tensors
  std::vector<std::int64_t> strides; // tensors, elements (row-major)
  double value = 0;                  // scalars

  std::int64_t elements() const;
  std::int64_t bytes() const { return elements() * ir::size_bytes(dtype); }
  std::string to_string() const;  // as parsed: "x=bf16[8192,4096]", "n=4096"
};

/// The strides (elements) of a row-major tensor of these sizes.
std::vector<std::int64_t> row_major_strides(const std::vector<std::int64_t>& sizes);

/// Parses one --arg; throws ArgError saying what is wrong.
ArgSpec parse_arg(const std::string& text);

/// Orders `specs` as the kernel's parameters, checking names, kinds, dtypes and ranks;
/// throws ArgError naming the first mismatch.
std::vector<ArgSpec> bind_args(const ir::Kernel& kernel, const std::vector<ArgSpec>& specs);

/// The specialization the tuner measured: every argument's dtype and shape and the facts
/// that hold for them (contiguous, 16-byte aligned buffers; sizes divisible by 16).
std::string spec_key(const std::vector<ArgSpec>& bound);

/// The facts codegen may assume for these arguments (as the runtime derives them at launch,
/// runtime/kernel.cpp): 16-byte aligned buffers, unit and multiple-of-16 strides, and tile
/// loops whose extent divides the config's block size. Candidates are emitted with them, so
/// the tuner measures the code the runtime deploys for these shapes and NVRTC compiles no
/// path the arguments cannot take (the generic dot loop beside the cp.async pipeline).
config::Specialization specialization_for(const ir::Kernel& kernel, const config::Config& config,
                                          const std::vector<ArgSpec>& bound, const std::string& arch);

/// The facts of the variant `translate --specialize=auto` emits that its launcher takes for
/// these arguments (the first whose requirements hold), or none (the generic kernel).
config::Specialization auto_specialization_for(const ir::Kernel& kernel, const config::Config& config,
                                               const std::vector<ArgSpec>& bound, const std::string& arch);

/// Alignment of the buffers the bench worker allocates (cuMemAlloc gives at least 256 bytes).
constexpr std::uintptr_t kBufferAlignment = 256;

/// The grid and block of `kernel` under `config` for these arguments, computed as the runtime
/// computes them (translator/launch: the plan, the host evaluator, the grid); status Empty:
/// nothing to launch. Throws ArgError when a TILECC_CHECK fails or the config cannot take the
/// shapes (a whole row longer than full_extent, the grid limits).
launch::Grid launch_grid(const ir::Kernel& kernel, const config::Config& config, const std::vector<ArgSpec>& bound,
                         int sm_count, int dynamic_shared_bytes = 0);

/// The parameters for cuLaunchKernel, in order, packed as the runtime packs them
/// (launch::pack_args): a tensor as TensorArg<T, R> {T* data; long long sizes[R]; long long
/// strides[R];} with data = device_ptrs[i], a scalar as its dtype's C type (f16 / bf16 bits).
/// Then the tensor maps (launch::pack_tensor_maps) the lowered kernel takes after them, encoded
/// with `encode` (the driver's cuTensorMapEncodeTiled).
void pack_params(const ir::Kernel& kernel, const std::vector<ArgSpec>& bound,
                 const std::vector<unsigned long long>& device_ptrs, launch::ArgPack& out,
                 std::span<const launch::TensorMapPacking> tensor_maps = {}, tma_map::EncodeTiled encode = nullptr);

}  // namespace tilecc::autotune
