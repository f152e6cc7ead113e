// Runs Clang over a .tile.cpp, finds the kernels and lowers them.
#include "frontend.hpp"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/QualTypeNames.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <clang/Frontend/Utils.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>

#include "lower_kernel.hpp"

namespace tilecc::frontend {

namespace {

bool is_kernel(const clang::FunctionDecl& f) {
  for (const auto* a : f.specific_attrs<clang::AnnotateAttr>())
    if (a->getAnnotation() == "tilecc.kernel") return true;
  return false;
}

/// Finds kernels in the main file and lowers each (instantiation).
class KernelFinder : public clang::RecursiveASTVisitor<KernelFinder> {
 public:
  KernelFinder(clang::ASTContext& ctx, Result& out, const std::string& file)
      : ctx_(ctx), sm_(ctx.getSourceManager()), out_(out), file_(file), diags_(ctx) {}

  bool VisitFunctionDecl(clang::FunctionDecl* f) {
    if (!f->isThisDeclarationADefinition() || !sm_.isInMainFile(sm_.getExpansionLoc(f->getLocation()))) return true;
    if (f->isTemplateInstantiation()) return true;  // reached through its template below
    if (!is_kernel(*f)) return true;
    Replacement rep;
    rep.kernel = static_cast<int>(out_.module.kernels.size());
    const clang::FunctionTemplateDecl* tmpl = f->getDescribedFunctionTemplate();
    const clang::SourceRange range = tmpl ? tmpl->getSourceRange() : f->getSourceRange();
    set_span(rep, range);
    if (tmpl) rep.template_decl = launcher_template_decl(*f, rep.offset);
    if (!tmpl) {
      lower(*f, rep);
    } else {
      std::vector<clang::FunctionDecl*> specs(tmpl->specializations().begin(), tmpl->specializations().end());
      // Deterministic order: by where each was instantiated.
      std::sort(specs.begin(), specs.end(), [&](auto* a, auto* b) {
        return sm_.isBeforeInTranslationUnit(a->getPointOfInstantiation(), b->getPointOfInstantiation());
      });
      for (clang::FunctionDecl* s : specs) {
        if (s->getTemplateSpecializationKind() == clang::TSK_ExplicitInstantiationDefinition)
          remove_explicit_instantiation(*s);
        lower(*s, rep);
      }
      if (specs.empty()) {
        clang::DiagnosticsEngine& de = ctx_.getDiagnostics();
        de.Report(f->getLocation(), de.getCustomDiagID(clang::DiagnosticsEngine::Warning,
                                                       "kernel template '%0' is never instantiated in this "
                                                       "file: no GPU code is generated for it"))
            << f->getName();
      }
    }
    out_.replacements.push_back(rep);
    return true;
  }

 private:
  void lower(const clang::FunctionDecl& f, Replacement& rep) {
    if (auto k = lower_kernel(ctx_, diags_, f, file_)) {
      if (const clang::FunctionTemplateDecl* t = f.getPrimaryTemplate()) k->template_decl = qualified_template_decl(*t);
      rep.instances.push_back(static_cast<int>(out_.module.kernels.size()));
      out_.module.kernels.push_back(std::move(*k));
    }
  }

  /// The kernel template's head and signature, returning cudaError_t and
  /// taking a stream: the declaration the launcher specializations complete.
  std::string launcher_template_decl(const clang::FunctionDecl& f, std::size_t begin) {
    const llvm::StringRef text = sm_.getBufferData(sm_.getMainFileID());
    const clang::SourceRange ret = f.getReturnTypeSourceRange();
    const clang::FunctionTypeLoc ftl = f.getFunctionTypeLoc();
    if (ret.isInvalid() || ftl.isNull()) return "";
    const std::size_t ret_begin = sm_.getFileOffset(sm_.getExpansionLoc(ret.getBegin()));
    const std::size_t ret_end = sm_.getFileOffset(
        clang::Lexer::getLocForEndOfToken(sm_.getExpansionLoc(ret.getEnd()), 0, sm_, ctx_.getLangOpts()));
    const std::size_t rparen = sm_.getFileOffset(sm_.getExpansionLoc(ftl.getRParenLoc()));
    std::string head = text.substr(begin, ret_begin - begin).str();
    if (const std::size_t m = head.find("TILECC_KERNEL"); m != std::string::npos)
      head.erase(m, head.find_first_not_of(" \t", m + 13) - m);
    const std::string params = text.substr(ret_end, rparen - ret_end).str();
    return head + "cudaError_t" + params + (f.getNumParams() ? ", " : "") + "cudaStream_t stream = nullptr);";
  }

  /// The launcher template's declaration with every type spelled in full, for CUDA printed from
  /// the IR alone: no source around it resolves an alias such as `tl::`.
  std::string qualified_template_decl(const clang::FunctionTemplateDecl& t) {
    const clang::FunctionDecl& f = *t.getTemplatedDecl();
    clang::PrintingPolicy policy(ctx_.getLangOpts());
    policy.SuppressScope = false;
    std::string head;
    llvm::raw_string_ostream os(head);
    t.getTemplateParameters()->print(os, ctx_, policy);
    std::string params;
    for (const clang::ParmVarDecl* p : f.parameters())
      params += clang::TypeName::getFullyQualifiedName(p->getType(), ctx_, policy) + " " + p->getNameAsString() + ", ";
    return llvm::StringRef(os.str()).rtrim().str() + "\ncudaError_t " + f.getNameAsString() + "(" + params +
           "cudaStream_t stream = nullptr);";
  }

