// nvrtc tier: the file `translate --tuned` writes for several tuned shapes (the checked-in
// softmax database of test/data/tuning, its key fields filled in for this build) holds every
// config's kernels under distinct symbols, and all of them compile with NVRTC in one program.
// The host side (launchers, the dispatch) is compiled by the nvcc tier (test/nvcc/shape_dispatch.sh).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "autotune/tuned_dispatch.hpp"
#include "autotune/worker_roles.hpp"
#include "runtime/nvrtc.hpp"
#include "translator/codegen/emit_dispatch.hpp"
#include "translator/ir/serialize.hpp"

namespace ir = tilecc::ir;
namespace cg = tilecc::codegen;
namespace rt = tilecc::runtime;
using namespace tilecc::autotune;

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
}

}  // namespace

TEST_CASE("a shape dispatch's kernels have distinct symbols and compile together with NVRTC", "[nvrtc][dispatch]") {
  const std::filesystem::path data = TILECC_TEST_DATA_DIR;
  ir::Kernel k;
  for (const ir::Kernel& each : ir::deserialize(read(data / "ir" / "softmax.json")).kernels)
    if (each.name == "softmax" && each.instance == "tilecc::bf16") k = each;
  REQUIRE(k.name == "softmax");
  const DbKey key = tuning_key(k, "", "", "");
  std::string db_text = read(data / "tuning" / "softmax_bf16_shapes.json");
  replace_all(db_text, "@SOURCE_HASH@", key.source_hash);
  replace_all(db_text, "@VERSION@", key.version);
  replace_all(db_text, "@SPACE@", key.space);
  const auto db_path = std::filesystem::temp_directory_path() / "tilecc_shape_dispatch_nvrtc.json";
  std::ofstream(db_path) << db_text;
  const auto dispatch = find_tuned_dispatch(k, TuningDb(db_path), "sm_90a", "translate", "", 4);
  std::filesystem::remove(db_path);
  REQUIRE(dispatch);
  REQUIRE(dispatch->table.configs.size() == 4);

  cg::EmitOptions eo;
  eo.arch = "sm_90a";
  const std::string text = cg::emit_dispatch_text(k, dispatch->table, eo, {});
  // The __global__ functions, each up to the brace closing it at the start of a line.
  std::string device;
  std::set<std::string> symbols;
  const std::regex name(R"(__global__ void __launch_bounds__\(\d+\) (\w+)\()");
  for (std::size_t at = 0; (at = text.find("__global__ void", at)) != std::string::npos;) {
    const std::size_t end = text.find("\n}\n", at);
    REQUIRE(end != std::string::npos);
    const std::string function = text.substr(at, end + 3 - at);
    std::smatch m;
    REQUIRE(std::regex_search(function, m, name));
    CHECK(symbols.insert(m[1]).second);
    device += function + "\n";
    at = end;
  }
  // Four configs and the default, each with its looped variant for long rows.
  CHECK(symbols.size() == 10);
  CHECK(symbols.count("softmax_bf16_kernel_cfg3_looped"));
  CHECK(symbols.count("softmax_bf16_kernel_default"));

  rt::CompileOptions co;
  co.arch = "sm_90a";
  co.include_dirs = {TILECC_TEMPLATES_DIR};
  for (const std::string& s : symbols) co.name_expressions.push_back("&" + s);
  const std::string source = candidate_source(device);
  INFO(source);
  rt::CompileOutput out;
  REQUIRE_NOTHROW(out = rt::nvrtc_compile(source, co));
  CHECK(out.lowered_names.size() == symbols.size());
}
