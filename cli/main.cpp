// Entry point of the `tilecc` command; the subcommands are in cli/cmd_*.cpp.
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app;
  tilecc::cli::build_app(app);
  return tilecc::cli::run_command_line(app, argc, argv);
}
