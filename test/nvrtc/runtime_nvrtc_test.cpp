// nvrtc tier: what the runtime compiles (specialized, generic, static-shape
// variants of the examples) compiles with NVRTC through the disk cache; a
// second compile of the same key is a cache hit. No GPU needed.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/cache.hpp"
#include "runtime/kernel.hpp"
#include "runtime/nvrtc.hpp"

namespace rt = tilecc::runtime;
namespace ir = tilecc::ir;

namespace {

std::vector<rt::Arg> two_d(int tensors, std::int64_t m, std::int64_t n, std::uintptr_t base, std::int64_t ld,
                           std::int64_t cs = 1) {
  std::vector<rt::Arg> args;
  for (int i = 0; i < tensors; ++i)
    args.push_back(rt::Arg::of(rt::TensorRef::strided(reinterpret_cast<void*>(base + i * 0x1000000), ir::DType::f32,
                                                      {m, n}, {ld, cs})));
  return args;
}

}  // namespace

TEST_CASE("runtime variants compile with NVRTC, and the disk cache answers the second time", "[nvrtc][runtime]") {
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc-nvrtc-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const rt::DiskCache cache(dir);
  struct Variant {
    const char* file;
    const char* kernel;
    int tensors;
    std::int64_t m, n, ld, cs;
    std::uintptr_t base;
    tilecc::config::Shapes shapes;
  };
  const Variant variants[] = {
      {"add", "add_f32", 3, 256, 1024, 1024, 1, 0x10000, tilecc::config::Shapes::Dynamic},   // every fact
      {"add", "add_f32", 3, 255, 1000, 1001, 1, 0x10004, tilecc::config::Shapes::Dynamic},   // unit only
      {"add", "add_f32", 3, 200, 96, 1, 200, 0x10000, tilecc::config::Shapes::Dynamic},      // column-major
      {"add", "add_f32", 3, 256, 1024, 1024, 1, 0x10000, tilecc::config::Shapes::Static},    // constants
      {"softmax", "softmax_f32", 2, 256, 512, 512, 1, 0x10000, tilecc::config::Shapes::Dynamic},
      {"softmax", "softmax_f32", 2, 33, 500, 512, 1, 0x10000, tilecc::config::Shapes::Static},
  };
  for (const std::string arch : {"sm_80", "sm_90a"})
    for (const Variant& v : variants) {
      rt::KernelOptions o;
      o.arch = arch;
      o.shapes = v.shapes;
      rt::Kernel k =
          rt::Kernel::from_ir_file(std::string(TILECC_TEST_DATA_DIR) + "/ir/" + v.file + ".json", v.kernel, o);
      const auto args = two_d(v.tensors, v.m, v.n, v.base, v.ld, v.cs);
      const std::string source = k.source_for(args);
      rt::CompileOptions co;
      co.arch = arch;
      co.include_dirs = {TILECC_TEMPLATES_DIR};
      co.name_expressions = {std::string("&") + v.kernel + "_kernel"};
      INFO(arch << " " << v.kernel << " " << v.m << "x" << v.n << "\n" << source);
      rt::CachedCompile first;
      REQUIRE_NOTHROW(first = rt::compile_cached(source, co, cache));
      CHECK_FALSE(first.from_cache);
      CHECK(!first.cubin.empty());
      const rt::CachedCompile second = rt::compile_cached(source, co, cache);
      CHECK(second.from_cache);
      CHECK(second.cubin == first.cubin);
      CHECK(second.lowered_names == first.lowered_names);
    }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a runtime variant whose dot pipeline takes dynamic shared memory compiles", "[nvrtc][runtime]") {
  // 4 stages of 128 x 32 + 32 x 128 bf16 operands: 64 KB, beyond the 48 KB of static shared
  // memory, so the kernel's buffer is dynamic and the runtime must ask for it at launch.
  const std::string ir_file = std::string(TILECC_TEST_DATA_DIR) + "/ir/matmul.json";
  rt::KernelOptions o;
  o.arch = "sm_90a";
  tilecc::config::Config deep =
      tilecc::config::default_config(rt::Kernel::from_ir_file(ir_file, "matmul_bf16", o).ir());
  deep.range_num_stages = {4};
  o.config = deep;
  const rt::Kernel matmul = rt::Kernel::from_ir_file(ir_file, "matmul_bf16", o);
  std::vector<rt::Arg> args;
  for (int i = 0; i < 3; ++i)
    args.push_back(rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(0x100000 + i * 0x1000000),
                                                         ir::DType::bf16, {256, 256})));
  const std::string source = matmul.source_for(args);
  INFO(source);
  CHECK(source.find("dot_loop_store<32, 4, 128, 128, L, 65536>") != std::string::npos);
  rt::CompileOptions co;
  co.arch = "sm_90a";
  co.include_dirs = {TILECC_TEMPLATES_DIR};
  co.name_expressions = {"&matmul_bf16_kernel"};
  rt::CompileOutput compiled;
  REQUIRE_NOTHROW(compiled = rt::nvrtc_compile(source, co));
  CHECK(!compiled.cubin.empty());
}
