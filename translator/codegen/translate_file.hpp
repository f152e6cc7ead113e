// Source-to-source assembly: the original file with each kernel replaced in
// place by its generated CUDA and launcher, everything else passed through.
//
// `tilecc translate` is emit_kernel_text() once per kernel, then assemble_file();
// test/codegen_corpus calls the same two, so its corpus is what translate prints.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "translator/codegen/emit_cuda.hpp"
#include "translator/ir/ir.hpp"

namespace tilecc::codegen {

/// Replace `length` bytes at `offset` of the source with `text`.
struct SourceEdit {
  std::size_t offset = 0, length = 0;
  std::string text;
};

/// Applies non-overlapping edits (any order) and swaps the language header
/// for the CUDA one. Throws std::invalid_argument on overlapping edits.
std::string apply_edits(const std::string& source, std::vector<SourceEdit> edits);

/// A kernel function (or template) of the source: the edit replacing its definition, the
/// declaration kept for callers of a template, and its instances (indices into Module::kernels).
struct KernelFamily {
  std::size_t edit = 0;
  std::string template_decl;
  std::vector<int> instances;
};

/// One input of translate, parsed: the kernels, and for a .tile.cpp the source and where the
/// kernels sit in it.
struct TranslationUnit {
  std::string input;      // the input path, as the header comment names it
  bool from_ir = false;   // serialized IR: no source; the kernels follow the CUDA include
  ir::Module module;
  std::string source;     // the .tile.cpp's text (empty for IR)
  std::vector<SourceEdit> edits;
  std::vector<KernelFamily> families;
  /// --line-directives: the name `#line` gives the source (EmitOptions::line_file; empty: none).
  /// The source's own lines then keep their numbers, the kernels' code is marked as the
  /// printer marks it, and the file needs resolve_line_directives once it is whole.
  std::string line_file;

  /// The kernel family defined at [offset, offset + length) becomes `template_decl` (if any)
  /// followed by the code of its instances.
  void replace_kernel(std::size_t offset, std::size_t length, std::string template_decl, std::vector<int> instances);
  /// Source the translation drops (an explicit instantiation) becomes a comment saying why.
  void replace_with_note(std::size_t offset, std::size_t length, const std::string& note);
};

/// Argument specialization as translate's --specialize / --no-specialize ask for it.
struct VariantOptions {
  bool specialize_auto = false;            // --specialize=auto
  std::vector<std::string> no_specialize;  // parameters or slots never specialized on
};

/// One kernel as translate prints it: a comment naming the kernel and its config; with
/// specialize_auto the specialized kernels, each after the facts it assumes; the generic
/// kernel and a launcher that takes the first specialized kernel whose facts hold for its
/// arguments (else the generic one). The variants' facts are those of options.arch's backend.
/// `device_guard` (several arches in one file, arch_select.hpp): the preprocessor condition under
/// which the __global__ functions' bodies compile (empty: always).
/// Throws CodegenError or ConfigError as emit_kernel does.
std::string emit_kernel_text(const ir::Kernel& kernel, const Config& config, const EmitOptions& options,
                             const VariantOptions& variants, const std::string& device_guard = {});

/// The whole file translate writes (before --standalone inlines headers): a header comment
/// naming the tilecc version, the input and the arch, then the source with every kernel family
/// replaced by its declaration and its instances' code (`kernel_text`, one per Module kernel,
/// in Module order), or for IR input the CUDA include and every kernel's code.
/// `arch` is the --arch text ("sm_80,sm_90a"); `preamble` (the arch selection of a multi-arch
/// file, which needs only the CUDA runtime API nvcc includes first) goes right after the header
/// comment, outside any namespace of the source.
std::string assemble_file(const TranslationUnit& unit, const std::vector<std::string>& kernel_text,
                          const std::string& arch, const std::string& preamble = {});

/// A __global__ function's text with its body inside `#if guard` ... `#endif` (an empty body
/// where the guard does not hold); `guard` empty: unchanged.
std::string guard_device_body(const std::string& global_function, const std::string& guard);

}  // namespace tilecc::codegen
