#include "driver.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>

namespace tilecc::runtime {

namespace {

// The driver ABI values used here (cuda.h).
constexpr int kSuccess = 0;
constexpr int kAttrComputeMajor = 75;       // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
constexpr int kAttrComputeMinor = 76;       // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
constexpr int kAttrMultiprocessors = 16;    // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
constexpr int kFuncMaxDynamicShared = 8;    // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES

}  // namespace

struct Driver::Api {
  void* lib = nullptr;
  int (*cuInit)(unsigned) = nullptr;
  int (*cuGetErrorString)(int, const char**) = nullptr;
  int (*cuDriverGetVersion)(int*) = nullptr;
  int (*cuDeviceGetCount)(int*) = nullptr;
  int (*cuDeviceGet)(int*, int) = nullptr;
  int (*cuDeviceGetAttribute)(int*, int, int) = nullptr;
  int (*cuDeviceGetName)(char*, int, int) = nullptr;
  int (*cuFuncSetAttribute)(FunctionHandle, int, int) = nullptr;
  int (*cuCtxGetCurrent)(Context*) = nullptr;
  int (*cuCtxSetCurrent)(Context) = nullptr;
  int (*cuCtxGetDevice)(int*) = nullptr;
  int (*cuCtxSynchronize)() = nullptr;
  int (*cuDevicePrimaryCtxRetain)(Context*, int) = nullptr;
  int (*cuModuleLoadData)(ModuleHandle*, const void*) = nullptr;
  int (*cuModuleUnload)(ModuleHandle) = nullptr;
  int (*cuModuleGetFunction)(FunctionHandle*, ModuleHandle, const char*) = nullptr;
  int (*cuMemAlloc)(DevicePtr*, std::size_t) = nullptr;
  int (*cuMemFree)(DevicePtr) = nullptr;
  int (*cuMemcpyHtoD)(DevicePtr, const void*, std::size_t) = nullptr;
  int (*cuMemcpyDtoH)(void*, DevicePtr, std::size_t) = nullptr;
  int (*cuStreamSynchronize)(Stream) = nullptr;
  int (*cuStreamCreate)(Stream*, unsigned) = nullptr;
  int (*cuStreamDestroy)(Stream) = nullptr;
  Driver::LaunchFn cuLaunchKernel = nullptr;
  void* cuTensorMapEncodeTiled = nullptr;  // optional: only tensor-map configs need it
  std::string error;  // why it could not be opened

  template <class F> bool sym(F& f, const char* name) {
    f = reinterpret_cast<F>(dlsym(lib, name));
    if (!f && error.empty()) error = fmt::format("libcuda.so.1 has no symbol {} (driver too old?)", name);
    return f != nullptr;
  }

