// Malformed configs, IR and command lines end in an error that names what is wrong, never
// in a crash, a silent conversion or a hang.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/ir/verifier.hpp"

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(TILECC_TEST_DATA_DIR) + "/ir/" + name);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

tilecc::ir::Kernel softmax() { return tilecc::ir::deserialize(fixture("softmax.json")).kernels.at(0); }

std::string config_error(const std::string& text) {
  try {
    tilecc::config::parse_config(text, softmax());
  } catch (const tilecc::config::ConfigError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string serialize_error(const std::string& text) {
  try {
    tilecc::ir::deserialize(text);
  } catch (const tilecc::ir::SerializeError& e) {
    return e.what();
  }
  return "(accepted)";
}

/// The softmax fixture changed by `mutate`, then read and verified: the error, if any.
std::string ir_error(const std::function<void(nlohmann::json&)>& mutate) {
  nlohmann::json j = nlohmann::json::parse(fixture("softmax.json"));
  mutate(j);
  try {
    tilecc::ir::verify(tilecc::ir::deserialize(j.dump()));
  } catch (const tilecc::ir::SerializeError& e) {
    return e.what();
  } catch (const tilecc::ir::VerifyError& e) {
    return e.what();
  }
  return "(accepted)";
}

using Catch::Matchers::Contains;

}  // namespace

TEST_CASE("config values of the wrong type are refused naming the field", "[hardening][config]") {
  CHECK(config_error(R"({"num_warps": 4})") == "(accepted)");
  CHECK_THAT(config_error(R"({"num_warps": 8.5})"), Contains("'num_warps'") && Contains("not an integer"));
  CHECK_THAT(config_error(R"({"num_warps": true})"), Contains("'num_warps'") && Contains("not an integer"));
  CHECK_THAT(config_error(R"({"num_warps": 4294967304})"), Contains("'num_warps'"));
  CHECK_THAT(config_error(R"({"num_warps": -4294967288})"), Contains("'num_warps'"));
  CHECK_THAT(config_error(R"({"block_sizes": [4.5]})"), Contains("'block_sizes[0]'"));
  CHECK_THAT(config_error(R"({"block_sizes": 4})"), Contains("'block_sizes'") && Contains("not a list"));
  CHECK_THAT(config_error(R"({"prefetch": 1})"), Contains("'prefetch'") && Contains("true or false"));
  CHECK_THAT(config_error(R"({"pid": 3})"), Contains("'pid'") && Contains("not a string"));
  CHECK_THAT(config_error(R"({"load_vectors": [true, 1]})"), Contains("'load_vectors[1]'"));
  CHECK_THAT(config_error(R"({"full_extent": 18446744073709551615})"), Contains("'full_extent'"));
}

TEST_CASE("a number too large for a double in a config is an error naming its field", "[hardening][config]") {
  CHECK_THAT(config_error(R"({"num_warps": 1e400})"), Contains("'num_warps'") && Contains("1e400"));
  CHECK_THAT(config_error(R"({"block_sizes": [-1e999]})"), Contains("'block_sizes'") && Contains("-1e999"));
}

TEST_CASE("a huge min_blocks_per_sm does not overflow past the check", "[hardening][config]") {
  // 2^30 blocks x 4 warps x 32 threads is 2^37: in 32 bits it wrapped to 0 and passed.
  CHECK_THAT(config_error(R"({"num_warps": 4, "min_blocks_per_sm": 1073741824})"), Contains("'min_blocks_per_sm'"));
  CHECK_THAT(config_error(R"({"num_warps": 8, "min_blocks_per_sm": 2147483647})"), Contains("'min_blocks_per_sm'"));
}

TEST_CASE("IR reader errors name the field and the place", "[hardening][ir]") {
  CHECK(ir_error([](nlohmann::json&) {}) == "(accepted)");
  CHECK_THAT(ir_error([](nlohmann::json& j) { j["kernels"][0]["body"][0]["body"][1]["expr"]["op"] = 7; }),
             Contains("kernels[0].body[0].body[1].expr.op: expected a string"));
  CHECK_THAT(ir_error([](nlohmann::json& j) { j["kernels"][0]["body"][0]["body"][1]["expr"]["op"] = "frob"; }),
             Contains("kernels[0].body[0].body[1].expr.op: unknown op 'frob'"));
  CHECK_THAT(ir_error([](nlohmann::json& j) { j["kernels"][0]["params"][0].erase("rank"); }),
             Contains("kernels[0].params[0].rank: missing"));
  CHECK_THAT(ir_error([](nlohmann::json& j) { j["kernels"][0]["params"][0]["rank"] = 2.5; }),
             Contains("kernels[0].params[0].rank: expected an integer"));
  CHECK_THAT(ir_error([](nlohmann::json& j) { j["kernels"][0]["body"][0]["dims"] = 3; }),
             Contains("kernels[0].body[0].dims: expected a list"));
  CHECK_THAT(ir_error([](nlohmann::json& j) { j["kernels"] = nlohmann::json::object(); }),
             Contains("kernels: expected a list"));
}

TEST_CASE("a number too large for a double in IR is an error naming its field", "[hardening][ir]") {
  std::string text = fixture("softmax.json");
  const std::string from = "\"index\": 1";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "\"index\": 1e400");
  CHECK_THAT(serialize_error(text), Contains("'index'") && Contains("1e400"));
}

