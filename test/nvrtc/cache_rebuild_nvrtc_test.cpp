// nvrtc tier: a corrupt cubin cache entry is discarded and NVRTC compiles it again (the
// compile reports the rebuild; the next one is a hit on the fresh entry); and the kernels
// of the tuner's planted faults (a test hook) compile. No GPU needed.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "autotune/worker_roles.hpp"
#include "runtime/cache.hpp"
#include "runtime/nvrtc.hpp"

namespace rt = tilecc::runtime;

TEST_CASE("a corrupt cache entry is compiled again and replaced", "[nvrtc][cache]") {
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc-cache-rebuild-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const rt::DiskCache cache(dir);
  const std::string source = "__global__ void scale(float* x, float a) { x[threadIdx.x] *= a; }\n";
  rt::CompileOptions co;
  co.arch = "sm_80";
  co.name_expressions = {"&scale"};

  const rt::CachedCompile first = rt::compile_cached(source, co, cache);
  CHECK_FALSE(first.from_cache);
  CHECK_FALSE(first.rebuilt);
  REQUIRE(first.cubin.compare(0, 4, "\x7f" "ELF") == 0);
  const auto path = cache.path_of(first.key);
  REQUIRE(std::filesystem::exists(path));

  // A changed byte inside the cubin, the size unchanged.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() / 2] ^= 0x20;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;

  const rt::CachedCompile again = rt::compile_cached(source, co, cache);
  CHECK_FALSE(again.from_cache);  // NVRTC ran
  CHECK(again.rebuilt);
  CHECK(again.cubin == first.cubin);
  CHECK(again.lowered_names == first.lowered_names);
  const rt::CachedCompile third = rt::compile_cached(source, co, cache);
  CHECK(third.from_cache);  // the rebuilt entry is whole
  CHECK_FALSE(third.rebuilt);
  CHECK(third.cubin == first.cubin);
  std::filesystem::remove_all(dir);
}

TEST_CASE("the kernels of planted faults compile", "[nvrtc][tune]") {
  rt::CompileOptions co;
  co.arch = "sm_90a";
  co.name_expressions = {"&planted_fault", "&planted_hang"};
  rt::CompileOutput out;
  REQUIRE_NOTHROW(out = rt::nvrtc_compile(tilecc::autotune::planted_fault_source(), co));
  CHECK(out.lowered_names.size() == 2);
}