  Api() {
    lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcuda.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      error = fmt::format("cannot open the CUDA driver libcuda.so.1 ({}): no NVIDIA driver on this machine?",
                          why ? why : "not found");
      return;
    }
    sym(cuInit, "cuInit");
    sym(cuGetErrorString, "cuGetErrorString");
    sym(cuDriverGetVersion, "cuDriverGetVersion");
    sym(cuDeviceGetCount, "cuDeviceGetCount");
    sym(cuDeviceGet, "cuDeviceGet");
    sym(cuDeviceGetAttribute, "cuDeviceGetAttribute");
    sym(cuDeviceGetName, "cuDeviceGetName");
    sym(cuFuncSetAttribute, "cuFuncSetAttribute");
    sym(cuCtxGetCurrent, "cuCtxGetCurrent");
    sym(cuCtxSetCurrent, "cuCtxSetCurrent");
    sym(cuCtxGetDevice, "cuCtxGetDevice");
    sym(cuCtxSynchronize, "cuCtxSynchronize");
    sym(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain");
    sym(cuModuleLoadData, "cuModuleLoadData");
    sym(cuModuleUnload, "cuModuleUnload");
    sym(cuModuleGetFunction, "cuModuleGetFunction");
    sym(cuMemAlloc, "cuMemAlloc_v2");
    sym(cuMemFree, "cuMemFree_v2");
    sym(cuMemcpyHtoD, "cuMemcpyHtoD_v2");
    sym(cuMemcpyDtoH, "cuMemcpyDtoH_v2");
    sym(cuStreamSynchronize, "cuStreamSynchronize");
    sym(cuStreamCreate, "cuStreamCreate");
    sym(cuStreamDestroy, "cuStreamDestroy_v2");
    sym(cuLaunchKernel, "cuLaunchKernel");
    cuTensorMapEncodeTiled = dlsym(lib, "cuTensorMapEncodeTiled");
    if (error.empty()) {
      const int rc = cuInit(0);
      if (rc != kSuccess) {
        const char* msg = nullptr;
        cuGetErrorString(rc, &msg);
        error = fmt::format("cuInit failed: {} (error {}): no usable GPU?", msg ? msg : "unknown error", rc);
        return;
      }
      int count = 0;
      if (cuDeviceGetCount(&count) != kSuccess || count == 0) error = "the CUDA driver sees no GPU";
    }
  }
};

namespace {

const Driver::Api* open_api(std::string* why) {
  static std::once_flag once;
  static Driver::Api* api = nullptr;
  std::call_once(once, [] { api = new Driver::Api(); });  // never freed: lives as long as the process
  if (!api->error.empty()) {
    if (why) *why = api->error;
    return nullptr;
  }
  return api;
}

}  // namespace

bool Driver::available(std::string* why) { return open_api(why) != nullptr; }

void* Driver::tensor_map_encoder() const { return api_->cuTensorMapEncodeTiled; }

Driver& Driver::get() {
  static Driver* driver = new Driver();  // constructed once; throws (and retries next call) on failure
  driver->make_current();
  return *driver;
}

Driver::Driver() {
  std::string why;
  api_ = open_api(&why);
  if (!api_) throw DriverError("tilecc runtime: " + why);
  launch_ = api_->cuLaunchKernel;
  Context current = nullptr;
  check(api_->cuCtxGetCurrent(&current), "cuCtxGetCurrent");
  if (current) {
    context_ = current;
    check(api_->cuCtxGetDevice(&device_), "cuCtxGetDevice");
  } else {
    check(api_->cuDeviceGet(&device_, 0), "cuDeviceGet");
    check(api_->cuDevicePrimaryCtxRetain(&context_, device_), "cuDevicePrimaryCtxRetain");
    check(api_->cuCtxSetCurrent(context_), "cuCtxSetCurrent");
  }
  check(api_->cuDeviceGetAttribute(&cc_major_, kAttrComputeMajor, device_), "cuDeviceGetAttribute");
  check(api_->cuDeviceGetAttribute(&cc_minor_, kAttrComputeMinor, device_), "cuDeviceGetAttribute");
  check(api_->cuDeviceGetAttribute(&sms_, kAttrMultiprocessors, device_), "cuDeviceGetAttribute");
}

void Driver::check(int result, const char* call) const {
  if (result == kSuccess) return;
  const char* msg = nullptr;
  if (api_ && api_->cuGetErrorString) api_->cuGetErrorString(result, &msg);
  throw DriverError(fmt::format("tilecc runtime: {} failed: {} (error {})", call, msg ? msg : "unknown error", result));
}

void Driver::make_current() const {
  Context current = nullptr;
  check(api_->cuCtxGetCurrent(&current), "cuCtxGetCurrent");
  if (!current) check(api_->cuCtxSetCurrent(context_), "cuCtxSetCurrent");
}

std::string Driver::arch() const {
  // Hopper's arch-specific features (wgmma, setmaxnreg) need the "a" target.
  const char* suffix = cc_major_ == 9 && cc_minor_ == 0 ? "a" : "";
  return fmt::format("sm_{}{}{}", cc_major_, cc_minor_, suffix);
}

std::string Driver::name() const {
  char name[256] = {};
  check(api_->cuDeviceGetName(name, sizeof name, device_), "cuDeviceGetName");
  return name;
}

std::string Driver::compute_capability() const { return fmt::format("{}.{}", cc_major_, cc_minor_); }

int Driver::driver_version() const {
  int v = 0;
  check(api_->cuDriverGetVersion(&v), "cuDriverGetVersion");
  return v;
}

ModuleHandle Driver::load_module(const std::string& cubin) const {
  ModuleHandle m = nullptr;
  check(api_->cuModuleLoadData(&m, cubin.data()), "cuModuleLoadData");
  return m;
}

void Driver::unload_module(ModuleHandle m) const noexcept {
  if (m) api_->cuModuleUnload(m);
}

FunctionHandle Driver::function(ModuleHandle m, const std::string& name) const {
  FunctionHandle f = nullptr;
  const int rc = api_->cuModuleGetFunction(&f, m, name.c_str());
  if (rc != kSuccess) check(rc, fmt::format("cuModuleGetFunction({})", name).c_str());
  return f;
}

void Driver::launch(FunctionHandle f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned shared,
                    Stream stream, void** params) const {
  check(launch_(f, gx, gy, gz, bx, 1, 1, shared, stream, params, nullptr), "cuLaunchKernel");
}

void Driver::allow_dynamic_shared(FunctionHandle f, int bytes) const {
  check(api_->cuFuncSetAttribute(f, kFuncMaxDynamicShared, bytes), "cuFuncSetAttribute(max dynamic shared)");
}

DevicePtr Driver::alloc(std::size_t bytes) const {
  DevicePtr p = 0;
  check(api_->cuMemAlloc(&p, bytes ? bytes : 1), "cuMemAlloc");
  return p;
}
void Driver::free(DevicePtr p) const noexcept {
  if (p) api_->cuMemFree(p);
}
void Driver::copy_to_device(DevicePtr dst, const void* src, std::size_t bytes) const {
  check(api_->cuMemcpyHtoD(dst, src, bytes), "cuMemcpyHtoD");
}
void Driver::copy_to_host(void* dst, DevicePtr src, std::size_t bytes) const {
  check(api_->cuMemcpyDtoH(dst, src, bytes), "cuMemcpyDtoH");
}
void Driver::synchronize() const { check(api_->cuCtxSynchronize(), "cuCtxSynchronize"); }
void Driver::synchronize(Stream s) const { check(api_->cuStreamSynchronize(s), "cuStreamSynchronize"); }
Stream Driver::create_stream() const {
  Stream s = nullptr;
  check(api_->cuStreamCreate(&s, 1 /* CU_STREAM_NON_BLOCKING */), "cuStreamCreate");
  return s;
}
void Driver::destroy_stream(Stream s) const noexcept {
  if (s) api_->cuStreamDestroy(s);
}

}  // namespace tilecc::runtime