TEST_CASE("deeply nested IR is refused with a depth limit", "[hardening][ir]") {
  nlohmann::json j = nlohmann::json::parse(fixture("softmax.json"));
  j["kernels"][0]["body"][0]["body"][1]["expr"] = "@@";  // let e = ...
  std::string text = j.dump();
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += R"({"kind": "unary", "op": "neg", "dtype": "f32", "args": [)";
  deep += R"({"kind": "var", "name": "v", "dtype": "f32"})";
  for (int i = 0; i < 100000; ++i) deep += "]}";
  text.replace(text.find("\"@@\""), 4, deep);
  CHECK_THAT(serialize_error(text), Contains("nest more than 256 deep"));
  // The raw text, nested as deep as a JSON parser can take: an error, not a stack overflow.
  CHECK_THAT(serialize_error(std::string(200000, '[') + std::string(200000, ']')), Contains("tile IR"));
}

TEST_CASE("the verifier refuses IR that lowering or printing could not handle", "[hardening][ir]") {
  using J = nlohmann::json;
  // body[0]: the launch loop; its body: let v = cast(load x), let e = exp(...), store out.
  auto stmt = [](J& j, int i) -> J& { return j["kernels"][0]["body"][0]["body"][i]; };
  CHECK_THAT(ir_error([&](J& j) { stmt(j, 1)["expr"].erase("args"); }), Contains("takes one operand"));
  CHECK_THAT(ir_error([&](J& j) { stmt(j, 0).erase("expr"); }), Contains("without its value"));
  CHECK_THAT(ir_error([&](J& j) { stmt(j, 2).erase("expr"); }), Contains("without its value"));
  CHECK_THAT(ir_error([&](J& j) { stmt(j, 0)["expr"]["shape"].erase(1); }), Contains("shape rank"));
  CHECK_THAT(ir_error([&](J& j) { stmt(j, 0)["expr"]["args"][0]["indices"].erase(1); }), Contains("rank"));
  CHECK_THAT(ir_error([&](J& j) { stmt(j, 0)["expr"]["args"][0]["shape"].erase(1); }), Contains("shape rank"));
  CHECK_THAT(ir_error([&](J& j) { j["kernels"][0]["body"][0]["dims"][0].erase("end"); }),
             Contains("dims[0].end: missing"));
  CHECK_THAT(ir_error([&](J& j) { j["kernels"][0]["body"][0]["dims"] = J::array(); }),
             Contains("a loop without dimensions"));
  CHECK_THAT(ir_error([&](J& j) {
               j["kernels"][0]["block_slots"][0]["min"] = 8;
               j["kernels"][0]["block_slots"][0]["max"] = 4;
             }),
             Contains("block size 'block_size_tm' ranges over [8, 4]"));
  CHECK_THAT(ir_error([&](J& j) { j["kernels"][0]["block_slots"][0]["max"] = -1; }), Contains("block size"));
  // Text the launcher prints as it is: a template's declaration.
  CHECK_THAT(ir_error([&](J& j) { j["kernels"][0]["template_decl"] = "x"; }),
             Contains("template_decl is not the declaration"));
  // A parameter's spelling must be of its kind: a launcher declaring a tensor as `bool` does
  // not specialize the template (nvcc refused such a file).
  CHECK_THAT(ir_error([&](J& j) { j["kernels"][0]["params"][0]["cpp_type"] = "bool"; }),
             Contains("which does not spell a tilecc::Tensor"));
}

TEST_CASE("a launcher names its tensors' types where the IR does not spell them", "[hardening][ir]") {
  tilecc::ir::Kernel k = softmax();  // softmax<float>
  for (tilecc::ir::Param& p : k.params) p.cpp_type.clear();
  const std::string launcher =
      tilecc::codegen::emit_kernel(k, tilecc::config::default_config(k), tilecc::codegen::EmitOptions{}).launcher;
  CHECK_THAT(launcher, Contains("(tilecc::Tensor<const float, 2> x, tilecc::Tensor<float, 2> out, cudaStream_t"));
  CHECK_THAT(launcher, !Contains("auto"));
}

TEST_CASE("the verifier refuses a reduction over a dimension its operand lacks", "[hardening][ir]") {
  nlohmann::json j = nlohmann::json::parse(fixture("softmax.json"));
  // Find the first reduction anywhere in the kernel and move its dimension out of range.
  std::function<nlohmann::json*(nlohmann::json&)> find = [&](nlohmann::json& n) -> nlohmann::json* {
    if (n.is_object() && n.value("kind", "") == "reduce") return &n;
    if (n.is_structured())
      for (auto& c : n)
        if (nlohmann::json* r = find(c)) return r;
    return nullptr;
  };
  nlohmann::json* reduce = find(j);
  REQUIRE(reduce != nullptr);
  (*reduce)["ival"] = 5;
  CHECK_THROWS_WITH(tilecc::ir::verify(tilecc::ir::deserialize(j.dump())), Contains("reduction over a dimension"));
}

namespace {
int command_line(std::vector<std::string> words) {
  CLI::App app;
  tilecc::cli::build_app(app);
  words.insert(words.begin(), "tilecc");
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  return tilecc::cli::run_command_line(app, static_cast<int>(argv.size()), argv.data());
}
}  // namespace

TEST_CASE("usage errors exit with status 2", "[hardening][cli]") {
  const std::string source = std::string(TILECC_TEST_DATA_DIR) + "/ir/softmax.json";
  CHECK(command_line({}) == 2);                                          // no subcommand
  CHECK(command_line({"frobnicate"}) == 2);                              // unknown subcommand
  CHECK(command_line({"translate"}) == 2);                               // missing input
  CHECK(command_line({"translate", source + ".missing"}) == 2);          // no such file
  CHECK(command_line({"translate", source, "--no-such-flag"}) == 2);     // unknown option
  CHECK(command_line({"translate", source, "--arch", "sm_1"}) == 2);     // invalid value
  CHECK(command_line({"config-space", source, "--sample", "1000000000"}) == 2);  // too many samples
  CHECK(command_line({"config-space", source, "--sample", "x"}) == 2);  // not a number
}
