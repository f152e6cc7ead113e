// Kernel arguments laid out as the __global__ function takes them, for cuLaunchKernel: the
// runtime and the tuner's bench worker pack through pack_args, so a parameter reaches the
// kernel the same way from both (and as the emitted launcher passes it: tilecc::to_arg for a
// tensor, the C++ value for a scalar).
//
// ArgPack lays each argument out as the kernel's C++ parameter type would be (size and
// alignment of the value pushed) in a fixed buffer: packing allocates nothing.
//   launch::ArgPack args;  args.push(tensor_arg);  args.push(std::int64_t{n});
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>

#include "host_eval.hpp"
#include "launch_plan.hpp"

// include/tilecc/tma_map.hpp (the .cpp files that pack maps include it).
namespace tilecc::tma_map {
using EncodeTiled = int (*)(void*, int, std::uint32_t, void*, const std::uint64_t*, const std::uint64_t*,
                            const std::uint32_t*, const std::uint32_t*, int, int, int, int);
class Cache;
}  // namespace tilecc::tma_map

namespace tilecc::launch {

/// Kernel arguments in one fixed buffer, and the pointer array cuLaunchKernel takes.
class ArgPack {
 public:
  static constexpr std::size_t kBytes = 4096;
  static constexpr int kMaxArgs = 64;

  template <class T> void push(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    push_bytes(&value, sizeof(T), alignof(T));
  }
  /// Appends `size` bytes aligned to `align`; throws std::length_error when full.
  void push_bytes(const void* data, std::size_t size, std::size_t align) {
    std::memcpy(append(size, align), data, size);
  }
  /// Appends an argument of `size` bytes aligned to `align` for the caller to write (an
  /// argument built in place is copied once); throws std::length_error when full.
  unsigned char* append(std::size_t size, std::size_t align);
  void clear() {
    used_ = 0;
    count_ = 0;
  }
  void** pointers() { return pointers_; }
  int count() const { return count_; }
  /// The bytes of argument i (what the kernel's parameter i receives).
  const unsigned char* arg(int i) const { return static_cast<const unsigned char*>(pointers_[i]); }

 private:
  alignas(16) unsigned char buffer_[kBytes];
  void* pointers_[kMaxArgs];
  std::size_t used_ = 0;
  int count_ = 0;
};

/// The bf16 / f16 bits of a float, rounded to nearest even (NaN stays NaN, f16 overflow is inf).
std::uint16_t bf16_bits(float f);
std::uint16_t f16_bits(float f);

/// A tensor as tilecc::dev::TensorArg<T, R>: { T* data; long long sizes[R]; long long strides[R]; }.
void pack_tensor(ArgPack& out, std::uint64_t data, int rank, const std::int64_t* sizes, const std::int64_t* strides);
/// A scalar converted to its parameter's dtype (floats from v.f when v.is_float, else v.i).
void pack_scalar(ArgPack& out, ir::DType dtype, const HostValue& v);

/// Every parameter (LaunchPlan::params, or param_packing(kernel)), in order: tensor p from
/// data[p] and env.sizes[p] / env.strides[p], scalar p from env.scalars[p] (what the host
/// evaluator read).
void pack_args(std::span<const ParamPacking> params, const HostEnv& env, const std::uint64_t* data, ArgPack& out);

/// The tensor maps after the parameters (LaunchPlan::tensor_maps, or tensor_map_packing(kernel)),
/// each of its tensor as pack_args read it, encoded with `encode` (the driver's
/// cuTensorMapEncodeTiled; nullptr packs invalid maps: the kernel then takes its cp.async
/// path) through `cache`.
void pack_tensor_maps(std::span<const TensorMapPacking> maps, const HostEnv& env, const std::uint64_t* data,
                      tma_map::EncodeTiled encode, tma_map::Cache& cache, ArgPack& out);

}  // namespace tilecc::launch
