// What `tilecc translate` does with kernels once it has them (cli/cmd_translate.cpp): per
// kernel the default config for the arch or the given one, lowering and printing, then the
// whole file. The refusals the command reports as errors return false; any other exception
// escapes, and the fuzzer reports it as the crash it would be in the command.
#pragma once

#include <string>
#include <vector>

#include "translator/codegen/emit_cuda.hpp"
#include "translator/codegen/translate_file.hpp"
#include "translator/config/config.hpp"
#include "translator/passes/pass.hpp"

namespace tilecc::fuzz {

/// The CUDA of one kernel, or false where translate would print an error.
inline bool emit(const ir::Kernel& k, const config::Config& config, const std::string& arch, bool specialize_auto,
                 std::string& out) {
  codegen::EmitOptions options;
  options.arch = arch;
  try {
    out = codegen::emit_kernel_text(k, config, options, codegen::VariantOptions{specialize_auto, {}});
  } catch (const passes::LoweringError&) {
    return false;
  } catch (const config::ConfigError&) {
    return false;
  }
  return true;
}

/// Every kernel of `unit` under its default config for `arch`, assembled into the file.
inline bool translate(const codegen::TranslationUnit& unit, const std::string& arch, bool specialize_auto) {
  std::vector<std::string> code(unit.module.kernels.size());
  for (std::size_t i = 0; i < code.size(); ++i) {
    const ir::Kernel& k = unit.module.kernels[i];
    config::Config config;
    try {
      config = config::default_config(k, arch);
    } catch (const config::ConfigError&) {
      return false;
    }
    if (!emit(k, config, arch, specialize_auto, code[i])) return false;
  }
  (void)codegen::assemble_file(unit, code, arch);
  return true;
}

}  // namespace tilecc::fuzz
