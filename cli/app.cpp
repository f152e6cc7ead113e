#include "cli/commands.hpp"

#include <tilecc/version.hpp>

#include <fmt/format.h>

#include <cstdio>

namespace tilecc::cli {

void build_app(CLI::App& app) {
  app.description("tilecc: translates C++ tile kernels to CUDA C++, tunes and benchmarks them");
  app.set_version_flag("--version", "tilecc " TILECC_VERSION);
  app.require_subcommand(1);
  register_translate(app);
  register_tune(app);
  register_bench(app);
  register_config_space(app);
}

void not_implemented(std::string_view command) {
  fmt::print(stderr, "tilecc {}: not implemented yet in this build (tracked in the issue tracker)\n",
             command);
  throw CLI::RuntimeError(2);
}

} // namespace tilecc::cli
