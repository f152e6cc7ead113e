// A stand-in for the part of PyTorch's C++ API that the bindings of `tilecc translate
// --emit=torch` use (include/tilecc/torch.hpp and the printed ops), with the same names and
// signatures, so that the nvcc tier compiles the bindings on a machine without PyTorch. Only
// declarations: nothing here runs. The real API is checked on the GPU machine
// (test/gpu/torch_ops/check.py).
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
const char* toString(ScalarType t);

struct Device {
  bool operator==(const Device&) const;
};
std::ostream& operator<<(std::ostream& os, const Device& d);

struct IntArrayRef {
  const std::int64_t* data;
  std::size_t size;
};
std::ostream& operator<<(std::ostream& os, IntArrayRef a);

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

class Tensor {
 public:
  bool defined() const;
  bool is_cuda() const;
  Device device() const;
  std::int64_t dim() const;
  IntArrayRef sizes() const;
  std::int64_t size(std::int64_t d) const;
  std::int64_t stride(std::int64_t d) const;
  ScalarType scalar_type() const;
  void* data_ptr() const;
};

}  // namespace at
