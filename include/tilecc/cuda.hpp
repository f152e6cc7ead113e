// What translated files include instead of <tilecc/tile.hpp>: the host-side
// Tensor view (pointers are device pointers), dtype names, launcher support
// and the device template library. Build with nvcc: -I<tilecc>/include
// -I<tilecc>/templates (or translate with --standalone).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "tilecc/device.cuh"
#include "tilecc/device/tensor_arg.cuh"
#include "tilecc/tma_map.hpp"

namespace tilecc {

using f16 = __half;
using bf16 = __nv_bfloat16;
using f32 = float;
using f64 = double;
using i8 = std::int8_t;
using i32 = std::int32_t;
using i64 = std::int64_t;
using u8 = std::uint8_t;
using fp8e4m3 = __nv_fp8_e4m3;
using fp8e5m2 = __nv_fp8_e5m2;

/// A strided view of device memory; the same constructors as in eager mode.
template <class T, int R> class Tensor {
 public:
  Tensor() = default;
  Tensor(T* data, std::array<std::int64_t, R> sizes) : data_(data), sizes_(sizes) {
    std::int64_t s = 1;
    for (int d = R - 1; d >= 0; --d) {
      strides_[d] = s;
      s *= sizes_[d];
    }
  }
  Tensor(T* data, std::array<std::int64_t, R> sizes, std::array<std::int64_t, R> strides)
      : data_(data), sizes_(sizes), strides_(strides) {}
  // Tensor<const T> from Tensor<T>. enable_if rather than requires: nvcc's default is C++17.
  template <class U, std::enable_if_t<std::is_const_v<T> && std::is_same_v<std::remove_const_t<T>, U>, int> = 0>
  Tensor(const Tensor<U, R>& o) : data_(o.data()), sizes_(o.sizes()), strides_(o.strides()) {}

  T* data() const { return data_; }
  std::int64_t size(int d) const { return sizes_[d < 0 ? d + R : d]; }
  std::int64_t stride(int d) const { return strides_[d < 0 ? d + R : d]; }
  const std::array<std::int64_t, R>& sizes() const { return sizes_; }
  const std::array<std::int64_t, R>& strides() const { return strides_; }

 private:
  T* data_ = nullptr;
  std::array<std::int64_t, R> sizes_{};
  std::array<std::int64_t, R> strides_{};
};

/// Device code spells i64 `long long`; on LP64 hosts int64_t is `long`.
template <class T> struct device_element {
  using type = T;
};
template <> struct device_element<long> {
  using type = long long;
};
template <> struct device_element<const long> {
  using type = const long long;
};

template <class T, int R> dev::TensorArg<typename device_element<T>::type, R> to_arg(const Tensor<T, R>& t) {
  using D = typename device_element<T>::type;
  static_assert(sizeof(D) == sizeof(T));
  dev::TensorArg<D, R> a{};
  a.data = reinterpret_cast<D*>(t.data());
  for (int d = 0; d < R; ++d) {
    a.sizes[d] = t.size(d);
    a.strides[d] = t.stride(d);
  }
  return a;
}

/// Multiprocessors of the current device, read once per device (persistent grids).
inline long long sm_count() {
  static int counts[64] = {};
  int device = 0;
  if (cudaGetDevice(&device) != cudaSuccess || device < 0 || device >= 64) return 1;
  if (counts[device] == 0 &&
      cudaDeviceGetAttribute(&counts[device], cudaDevAttrMultiProcessorCount, device) != cudaSuccess)
    return 1;
  return counts[device];
}

/// Lets Kernel take `bytes` of dynamic shared memory (beyond the 48 KB default) on the current
/// device; the attribute is set once per device and kernel (a racing first call sets it twice).
template <auto Kernel> inline cudaError_t allow_dynamic_shared(int bytes) {
  static std::atomic<int> allowed[64] = {};  // per device: the bytes already allowed
  int device = 0;
  if (cudaError_t e = cudaGetDevice(&device); e != cudaSuccess) return e;
  const bool cached = device >= 0 && device < 64;
  if (cached && allowed[device].load(std::memory_order_relaxed) >= bytes) return cudaSuccess;
  if (cudaError_t e = cudaFuncSetAttribute(Kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
      e != cudaSuccess)
    return e;
  if (cached) allowed[device].store(bytes, std::memory_order_relaxed);
  return cudaSuccess;
}

/// The driver's cuTensorMapEncodeTiled, looked up once through the runtime (nullptr where the
/// driver has none: every map is then invalid and kernels take their cp.async path).
inline tma_map::EncodeTiled tensor_map_encoder() {
  static const tma_map::EncodeTiled fn = [] {
    void* f = nullptr;
    cudaDriverEntryPointQueryResult found{};
#if CUDART_VERSION >= 12050
    const cudaError_t e =
        cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &f, 12000, cudaEnableDefault, &found);
#else
    const cudaError_t e = cudaGetDriverEntryPoint("cuTensorMapEncodeTiled", &f, cudaEnableDefault, &found);
#endif
    return e == cudaSuccess && found == cudaDriverEntryPointSuccess ? reinterpret_cast<tma_map::EncodeTiled>(f)
                                                                    : nullptr;
  }();
  return fn;
}

/// The tensor map of a 2-D f16 / bf16 dot operand in boxes of box_rows x box_cols (128-byte
/// swizzle), as the kernel's `const __grid_constant__ dev::TensorMap` parameter; cached per
/// (pointer, shape, strides, box). Invalid for other element types and views a map cannot
/// describe.
template <class T> dev::TensorMap tensor_map(const Tensor<T, 2>& t, unsigned box_rows, unsigned box_cols) {
  using E = std::remove_const_t<T>;
  static_assert(sizeof(dev::TensorMap) == sizeof(TensorMapParam) && alignof(dev::TensorMap) == alignof(TensorMapParam),
                "dev::TensorMap and TensorMapParam have one layout");
  dev::TensorMap m{};
  constexpr int dtype = std::is_same_v<E, bf16>  ? tma_map::dtype_bf16
                        : std::is_same_v<E, f16> ? tma_map::dtype_f16
                                                 : -1;
  if constexpr (dtype >= 0) {
    static tma_map::Cache cache;
    tma_map::Request r;
    r.base = t.data();
    r.rows = t.size(0);
    r.cols = t.size(1);
    r.row_stride = t.stride(0);
    r.col_stride = t.stride(1);
    r.elem_bytes = static_cast<int>(sizeof(E));
    r.dtype = dtype;
    r.box_rows = box_rows;
    r.box_cols = box_cols;
    const TensorMapParam p = cache.get(tensor_map_encoder(), r);
    std::memcpy(&m, &p, sizeof m);
  }
  return m;
}

/// Why this thread's last launcher refused to launch (empty: it did not); the PyTorch bindings
/// (--emit=torch) clear it before a launch and raise it as the exception's message.
inline std::string& last_launch_message() {
  thread_local std::string message;
  return message;
}

/// A launcher's host check failed: say which, launch nothing.
inline cudaError_t launch_check_failed(const char* kernel, const char* condition) {
  std::fprintf(stderr, "tilecc: %s: TILECC_CHECK(%s) failed; kernel not launched\n", kernel, condition);
  last_launch_message() = std::string("TILECC_CHECK(") + condition + ") failed; kernel not launched";
  return cudaErrorInvalidValue;
}
/// The input does not fit the config the kernel was translated with.
inline cudaError_t launch_config_error(const char* kernel, const char* what) {
  std::fprintf(stderr, "tilecc: %s: %s; kernel not launched\n", kernel, what);
  last_launch_message() = std::string(what) + "; kernel not launched";
  return cudaErrorInvalidValue;
}

struct CheckError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace tilecc

#define TILECC_KERNEL
#define TILECC_CHECK(...)                                                                                     \
  do {                                                                                                        \
    if (!(__VA_ARGS__)) throw ::tilecc::CheckError(std::string("TILECC_CHECK(") + #__VA_ARGS__ + ") failed"); \
  } while (false)
