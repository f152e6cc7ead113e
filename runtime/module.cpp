#include "module.hpp"

#include <fmt/format.h>

namespace tilecc::runtime {

void Function::launch(Dim3 grid, unsigned threads, unsigned shared_bytes, Stream stream, ArgPack& args) const {
  Driver::get().launch(handle_, grid.x, grid.y, grid.z, threads, shared_bytes, stream, args.pointers());
}

Module Module::load(const std::string& cubin) {
  Module m;
  m.handle_ = Driver::get().load_module(cubin);
  return m;
}

Module& Module::operator=(Module&& o) noexcept {
  if (this != &o) {
    if (handle_) Driver::get().unload_module(handle_);
    handle_ = o.handle_;
    o.handle_ = nullptr;
  }
  return *this;
}

Module::~Module() {
  if (handle_) {
    try {
      Driver::get().unload_module(handle_);
    } catch (...) {
      // The driver went away first (process exit): nothing left to unload.
    }
  }
}

Function Module::function(const std::string& name) const { return Function(Driver::get().function(handle_, name)); }

}  // namespace tilecc::runtime