  /// `template void k<float>(...);` would not match the generated launcher:
  /// the generated specializations replace it.
  void remove_explicit_instantiation(const clang::FunctionDecl& s) {
    const clang::SourceLocation at = sm_.getExpansionLoc(s.getPointOfInstantiation());
    if (!sm_.isInMainFile(at)) return;
    const llvm::StringRef text = sm_.getBufferData(sm_.getMainFileID());
    const std::size_t pos = sm_.getFileOffset(at);
    const std::size_t begin = text.substr(0, pos).rfind("template");
    const std::size_t end = text.find(';', pos);
    if (begin == llvm::StringRef::npos || end == llvm::StringRef::npos) return;
    Replacement rep;
    rep.offset = begin;
    rep.length = end + 1 - begin;
    rep.note = "explicit instantiation replaced by the launcher specialization above";
    out_.replacements.push_back(rep);
  }

  void set_span(Replacement& rep, clang::SourceRange range) {
    const clang::SourceLocation b = sm_.getExpansionLoc(range.getBegin());
    clang::SourceLocation e = sm_.getExpansionLoc(range.getEnd());
    e = clang::Lexer::getLocForEndOfToken(e, 0, sm_, ctx_.getLangOpts());
    std::size_t begin = sm_.getFileOffset(b);
    const std::size_t end = sm_.getFileOffset(e);
    // A leading TILECC_KERNEL before the return type belongs to the function.
    const llvm::StringRef text = sm_.getBufferData(sm_.getMainFileID());
    const std::size_t line_start = text.rfind('\n', begin == 0 ? 0 : begin - 1);
    const std::size_t from = line_start == llvm::StringRef::npos ? 0 : line_start + 1;
    const std::size_t marker = text.substr(from, begin - from).find("TILECC_KERNEL");
    if (marker != llvm::StringRef::npos) begin = from + marker;
    rep.offset = begin;
    rep.length = end - begin;
  }

  clang::ASTContext& ctx_;
  clang::SourceManager& sm_;
  Result& out_;
  std::string file_;
  Diagnostics diags_;
};

class Consumer : public clang::ASTConsumer {
 public:
  Consumer(Result& out, std::string file) : out_(out), file_(std::move(file)) {}
  void HandleTranslationUnit(clang::ASTContext& ctx) override {
    if (ctx.getDiagnostics().hasErrorOccurred()) return;  // Clang reported already
    const clang::SourceManager& sm = ctx.getSourceManager();
    out_.source = sm.getBufferData(sm.getMainFileID()).str();
    KernelFinder(ctx, out_, file_).TraverseDecl(ctx.getTranslationUnitDecl());
    out_.ok = !ctx.getDiagnostics().hasErrorOccurred();
  }

 private:
  Result& out_;
  std::string file_;
};

/// Records every file the preprocessor enters, system headers included: a build that
/// re-translates when any of them changes needs all of them, as `-MD` would list.
class FileCollector : public clang::DependencyCollector {
 public:
  bool needSystemDependencies() override { return true; }
};

class Action : public clang::ASTFrontendAction {
 public:
  Action(Result& out, std::string file) : out_(out), file_(std::move(file)) {}
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance&, llvm::StringRef) override {
    return std::make_unique<Consumer>(out_, file_);
  }
  // The preprocessor exists by now but has not entered the main file yet, so the collector
  // sees every file from the main file on.
  bool BeginSourceFileAction(clang::CompilerInstance& ci) override {
    clang::Preprocessor& pp = ci.getPreprocessor();
    files_->attachToPreprocessor(pp);
    // After a fatal error (the error limit included) Clang prints nothing more but would parse
    // on to the end of the file: each file's lexer is sent to its end instead.
    pp.setTokenWatcher([&pp](const clang::Token&) {
      if (!pp.getDiagnostics().hasFatalErrorOccurred()) return;
      if (auto* lexer = static_cast<clang::Lexer*>(pp.getCurrentLexer()))
        lexer->seek(static_cast<unsigned>(lexer->getBuffer().size()), true);
    });
    return true;
  }
  void EndSourceFileAction() override {
    for (const std::string& f : files_->getDependencies())
      if (std::find(out_.files.begin(), out_.files.end(), f) == out_.files.end()) out_.files.push_back(f);
  }

