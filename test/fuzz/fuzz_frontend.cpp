// Fuzz target: kernel source text through the Clang frontend (in-process, on a virtual file
// that includes the language header with the command's fixed flags), the verifier, lowering
// and the CUDA printer, as `tilecc translate k.tile.cpp --arch sm_90a` runs them. Source Clang or the frontend
// refuses with a diagnostic is fine; IR the frontend makes must pass the verifier, and print
// or be refused with a LoweringError or ConfigError.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "test/fuzz/translate.hpp"
#include "translator/frontend/frontend.hpp"
#include "translator/ir/verifier.hpp"

using namespace tilecc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontend::Options options;
  options.contents = std::string(reinterpret_cast<const char*>(data), size);
  options.catch_crashes = false;  // a crash inside Clang's recovery is reported, not absorbed
#ifdef TILECC_FUZZ_PCH
  options.extra_args = {"-include-pch", TILECC_FUZZ_PCH};  // the header's #pragma once skips it after
#endif
  frontend::Result r = frontend::parse("/tilecc-fuzz/input.tile.cpp", options);
  if (!r.ok) return 0;
  try {
    ir::verify(r.module);
  } catch (const ir::VerifyError& e) {
    std::fprintf(stderr, "fuzz_frontend: the frontend made IR the verifier refuses: %s\n", e.what());
    std::abort();
  }
  codegen::TranslationUnit unit;
  unit.input = "input.tile.cpp";
  unit.module = std::move(r.module);
  unit.source = std::move(r.source);
  for (frontend::Replacement& rep : r.replacements) {
    if (rep.kernel < 0)
      unit.replace_with_note(rep.offset, rep.length, rep.note);
    else
      unit.replace_kernel(rep.offset, rep.length, std::move(rep.template_decl), std::move(rep.instances));
  }
  // One arch: Clang dominates the time of a run, and fuzz_ir covers the passes on both.
  fuzz::translate(unit, "sm_90a", false);
  return 0;
}
