// A loaded cubin and launching its kernels with packed arguments.
//
// Reusable on its own (the autotuner benchmarks variants with it):
//   auto m = runtime::Module::load(cubin);
//   runtime::ArgPack args;  args.push(tensor_arg);  args.push(int64_t{n});
//   m.function(lowered_name).launch({grid, 1, 1}, threads, 0, stream, args);
// ArgPack lays each argument out as the kernel's C++ parameter type would be
// (size and alignment of the value pushed) in a fixed buffer: no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "driver.hpp"

namespace tilecc::runtime {

/// Kernel arguments in one fixed buffer, and the pointer array cuLaunchKernel takes.
class ArgPack {
 public:
  static constexpr std::size_t kBytes = 4096;
  static constexpr int kMaxArgs = 64;

  template <class T>
  void push(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    push_bytes(&value, sizeof(T), alignof(T));
  }
  /// Appends `size` bytes aligned to `align`; throws std::length_error when full.
  void push_bytes(const void* data, std::size_t size, std::size_t align);
  void clear() { used_ = 0; count_ = 0; }
  void** pointers() { return pointers_; }
  int count() const { return count_; }

 private:
  alignas(16) unsigned char buffer_[kBytes];
  void* pointers_[kMaxArgs];
  std::size_t used_ = 0;
  int count_ = 0;
};

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

class Function {
 public:
  Function() = default;
  explicit Function(FunctionHandle h) : handle_(h) {}
  FunctionHandle handle() const { return handle_; }
  /// Launches on `stream` (nullptr: the default stream); throws DriverError.
  void launch(Dim3 grid, unsigned threads, unsigned shared_bytes, Stream stream, ArgPack& args) const;

 private:
  FunctionHandle handle_ = nullptr;
};

/// A cubin loaded into the current context; unloaded when destroyed.
class Module {
 public:
  static Module load(const std::string& cubin);
  Module() = default;
  Module(Module&& o) noexcept : handle_(o.handle_) { o.handle_ = nullptr; }
  Module& operator=(Module&& o) noexcept;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();

  /// The kernel of that (lowered) name; throws DriverError naming it.
  Function function(const std::string& name) const;
  ModuleHandle handle() const { return handle_; }

 private:
  ModuleHandle handle_ = nullptr;
};

}  // namespace tilecc::runtime
