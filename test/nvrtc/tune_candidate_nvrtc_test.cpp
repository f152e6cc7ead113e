// nvrtc tier: what `tilecc tune` compiles per candidate. Specialized for the tuner's arguments
// (aligned contiguous 4096^3 bf16), the default matmul config compiles without the dot loop's
// general path beside the cp.async pipeline: a much smaller cubin than the generic kernel's,
// which NVRTC takes several times longer to build; and the compile worker's cache keys follow
// the headers; the bench worker's own kernels compile. No GPU needed.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "autotune/launch.hpp"
#include "autotune/worker_roles.hpp"
#include "runtime/nvrtc.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/ir/serialize.hpp"

namespace ir = tilecc::ir;
namespace cg = tilecc::codegen;
namespace config = tilecc::config;
namespace autotune = tilecc::autotune;
namespace rt = tilecc::runtime;
using namespace tilecc::autotune;

TEST_CASE("a tuner candidate specialized for its arguments compiles without the paths they cannot take",
          "[nvrtc][tune]") {
  std::ifstream in(std::string(TILECC_TEST_DATA_DIR) + "/ir/matmul.json");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  ir::Kernel k;
  for (const ir::Kernel& each : ir::deserialize(ss.str()).kernels)
    if (each.instance == "tilecc::bf16") k = each;
  REQUIRE(k.name == "matmul");
  std::vector<ArgSpec> specs;
  for (const char* a : {"x=bf16[4096,4096]", "y=bf16[4096,4096]", "out=bf16[4096,4096]"}) specs.push_back(parse_arg(a));
  const std::vector<ArgSpec> bound = bind_args(k, specs);
  config::Config c = config::default_config(k);
  c.block_sizes = {32, 128, 128};
  c.num_warps = 4;

  auto cubin = [&](bool specialized) {
    cg::EmitOptions eo;
    eo.arch = "sm_90a";
    if (specialized) eo.specialization = specialization_for(k, c, bound, eo.arch);
    const cg::KernelCode code = cg::emit_kernel(k, c, eo);
    rt::CompileOptions co;
    co.arch = eo.arch;
    co.include_dirs = {TILECC_TEMPLATES_DIR};
    co.name_expressions = {"&" + code.kernel_symbol};
    const std::string source = candidate_source(code.global_function);
    INFO(source);
    rt::CompileOutput out;
    REQUIRE_NOTHROW(out = rt::nvrtc_compile(source, co));
    return out.cubin.size();
  };
  const std::size_t generic = cubin(false), specialized = cubin(true);
  INFO("cubin bytes: generic " << generic << ", specialized " << specialized);
  CHECK(specialized * 2 < generic);
}

TEST_CASE("the compile worker keys its cubins by the included headers' hash too", "[nvrtc][tune]") {
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc-tune-key-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  nlohmann::json request = {{"source", "extern \"C\" __global__ void k(float* p) { p[0] = 1.f; }"},
                            {"symbol", "k"},
                            {"arch", "sm_90a"},
                            {"cache_dir", dir.string()},
                            {"key_parts", {"headers-1"}}};
  const nlohmann::json first = handle_compile(request);
  REQUIRE(first.value("ok", false));
  CHECK_FALSE(first.value("from_cache", true));
  CHECK(handle_compile(request).value("from_cache", false));  // same headers: a hit
  request["key_parts"] = {"headers-2"};                       // a header changed: compiled again
  const nlohmann::json changed = handle_compile(request);
  CHECK_FALSE(changed.value("from_cache", true));
  CHECK(changed.at("key") != first.at("key"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the bench worker's fill and compare kernels compile for every tensor dtype", "[nvrtc][tune]") {
  rt::CompileOptions co;
  co.arch = "sm_90a";
  for (ir::DType t : {ir::DType::f32, ir::DType::f64, ir::DType::bf16, ir::DType::f16, ir::DType::i32, ir::DType::i64,
                      ir::DType::i8, ir::DType::bf16}) {  // a type twice, as two tensors of one dtype ask
    co.name_expressions.push_back(std::string("&fill<") + device_type(t) + ">");
    co.name_expressions.push_back(std::string("&compare<") + device_type(t) + ">");
  }
  rt::CompileOutput out;
  REQUIRE_NOTHROW(out = rt::nvrtc_compile(bench_helper_source(), co));
  CHECK(out.lowered_names.size() == co.name_expressions.size());
  CHECK(out.lowered_names[4] == out.lowered_names[14]);  // fill<__nv_bfloat16> both times
}
