// What the PyTorch bindings of `tilecc translate --emit=torch` call: argument checks that name
// the op, the argument and what was expected, views of torch tensors as tilecc::Tensor, and
// launch errors raised as Python exceptions. Included after <tilecc/cuda.hpp>, with PyTorch's
// headers on the include path (torch.utils.cpp_extension builds).
#pragma once

#include <ATen/ATen.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <torch/library.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tilecc/cuda.hpp"

namespace tilecc::torch_ops {

/// "[2, 3, 4]": a tensor's sizes, spelled out (not through c10's stream operators, so the
/// message is built from plain integers whatever the tensor's rank).
inline std::string sizes_text(const at::Tensor& t) {
  std::string out = "[";
  for (std::int64_t d = 0; d < t.dim(); ++d) out += (d ? ", " : "") + std::to_string(t.size(d));
  return out + "]";
}

/// Integers enter messages as text made here. Streamed by TORCH_CHECK they are formatted by
/// std::ostream's number facet inside the extension, which segfaulted (in
/// ostream::_M_insert<long>) in an extension built by torch 2.11's cpp_extension; strings and
/// c10's own types stream fine.
inline std::string text(std::int64_t v) { return std::to_string(v); }

/// A tensor argument of an op: on a CUDA device (the first tensor argument's), of the kernel's
/// rank. Outputs must not be broadcast views (stride 0 over several elements): the kernel's
/// programs would race on the shared elements. Any other strides are fine: kernels take
/// strided views.
inline void check_tensor(const char* op, const char* name, const at::Tensor& t, std::int64_t rank,
                         const at::Tensor& first, const char* first_name, bool output) {
  TORCH_CHECK(t.defined(), "tilecc.", op, ": '", name, "' is an undefined tensor; pass a tensor of ", text(rank),
              " dimensions");
  TORCH_CHECK(t.is_cuda(), "tilecc.", op, ": '", name, "' must be a CUDA tensor, got one on ", t.device(),
              " (move it with .cuda())");
  TORCH_CHECK(t.dim() == rank, "tilecc.", op, ": '", name, "' must have ", text(rank), " dimensions, got ",
              text(t.dim()), " (sizes ", sizes_text(t), ")");
  TORCH_CHECK(t.device() == first.device(), "tilecc.", op, ": '", name, "' must be on ", first.device(), " as '",
              first_name, "' is, got ", t.device());
  if (output)
    for (std::int64_t d = 0; d < rank; ++d)
      TORCH_CHECK(t.size(d) <= 1 || t.stride(d) != 0, "tilecc.", op, ": output '", name,
                  "' is a broadcast view (stride 0 in dimension ", text(d),
                  "); pass a tensor of its own (.contiguous())");
}

/// The tensor arguments' dtypes fit none of the kernel's instances: names the first argument
/// that fits no instance agreeing with the arguments before it, and the dtypes it could have.
[[noreturn]] inline void no_instance(const char* op, std::initializer_list<const char*> names,
                                     std::initializer_list<at::ScalarType> given,
                                     std::initializer_list<std::initializer_list<at::ScalarType>> instances) {
  const std::vector<const char*> n(names);
  const std::vector<at::ScalarType> g(given);
  std::vector<std::vector<at::ScalarType>> alive;
  for (const auto& i : instances) alive.emplace_back(i);
  std::string before;
  for (std::size_t a = 0; a < g.size(); ++a) {
    std::vector<std::vector<at::ScalarType>> next;
    std::vector<at::ScalarType> seen;
    std::string expected;
    for (const auto& i : alive) {
      if (i[a] == g[a]) next.push_back(i);
      if (std::find(seen.begin(), seen.end(), i[a]) != seen.end()) continue;
      seen.push_back(i[a]);
      expected += (expected.empty() ? "" : " or ") + std::string(c10::toString(i[a]));
    }
    if (next.empty())
      TORCH_CHECK(false, "tilecc.", op, ": '", n[a], "' must be ", expected, before.empty() ? "" : " (as ", before,
                  before.empty() ? "" : ")", ", got ", c10::toString(g[a]));
    before += (before.empty() ? "'" : ", '") + std::string(n[a]) + "' is " + c10::toString(g[a]);
    alive = std::move(next);
  }
  TORCH_CHECK(false, "tilecc.", op, ": no instance takes these dtypes");  // unreachable: one instance fits
}

/// A torch tensor as the launcher's view type View = tilecc::Tensor<T, R> (sizes and strides in
/// elements; the data pointer includes the storage offset).
template <class View> View view(const at::Tensor& t) {
  using T = std::remove_pointer_t<decltype(std::declval<View>().data())>;
  constexpr int R = static_cast<int>(std::tuple_size_v<std::decay_t<decltype(std::declval<View>().sizes())>>);
  std::array<std::int64_t, R> sizes{}, strides{};
  for (int d = 0; d < R; ++d) {
    sizes[d] = t.size(d);
    strides[d] = t.stride(d);
  }
  return View(static_cast<T*>(t.data_ptr()), sizes, strides);
}

/// A schema scalar (float: double, int: int64_t, bool) as the kernel's parameter type T;
/// integers must fit T. 16- and 8-bit floats are rounded from float by CUDA's own conversions
/// (PyTorch's builds turn the implicit ones off).
template <class T, class S> T scalar(const char* op, const char* name, S value) {
  if constexpr (std::is_same_v<T, tilecc::bf16>) {
    return __float2bfloat16_rn(static_cast<float>(value));
  } else if constexpr (std::is_same_v<T, tilecc::f16>) {
    return __float2half_rn(static_cast<float>(value));
  } else if constexpr (std::is_same_v<T, tilecc::fp8e4m3> || std::is_same_v<T, tilecc::fp8e5m2>) {
    return T(static_cast<float>(value));
  } else {
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> && std::is_integral_v<S>)
      TORCH_CHECK(value >= static_cast<S>(std::numeric_limits<T>::min()) &&
                      value <= static_cast<S>(std::numeric_limits<T>::max()),
                  "tilecc.", op, ": '", name, "' = ", text(static_cast<std::int64_t>(value)),
                  " does not fit the kernel's ", text(sizeof(T) * 8), "-bit integer parameter");
    return static_cast<T>(value);
  }
}

/// Raises the launcher's refusal (a failed TILECC_CHECK, an input the config cannot run) or
/// CUDA's launch error as a Python RuntimeError naming the op.
inline void check_launch(const char* op, cudaError_t e) {
  if (e == cudaSuccess) return;
  const std::string refused = tilecc::last_launch_message();
  TORCH_CHECK(false, "tilecc.", op, ": ", refused.empty() ? std::string(cudaGetErrorString(e)) : refused);
}

}  // namespace tilecc::torch_ops
