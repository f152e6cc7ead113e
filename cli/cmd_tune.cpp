// `tilecc tune`: search a kernel's config space on this machine's GPU and record the best.
#include "cli/commands.hpp"

#include <memory>
#include <string>
#include <vector>

namespace tilecc::cli {
namespace {

class Tune final : public CLI::App {
public:
  Tune() : CLI::App("Autotune a tile kernel on this machine's GPU", "tune") {
    add_option("input", input_, "Tile kernel source (.tile.cpp)")
        ->required()
        ->check(CLI::ExistingFile);
    add_option("-k,--kernel", kernel_, "Kernel to tune (needed when the file defines several)");
    add_option("--arg", args_,
               "Argument to tune for, e.g. x=bf16[4096,4096] (repeatable, one per argument)")
        ->allow_extra_args(false);
    add_option("--effort", effort_, "Search effort")
        ->check(CLI::IsMember({"quick", "full"}))
        ->capture_default_str();
    add_option("--budget", budget_s_, "Stop searching after this many seconds")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber);
    callback([] { not_implemented("tune"); });
  }

private:
  std::string input_;
  std::string kernel_;
  std::vector<std::string> args_;
  std::string effort_ = "full";
  double budget_s_ = 0;
};

} // namespace

void register_tune(CLI::App& app) { app.add_subcommand(std::make_shared<Tune>()); }

} // namespace tilecc::cli
