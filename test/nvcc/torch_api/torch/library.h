// Stand-in (see ATen/ATen.h): op registration. impl() accepts only the C++ types an op schema's
// Tensor, Tensor(a!), float, int and bool arguments map to.
#pragma once

#include <ATen/ATen.h>

namespace torch {

template <class A>
inline constexpr bool schema_argument = std::is_same_v<A, const at::Tensor&> || std::is_same_v<A, at::Tensor&> ||
                                        std::is_same_v<A, double> || std::is_same_v<A, std::int64_t> ||
                                        std::is_same_v<A, bool>;

struct Library {
  Library& def(const char*) { return *this; }
  template <class... A>
  Library& impl(const char* name, void (*fn)(A...)) {
    static_assert((schema_argument<A> && ...), "an op takes const at::Tensor&, at::Tensor&, double, int64_t or bool");
    (void)name;
    (void)fn;
    return *this;
  }
};

}  // namespace torch

// Registration blocks become functions nobody calls (named by __COUNTER__: one translation unit
// may hold several translated files).
#define TILECC_STUB_CAT2(a, b) a##b
#define TILECC_STUB_CAT(a, b) TILECC_STUB_CAT2(a, b)
#define TORCH_LIBRARY_FRAGMENT(ns, m) \
  [[maybe_unused]] static void TILECC_STUB_CAT(tilecc_stub_fragment_, __COUNTER__)(torch::Library & m)
#define TORCH_LIBRARY_IMPL(ns, key, m) \
  [[maybe_unused]] static void TILECC_STUB_CAT(tilecc_stub_impl_, __COUNTER__)(torch::Library & m)