 private:
  Result& out_;
  std::string file_;
  std::shared_ptr<FileCollector> files_ = std::make_shared<FileCollector>();
};

/// Clang's driver reports a bad argument (an unknown flag, a bad value) as an error, and ClangTool
/// compiles anyway and succeeds: the driver's diagnostics go through here to be counted.
class DriverDiagnostics : public clang::DiagnosticConsumer {
 public:
  DriverDiagnostics() : options_(new clang::DiagnosticOptions), printer_(llvm::errs(), options_.get()) {
    options_->ShowOptionNames = true;
    options_->ShowColors = llvm::errs().has_colors();
    printer_.setPrefix("tilecc");  // the command line's fault, not the file's
  }
  void BeginSourceFile(const clang::LangOptions& lang, const clang::Preprocessor* pp) override {
    printer_.BeginSourceFile(lang, pp);
  }
  void EndSourceFile() override { printer_.EndSourceFile(); }
  void HandleDiagnostic(clang::DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    clang::DiagnosticConsumer::HandleDiagnostic(level, info);  // counts
    printer_.HandleDiagnostic(level, info);
  }

 private:
  llvm::IntrusiveRefCntPtr<clang::DiagnosticOptions> options_;
  clang::TextDiagnosticPrinter printer_;
};

class Factory : public clang::tooling::FrontendActionFactory {
 public:
  Factory(Result& out, std::string file, const DriverDiagnostics& driver)
      : out_(out), file_(std::move(file)), driver_(driver) {}
  std::unique_ptr<clang::FrontendAction> create() override { return std::make_unique<Action>(out_, file_); }
  // The compilation prints with the options of its own command line; none is run when the
  // driver refused the arguments.
  bool runInvocation(std::shared_ptr<clang::CompilerInvocation> invocation, clang::FileManager* files,
                     std::shared_ptr<clang::PCHContainerOperations> pch, clang::DiagnosticConsumer*) override {
    if (driver_.getNumErrors() > 0) return false;
    return FrontendActionFactory::runInvocation(std::move(invocation), files, std::move(pch), nullptr);
  }

 private:
  Result& out_;
  std::string file_;
  const DriverDiagnostics& driver_;
};

/// Clang's driver takes the language from the file name's extension, and a file without a C++
/// one for something to link.
bool has_cpp_extension(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  for (const char* e : {".cpp", ".cc", ".cxx", ".c++", ".cp", ".C", ".CPP"})
    if (ext == e) return true;
  return false;
}

}  // namespace

Result parse(const std::string& path, const Options& options) {
  Result result;
  if (!has_cpp_extension(path)) {
    std::fprintf(stderr,
                 "%s: error: not a C++ file name: Clang takes the language from the extension; name a tile kernel "
                 "source *.tile.cpp (or *.cpp, *.cc, *.cxx), or serialized tile IR *.json\n",
                 path.c_str());
    return result;
  }
  std::vector<std::string> args = {"-std=c++2b", "-fsyntax-only", "-D__TILECC__=1",
                                   "-resource-dir=" TILECC_CLANG_RESOURCE_DIR,
                                   "-I" + (options.language_include_dir.empty()
                                               ? std::string(TILECC_LANGUAGE_INCLUDE_DIR)
                                               : options.language_include_dir)};
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());

  std::unique_ptr<clang::tooling::CompilationDatabase> db;
  if (!options.compile_commands_dir.empty()) {
    std::string error;
    db = clang::tooling::CompilationDatabase::loadFromDirectory(options.compile_commands_dir, error);
    if (!db) {
      std::fprintf(stderr, "tilecc: %s\n", error.c_str());
      return result;
    }
  } else {
    db = std::make_unique<clang::tooling::FixedCompilationDatabase>(".", std::vector<std::string>{});
  }
  clang::tooling::ClangTool tool(*db, {path});
  if (options.contents) tool.mapVirtualFile(path, *options.contents);
  tool.appendArgumentsAdjuster(
      clang::tooling::getInsertArgumentAdjuster(args, clang::tooling::ArgumentInsertPosition::END));
  DriverDiagnostics driver_diagnostics;
  tool.setDiagnosticConsumer(&driver_diagnostics);
  std::fflush(stdout);
  Factory factory(result, path, driver_diagnostics);
  // Clang's parser and constant evaluator recurse once per nesting level of the source, and so
  // does lowering up to its depth limit: Clang runs on a thread with a stack large enough for
  // any nesting a file can reach before those limits, and a crash inside Clang is reported
  // as one instead of killing the process without a word.
  constexpr unsigned kStackBytes = 1u << 30;
  if (options.catch_crashes) llvm::CrashRecoveryContext::Enable();
  llvm::CrashRecoveryContext crc;
  int rc = 1;
  std::exception_ptr thrown;
  const bool survived = crc.RunSafelyOnThread(
      [&] {
        try {
          rc = tool.run(&factory);
        } catch (...) {
          thrown = std::current_exception();
        }
      },
      kStackBytes);
  if (options.catch_crashes) llvm::CrashRecoveryContext::Disable();
  if (thrown) std::rethrow_exception(thrown);
  if (!survived) {
    std::fprintf(stderr, "%s: error: internal error: Clang crashed while parsing this file\n", path.c_str());
    result = Result{};
    return result;
  }
  if (rc != 0 || driver_diagnostics.getNumErrors() > 0) result.ok = false;  // matchers may still have run
  std::sort(result.replacements.begin(), result.replacements.end(),
            [](const Replacement& a, const Replacement& b) { return a.offset < b.offset; });
  return result;
}

}  // namespace tilecc::frontend
