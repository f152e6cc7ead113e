// A stand-in for the part of PyTorch's C++ API that the bindings of `tilecc translate
// --emit=torch` use (include/tilecc/torch.hpp and the printed ops), with the same names and
// signatures, so that the nvcc tier compiles the bindings on a machine without PyTorch and runs
// their argument checks on tensors that are only shapes (no data, no GPU). The real API is
// checked on the GPU machine (test/gpu/torch_ops/check.py).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace c10 {

enum class ScalarType : std::int8_t {
  Byte, Char, Short, Int, Long, Half, Float, Double, Bool, BFloat16, Float8_e5m2, Float8_e4m3fn
};
inline const char* toString(ScalarType t) {
  static const char* const names[] = {"Byte", "Char",     "Short",       "Int",          "Long",  "Half",
                                      "Float", "Double", "Bool", "BFloat16", "Float8_e5m2", "Float8_e4m3fn"};
  return names[static_cast<int>(t)];
}

struct Device {
  bool cuda = true;
  int index = 0;
  bool operator==(const Device& o) const { return cuda == o.cuda && index == o.index; }
};
inline std::ostream& operator<<(std::ostream& os, const Device& d) {
  return d.cuda ? os << "cuda:" << d.index : os << "cpu";
}

struct IntArrayRef {
  std::vector<std::int64_t> values;
};
inline std::ostream& operator<<(std::ostream& os, const IntArrayRef& a) {
  os << "[";
  for (std::size_t i = 0; i < a.values.size(); ++i) os << (i ? ", " : "") << a.values[i];
  return os << "]";
}

namespace detail {
template <class... Args>
std::string message(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace c10

#define TORCH_CHECK(cond, ...) \
  if (!(cond)) throw std::runtime_error(::c10::detail::message(__VA_ARGS__))

namespace at {

using c10::Device;
using c10::IntArrayRef;
using c10::ScalarType;
constexpr ScalarType kByte = ScalarType::Byte, kChar = ScalarType::Char, kInt = ScalarType::Int,
                     kLong = ScalarType::Long, kHalf = ScalarType::Half, kFloat = ScalarType::Float,
                     kDouble = ScalarType::Double, kBool = ScalarType::Bool, kBFloat16 = ScalarType::BFloat16,
                     kFloat8_e5m2 = ScalarType::Float8_e5m2, kFloat8_e4m3fn = ScalarType::Float8_e4m3fn;

/// Shapes only: a dtype, a device, sizes and strides (contiguous unless given); no data.
class Tensor {
 public:
  Tensor() = default;
  Tensor(ScalarType dtype, std::vector<std::int64_t> sizes, Device device = {},
         std::vector<std::int64_t> strides = {})
      : defined_(true), dtype_(dtype), device_(device), sizes_(std::move(sizes)), strides_(std::move(strides)) {
    if (strides_.empty()) {
      strides_.resize(sizes_.size());
      std::int64_t s = 1;
      for (std::size_t d = sizes_.size(); d-- > 0;) {
        strides_[d] = s;
        s *= sizes_[d];
      }
    }
  }
  bool defined() const { return defined_; }
  bool is_cuda() const { return device_.cuda; }
  Device device() const { return device_; }
  std::int64_t dim() const { return static_cast<std::int64_t>(sizes_.size()); }
  IntArrayRef sizes() const { return {sizes_}; }
  std::int64_t size(std::int64_t d) const { return sizes_[static_cast<std::size_t>(d)]; }
  std::int64_t stride(std::int64_t d) const { return strides_[static_cast<std::size_t>(d)]; }
  ScalarType scalar_type() const { return dtype_; }
  void* data_ptr() const { return nullptr; }

 private:
  bool defined_ = false;
  ScalarType dtype_ = ScalarType::Float;
  Device device_;
  std::vector<std::int64_t> sizes_, strides_;
};

}  // namespace at
