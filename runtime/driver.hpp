// The CUDA driver API, opened at run time: libcuda.so.1 is dlopen'ed on first
// use, so nothing in tilecc links the driver and every binary starts on a
// machine without one. The few driver types used are declared here with the
// driver's own struct names, so a CUstream from <cuda.h> and a cudaStream_t
// from <cuda_runtime.h> convert to runtime::Stream without casts.
//
// Every call checks its result and throws DriverError naming the call and the
// driver's message. Driver::get() throws DriverError with a clear message when
// libcuda cannot be opened (no NVIDIA driver) or no GPU is present.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

// The driver's handle types (cuda.h declares the same incomplete structs).
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;

namespace tilecc::runtime {

using Context = CUctx_st*;
using ModuleHandle = CUmod_st*;
using FunctionHandle = CUfunc_st*;
using Stream = CUstream_st*;  // == CUstream == cudaStream_t; nullptr is the legacy default stream
using DevicePtr = unsigned long long;

/// libcuda is missing, a driver call failed, or there is no GPU.
struct DriverError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Driver {
 public:
  /// The process-wide driver: opens libcuda.so.1, cuInit(0), and makes a
  /// context current on the calling thread (the one already current, else
  /// device 0's primary context, the one the CUDA runtime API uses too).
  static Driver& get();
  /// Whether libcuda can be opened and initialized and a GPU exists; never throws.
  static bool available(std::string* why = nullptr);

  /// Makes the context current on this thread (call from a new thread).
  void make_current() const;
  int device() const { return device_; }
  /// "sm_90a" for compute capability 9.0 (the arch-specific target, so wgmma
  /// and setmaxnreg are usable), "sm_80", "sm_89", ...
  std::string arch() const;
  int multiprocessors() const { return sms_; }
  /// The device's name ("NVIDIA H200") and compute capability ("9.0"), as the tuning
  /// database keys them.
  std::string name() const;
  std::string compute_capability() const;
  int driver_version() const;  // e.g. 13000

  ModuleHandle load_module(const std::string& cubin) const;  // cuModuleLoadData
  void unload_module(ModuleHandle m) const noexcept;
  FunctionHandle function(ModuleHandle m, const std::string& name) const;
  /// cuLaunchKernel with `params` pointing at each argument's bytes.
  void launch(FunctionHandle f, unsigned grid_x, unsigned grid_y, unsigned grid_z, unsigned block_x,
              unsigned shared_bytes, Stream stream, void** params) const;
  /// Lets `f` take `bytes` of dynamic shared memory (beyond the default 48 KB needs it).
  void allow_dynamic_shared(FunctionHandle f, int bytes) const;

  // Memory and synchronization, for tests, examples and benchmarks.
  DevicePtr alloc(std::size_t bytes) const;
  void free(DevicePtr p) const noexcept;
  void copy_to_device(DevicePtr dst, const void* src, std::size_t bytes) const;
  void copy_to_host(void* dst, DevicePtr src, std::size_t bytes) const;
  void synchronize() const;                 // the context
  void synchronize(Stream s) const;         // one stream
  Stream create_stream() const;            // a non-blocking stream
  void destroy_stream(Stream s) const noexcept;

  /// The raw cuLaunchKernel, for measuring the bare driver launch next to ours.
  using LaunchFn = int (*)(FunctionHandle, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, Stream,
                           void**, void**);
  LaunchFn raw_launch() const { return launch_; }
  /// cuTensorMapEncodeTiled (include/tilecc/tma_map.hpp's EncodeTiled), or nullptr where the
  /// driver has none (before CUDA 12): tensor maps are then packed invalid.
  void* tensor_map_encoder() const;

 private:
  Driver();
  void check(int result, const char* call) const;

 public:
  struct Api;  // the dlopen'ed entry points (driver.cpp)

 private:
  const Api* api_ = nullptr;
  LaunchFn launch_ = nullptr;
  Context context_ = nullptr;
  int device_ = 0, sms_ = 0, cc_major_ = 0, cc_minor_ = 0;
};

}  // namespace tilecc::runtime
