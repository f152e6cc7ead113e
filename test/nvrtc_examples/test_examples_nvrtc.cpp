// nvrtc tier: every example, translated with its default config for the architecture, compiles
// with NVRTC for sm_80 and sm_90a, and ptxas reports no register spills. No GPU needed.
#include <catch2/catch.hpp>
#include <nvrtc.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "test/support/examples.hpp"
#include "test/support/nvrtc_compile.hpp"
#include "translator/config/config.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/frontend/frontend.hpp"

namespace {

struct Compiled {
  bool ok = false;
  std::string log;
};

Compiled compile(const std::string& source, const std::string& arch) {
  const auto out = tilecc::test::nvrtc_compile(
      source, {"-arch=" + arch, "--std=c++20", "--ptxas-options=-v", std::string("-I") + TILECC_TEMPLATES_DIR,
               std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
  return {out.status == NVRTC_SUCCESS, out.log};
}

}  // namespace

TEST_CASE("every example compiles with NVRTC for sm_80 and sm_90a without spills", "[nvrtc]") {
  const std::vector<std::filesystem::path> files = tilecc::test::example_files();
  REQUIRE(files.size() >= 13);
  for (const auto& file : files) {
    const tilecc::frontend::Result parsed = tilecc::frontend::parse(file.string(), {});
    INFO(file.filename().string());
    REQUIRE(parsed.ok);
    for (const std::string arch : {"sm_80", "sm_90a"}) {
      // Each architecture's own defaults (sm_90a: warpgroup-MMA tiles for f16/bf16 dots).
      std::string source = "#include <tilecc/device.cuh>\n#include <tilecc/device/tensor_arg.cuh>\n";
      tilecc::codegen::EmitOptions options;
      options.arch = arch;
      for (const tilecc::ir::Kernel& k : parsed.module.kernels)
        source += tilecc::codegen::emit_kernel(k, tilecc::config::default_config(k, arch), options).global_function;
      const Compiled c = compile(source, arch);
      INFO(arch << "\n" << c.log);
      CHECK(c.ok);
      // ptxas: "N bytes spill stores, M bytes spill loads" per kernel.
      const std::regex spill("([0-9]+) bytes spill stores, ([0-9]+) bytes spill loads");
      int kernels = 0;
      for (auto it = std::sregex_iterator(c.log.begin(), c.log.end(), spill); it != std::sregex_iterator(); ++it) {
        ++kernels;
        CHECK((*it)[1] == "0");
        CHECK((*it)[2] == "0");
      }
      CHECK(kernels >= static_cast<int>(parsed.module.kernels.size()));
    }
  }
}

TEST_CASE("the language test kernels (test/kernels) compile with NVRTC for sm_80 and sm_90a", "[nvrtc]") {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(TILECC_SOURCE_DIR) / "test/kernels"))
    if (entry.path().string().ends_with(".tile.cpp")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 2);
  for (const auto& file : files) {
    const tilecc::frontend::Result parsed = tilecc::frontend::parse(file.string(), {});
    INFO(file.filename().string());
    REQUIRE(parsed.ok);
    for (const std::string arch : {"sm_80", "sm_90a"}) {
      std::string source = "#include <tilecc/device.cuh>\n#include <tilecc/device/tensor_arg.cuh>\n";
      tilecc::codegen::EmitOptions options;
      options.arch = arch;
      for (const tilecc::ir::Kernel& k : parsed.module.kernels)
        source += tilecc::codegen::emit_kernel(k, tilecc::config::default_config(k, arch), options).global_function;
      const Compiled c = compile(source, arch);
      INFO(arch << "\n" << c.log);
      CHECK(c.ok);
    }
  }
}
