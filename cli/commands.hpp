// The subcommands of the `tilecc` command line.
//
// Each subcommand lives in cli/cmd_<name>.cpp and is added to the top-level app by its
// register_<name> function, so one can be replaced without touching the others. There a
// subcommand is a CLI::App subclass that owns its options, so they live as long as the app.
// Its action is its CLI11 callback: it runs once parsing succeeded, and ends the process
// with a non-zero status by throwing CLI::RuntimeError(status).
#pragma once

#include <CLI/CLI.hpp>

#include <string_view>

namespace tilecc::cli {

void register_translate(CLI::App& app);
void register_tune(CLI::App& app);
void register_bench(CLI::App& app);
void register_config_space(CLI::App& app);

// Sets up `app` as the `tilecc` command: global flags and every subcommand.
void build_app(CLI::App& app);

// Parses the command line and runs the chosen subcommand; returns the exit status: the
// subcommand's, or 2 for a usage error (an unknown subcommand or option, a missing or invalid
// value), after printing what was wrong.
int run_command_line(CLI::App& app, int argc, const char* const* argv);

// For a subcommand that is declared but not built yet: says so on stderr and exits with
// status 2, so that a script relying on it fails loudly instead of doing nothing.
[[noreturn]] void not_implemented(std::string_view command);

} // namespace tilecc::cli
