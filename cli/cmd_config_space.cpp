// `tilecc config-space`: print the config space derived from a kernel's structure.
#include "cli/commands.hpp"

#include <memory>
#include <string>

namespace tilecc::cli {
namespace {

class ConfigSpace final : public CLI::App {
public:
  ConfigSpace() : CLI::App("Print a tile kernel's config space as JSON", "config-space") {
    add_option("input", input_, "Tile kernel source (.tile.cpp)")
        ->required()
        ->check(CLI::ExistingFile);
    add_option("-k,--kernel", kernel_, "Kernel to describe (needed when the file defines several)");
    callback([] { not_implemented("config-space"); });
  }

private:
  std::string input_;
  std::string kernel_;
};

} // namespace

void register_config_space(CLI::App& app) { app.add_subcommand(std::make_shared<ConfigSpace>()); }

} // namespace tilecc::cli
