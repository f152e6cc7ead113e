// `tilecc bench`: time a kernel's generated code on this machine's GPU.
#include "cli/commands.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tilecc::cli {
namespace {

class Bench final : public CLI::App {
 public:
  Bench() : CLI::App("Benchmark a tile kernel on this machine's GPU", "bench") {
    add_option("input", input_, "Tile kernel source (.tile.cpp)")->required()->check(CLI::ExistingFile);
    add_option("-k,--kernel", kernel_, "Kernel to benchmark (needed when the file defines several)");
    add_option("--config", config_, "Config as JSON text or a .json file (default: the tuned config)");
    add_option("--arg", args_, "Argument to run with, e.g. x=bf16[4096,4096] (repeatable, one per argument)")
        ->allow_extra_args(false);
    callback([] { not_implemented("bench"); });
  }

 private:
  std::string input_;
  std::string kernel_;
  std::string config_;
  std::vector<std::string> args_;
};

} // namespace

void register_bench(CLI::App& app) { app.add_subcommand(std::make_shared<Bench>()); }

} // namespace tilecc::cli
