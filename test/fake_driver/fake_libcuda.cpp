// A stand-in libcuda.so.1 for machines without a GPU: every entry point that
// runtime/driver.cpp opens, doing nothing on a device. It lets the runtime's
// whole launch path (rt::Kernel::launch up to and including the driver call)
// run on the CPU, so its host cost and its allocations can be measured and
// checked here (bench/runtime_launch_host.cpp). Never on a default library
// path: a program gets it only through LD_LIBRARY_PATH=<build>/test/fake_driver.
//
// The device is a compute capability 9.0 GPU with 132 SMs ("sm_90a"); device
// memory is host memory; modules and functions are dummy handles; launches
// only record what they were given (tilecc_fake_last_launch).
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "fake_launch.hpp"

namespace {

constexpr int kSuccess = 0;
constexpr int kInvalidValue = 1;

int g_context_storage = 0;
int g_module_storage = 0;
int g_function_storage = 0;
int g_stream_storage = 0;
void* const kContext = &g_context_storage;
thread_local void* t_current = nullptr;
TileccFakeLaunch g_last{};
int g_record_params = 0;

}  // namespace

extern "C" {

const TileccFakeLaunch* tilecc_fake_last_launch() { return &g_last; }
void tilecc_fake_record_params(int count) { g_record_params = count < 8 ? count : 8; }

int cuInit(unsigned) { return kSuccess; }
// NVRTC looks this up in a libcuda already loaded; "not supported" sends it its own way.
int cuGetExportTable(const void** table, const void*) {
  *table = nullptr;
  return 801;  // CUDA_ERROR_NOT_SUPPORTED
}
int cuGetErrorString(int, const char** msg) {
  *msg = "fake driver error";
  return kSuccess;
}
int cuDriverGetVersion(int* v) {
  *v = 13000;
  return kSuccess;
}
int cuDeviceGetCount(int* n) {
  *n = 1;
  return kSuccess;
}
int cuDeviceGet(int* d, int ordinal) {
  *d = ordinal;
  return ordinal == 0 ? kSuccess : kInvalidValue;
}
int cuDeviceGetAttribute(int* v, int attribute, int) {
  switch (attribute) {
    case 75: *v = 9; return kSuccess;    // compute capability major
    case 76: *v = 0; return kSuccess;    // minor
    case 16: *v = 132; return kSuccess;  // multiprocessors
    default: return kInvalidValue;
  }
}
int cuDeviceGetName(char* name, int size, int) {
  std::strncpy(name, "tilecc fake GPU", static_cast<std::size_t>(size));
  return kSuccess;
}
int cuFuncSetAttribute(void*, int, int) { return kSuccess; }
int cuCtxGetCurrent(void** c) {
  *c = t_current;
  return kSuccess;
}
int cuCtxSetCurrent(void* c) {
  t_current = c;
  return kSuccess;
}
int cuCtxGetDevice(int* d) {
  *d = 0;
  return kSuccess;
}
int cuCtxSynchronize() { return kSuccess; }
int cuDevicePrimaryCtxRetain(void** c, int) {
  *c = kContext;
  return kSuccess;
}
int cuModuleLoadData(void** m, const void*) {
  *m = &g_module_storage;
  return kSuccess;
}
int cuModuleUnload(void*) { return kSuccess; }
int cuModuleGetFunction(void** f, void*, const char*) {
  *f = &g_function_storage;
  return kSuccess;
}
int cuMemAlloc_v2(unsigned long long* p, std::size_t bytes) {
  *p = reinterpret_cast<unsigned long long>(std::malloc(bytes));
  return *p ? kSuccess : 2;  // CUDA_ERROR_OUT_OF_MEMORY
}
int cuMemFree_v2(unsigned long long p) {
  std::free(reinterpret_cast<void*>(p));
  return kSuccess;
}
int cuMemcpyHtoD_v2(unsigned long long dst, const void* src, std::size_t bytes) {
  std::memcpy(reinterpret_cast<void*>(dst), src, bytes);
  return kSuccess;
}
int cuMemcpyDtoH_v2(void* dst, unsigned long long src, std::size_t bytes) {
  std::memcpy(dst, reinterpret_cast<const void*>(src), bytes);
  return kSuccess;
}
int cuStreamSynchronize(void*) { return kSuccess; }
int cuStreamCreate(void** s, unsigned) {
  *s = &g_stream_storage;
  return kSuccess;
}
int cuStreamDestroy_v2(void*) { return kSuccess; }
int cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shared, void* stream, void** params, void**) {
  g_last.count++;
  g_last.function = f;
  g_last.grid[0] = gx, g_last.grid[1] = gy, g_last.grid[2] = gz;
  g_last.block[0] = bx, g_last.block[1] = by, g_last.block[2] = bz;
  g_last.shared_bytes = shared;
  g_last.stream = stream;
  for (int i = 0; i < g_record_params; ++i) std::memcpy(g_last.params[i], params[i], 64);
  return kSuccess;
}

}  // extern "C"
