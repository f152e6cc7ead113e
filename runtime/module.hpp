// A loaded cubin and launching its kernels with packed arguments.
//
// Reusable on its own (the autotuner benchmarks variants with it):
//   auto m = runtime::Module::load(cubin);
//   runtime::ArgPack args;  args.push(tensor_arg);  args.push(int64_t{n});
//   m.function(lowered_name).launch({grid, 1, 1}, threads, 0, stream, args);
#pragma once

#include <string>

#include "driver.hpp"
#include "translator/launch/arg_pack.hpp"

namespace tilecc::runtime {

/// Kernel arguments as cuLaunchKernel takes them (translator/launch/arg_pack.hpp: pack_args
/// lays out a kernel's parameters the way the runtime and the tuner both launch them).
using launch::ArgPack;

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
