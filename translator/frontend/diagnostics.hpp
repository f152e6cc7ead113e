// Clang-style diagnostics for unsupported kernel code: reported through
// Clang's DiagnosticsEngine, so they print as `file:line:col: error: ...`
// with the source line and a caret, followed by a note saying what to write.
#pragma once

#include <clang/AST/ASTContext.h>
#include <clang/Basic/Diagnostic.h>

#include <set>
#include <stdexcept>
#include <string>
#include <utility>

namespace tilecc::frontend {

/// Thrown after an error was reported, to abandon lowering the current kernel.
struct LoweringAborted : std::exception {};

class Diagnostics {
 public:
  explicit Diagnostics(clang::ASTContext& ctx) : ctx_(ctx) {}

  /// Reports an error at `range` (caret at its start) and a note with `hint`; the same error at
  /// the same place is reported once, however many template instances of a kernel meet it.
  [[noreturn]] void error(clang::SourceRange range, const std::string& message, const std::string& hint = "");
  void warning(clang::SourceRange range, const std::string& message);

 private:
  /// Whether (location, message) was reported before; records it.
  bool seen(clang::SourceLocation at, const std::string& message);

  clang::ASTContext& ctx_;
  std::set<std::pair<unsigned, std::string>> reported_;
};

}  // namespace tilecc::frontend
