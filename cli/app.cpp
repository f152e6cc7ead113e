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

int run_command_line(CLI::App& app, int argc, const char* const* argv) {
  // A first word that is no option and no subcommand is a misspelt subcommand; CLI11 would
  // report only that a subcommand is required.
  if (argc >= 2 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known = known || sub->check_name(argv[1]);
      if (!sub->get_group().empty()) names += (names.empty() ? "" : ", ") + sub->get_name();  // not hidden
    }
    if (!known) {
      fmt::print(stderr, "tilecc: unknown subcommand '{}' (subcommands: {}; see tilecc --help)\n", argv[1], names);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);  // prints CLI11's message (help and version on stdout)
    // A subcommand's own failure keeps its status; every usage error exits 2, as is usual
    // for commands, rather than CLI11's code for the kind of error (105, 106, 109, ...).
    if (status == 0 || e.get_name() == "RuntimeError") return status;
    return 2;
  }
  return 0;
}

void not_implemented(std::string_view command) {
  fmt::print(stderr, "tilecc {}: not implemented yet in this build (tracked in the issue tracker)\n", command);
  throw CLI::RuntimeError(2);
}

} // namespace tilecc::cli
