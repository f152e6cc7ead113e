// Counts heap allocations, for tests that show a path allocates nothing: replaces the
// global operator new / delete of the one program that includes it (include it in
// exactly one source file of an executable).
#pragma once

#include <atomic>
#include <cstdlib>
#include <new>

// GCC flags free() of memory from a replaced operator new, which is exactly how this
// replacement pairs.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

inline std::atomic<long> g_allocations{0};

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
