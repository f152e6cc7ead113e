// The frontend: parses a .tile.cpp with Clang and lowers its kernels to tile IR.
//
// This header is Clang-free so the CLI can call the frontend without seeing
// Clang; only the .cpp files in this folder include Clang.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "translator/ir/ir.hpp"

namespace tilecc::frontend {

struct Options {
  std::vector<std::string> extra_args;   // -I, -D, ... passed to Clang
  std::string compile_commands_dir;      // use this compile_commands.json if set
  std::string language_include_dir;      // holds tilecc/tile.hpp (empty: the source tree's)
  std::optional<std::string> contents;   // the file's text, given rather than read (the fuzzer)
  bool catch_crashes = true;             // report a crash inside Clang (false: let it through,
                                         // so a fuzzer's sanitizers see it)
};

/// A region of the source file to replace with generated code.
struct Replacement {
  std::size_t offset = 0, length = 0;  // bytes in the main file
  int kernel = -1;                     // the function a kernel family replaces (-1: remove)
  std::vector<int> instances;          // indices into Module::kernels defined here
  std::string note;                    // why (for removed explicit instantiations)
  std::string
      template_decl;  // kernel templates: `template <class T> cudaError_t k(..., cudaStream_t stream = nullptr);`
};

struct Result {
  bool ok = false;
  ir::Module module;
  std::string source;  // the main file's text
  std::vector<Replacement> replacements;  // sorted by offset, non-overlapping
  std::vector<std::string> files;  // every file Clang read, the main file first (for a depfile)
};

/// Parses `path` and lowers every TILECC_KERNEL function (each instantiation
/// of a kernel template) to IR. Diagnostics go to stderr in Clang's format;
/// `ok` is false if any error was reported.
Result parse(const std::string& path, const Options& options);

}  // namespace tilecc::frontend
