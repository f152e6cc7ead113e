// The kernel marker and host-side checks.
#pragma once

#include <stdexcept>
#include <string>

namespace tilecc {

/// A failed TILECC_CHECK: in eager mode an exception; in generated code the
/// launcher returns an error instead of launching.
struct CheckError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace detail {
[[noreturn]] inline void check_failed(const char* cond, const char* file, int line) {
  throw CheckError(std::string(file) + ":" + std::to_string(line) + ": TILECC_CHECK(" + cond + ") failed");
}
}  // namespace detail
}  // namespace tilecc

/// Marks a function as a tile kernel. Clang keeps the annotation in its AST,
/// which is how the translator finds kernels; other compilers ignore it.
#if defined(__clang__)
#define TILECC_KERNEL [[clang::annotate("tilecc.kernel")]]
#else
#define TILECC_KERNEL
#endif

/// A host-side precondition of a kernel (shapes, divisibility, ...). Variadic
/// so that commas of multi-argument subscripts do not split the condition.
#define TILECC_CHECK(...)                                                                 \
  do {                                                                                    \
    if (!(__VA_ARGS__)) ::tilecc::detail::check_failed(#__VA_ARGS__, __FILE__, __LINE__); \
  } while (false)
