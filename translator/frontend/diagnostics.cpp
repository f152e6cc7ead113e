#include "diagnostics.hpp"

namespace tilecc::frontend {

bool Diagnostics::seen(clang::SourceLocation at, const std::string& message) {
  return !reported_.emplace(at.getRawEncoding(), message).second;
}

void Diagnostics::error(clang::SourceRange range, const std::string& message, const std::string& hint) {
  if (seen(range.getBegin(), message)) throw LoweringAborted{};
  clang::DiagnosticsEngine& de = ctx_.getDiagnostics();
  const unsigned id = de.getCustomDiagID(clang::DiagnosticsEngine::Error, "%0");
  de.Report(range.getBegin(), id) << message << clang::CharSourceRange::getTokenRange(range);
  if (!hint.empty()) {
    const unsigned note = de.getCustomDiagID(clang::DiagnosticsEngine::Note, "%0");
    de.Report(range.getBegin(), note) << hint;
  }
  throw LoweringAborted{};
}

void Diagnostics::warning(clang::SourceRange range, const std::string& message) {
  if (seen(range.getBegin(), message)) return;
  clang::DiagnosticsEngine& de = ctx_.getDiagnostics();
  const unsigned id = de.getCustomDiagID(clang::DiagnosticsEngine::Warning, "%0");
  de.Report(range.getBegin(), id) << message << clang::CharSourceRange::getTokenRange(range);
}

}  // namespace tilecc::frontend
