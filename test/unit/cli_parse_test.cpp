// What the `tilecc` command line accepts and rejects, checked by parsing alone: the
// subcommands' actions are switched off, so these tests hold whatever the actions do.
#include "cli/commands.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

namespace {

// An existing file to name as a kernel source: options check that the input exists. (Not
// __FILE__: a compiler cache may make it relative to another folder than the test's.)
const std::string kSource = std::string(TILECC_TEST_DATA_DIR) + "/ir/softmax.json";

class ParseOnly {
 public:
  ParseOnly() {
    tilecc::cli::build_app(app_);
    for (CLI::App* sub : app_.get_subcommands([](CLI::App*) { return true; })) sub->callback(nullptr);
  }

  // Parses `args` as the words after `tilecc` on a command line.
  void parse(std::initializer_list<std::string> args) {
    std::vector<std::string> reversed(std::rbegin(args), std::rend(args)); // CLI11 wants them reversed
    app_.parse(reversed);
  }

  template <typename T> T value(const std::string& subcommand, const std::string& option) {
    return app_.get_subcommand(subcommand)->get_option(option)->as<T>();
  }

 private:
  CLI::App app_;
};

} // namespace

TEST_CASE("a command line needs a subcommand", "[cli]") {
  ParseOnly cli;
  CHECK_THROWS_AS(cli.parse({}), CLI::RequiredError);
  CHECK_THROWS_AS(cli.parse({"frobnicate"}), CLI::ParseError);
}

TEST_CASE("translate takes an existing input file", "[cli]") {
  ParseOnly cli;
  CHECK_THROWS_AS(cli.parse({"translate"}), CLI::RequiredError);
  CHECK_THROWS_AS(cli.parse({"translate", kSource + ".missing"}), CLI::ValidationError);
  cli.parse({"translate", kSource, "-k", "softmax", "-o", "out.cu", "--emit-ir"});
  CHECK(cli.value<std::string>("translate", "input") == kSource);
  CHECK(cli.value<std::string>("translate", "--kernel") == "softmax");
  CHECK(cli.value<std::string>("translate", "--output") == "out.cu");
  CHECK(cli.value<bool>("translate", "--emit-ir"));
  CHECK_FALSE(cli.value<bool>("translate", "--standalone"));
}

TEST_CASE("translate accepts only the supported architectures", "[cli]") {
  ParseOnly cli;
  cli.parse({"translate", kSource});
  CHECK(cli.value<std::string>("translate", "--arch") == "sm_80");
  cli.parse({"translate", kSource, "--arch", "sm_90a"});
  CHECK(cli.value<std::string>("translate", "--arch") == "sm_90a");
  CHECK_THROWS_AS(cli.parse({"translate", kSource, "--arch", "sm_90"}), CLI::ValidationError);
  CHECK_THROWS_AS(cli.parse({"translate", kSource, "--arch", "sm_70"}), CLI::ValidationError);
  cli.parse({"translate", kSource, "--arch", "sm_80,sm_90a"});  // several: one file for each arch
  CHECK(cli.value<std::string>("translate", "--arch") == "sm_80,sm_90a");
  CHECK_THROWS_AS(cli.parse({"translate", kSource, "--arch", "sm_80,sm_70"}), CLI::ValidationError);
}

TEST_CASE("tune collects one --arg per use, in order", "[cli]") {
  ParseOnly cli;
  cli.parse({"tune", kSource, "--arg", "x=bf16[8,4]", "--arg", "out=bf16[8,4]"});
  CHECK(cli.value<std::vector<std::string>>("tune", "--arg") ==
        std::vector<std::string>{"x=bf16[8,4]", "out=bf16[8,4]"});
  CHECK(cli.value<std::string>("tune", "--effort") == "full");
}

TEST_CASE("tune checks effort and budget", "[cli]") {
  ParseOnly cli;
  cli.parse({"tune", kSource, "--effort", "quick", "--budget", "90"});
  CHECK(cli.value<std::string>("tune", "--effort") == "quick");
  CHECK(cli.value<double>("tune", "--budget") == 90.0);
  CHECK_THROWS_AS(cli.parse({"tune", kSource, "--effort", "medium"}), CLI::ValidationError);
  CHECK_THROWS_AS(cli.parse({"tune", kSource, "--budget", "0"}), CLI::ValidationError);
  CHECK_THROWS_AS(cli.parse({"tune", kSource, "--budget", "soon"}), CLI::ValidationError);
}

TEST_CASE("bench and config-space take an input and a kernel name", "[cli]") {
  ParseOnly cli;
  for (const std::string subcommand : {"bench", "config-space"}) {
    INFO(subcommand);
    CHECK_THROWS_AS(cli.parse({subcommand}), CLI::RequiredError);
    cli.parse({subcommand, kSource, "--kernel", "matmul"});
    CHECK(cli.value<std::string>(subcommand, "--kernel") == "matmul");
  }
}
