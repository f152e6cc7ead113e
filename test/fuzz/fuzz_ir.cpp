// Fuzz target: serialized tile IR through the reader, the verifier, lowering and the CUDA
// printer, as `tilecc translate k.json` runs them, for both archs and with --specialize=auto.
// IR the reader or the verifier refuses is fine; IR they accept must print or be refused
// with a LoweringError or ConfigError, and must survive a serialize/read round trip unchanged.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "test/fuzz/json_mutator.hpp"
#include "test/fuzz/translate.hpp"
#include "translator/ir/printer.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/ir/verifier.hpp"

using namespace tilecc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  codegen::TranslationUnit unit;
  unit.input = "fuzz.json";
  unit.from_ir = true;
  try {
    unit.module = ir::deserialize(std::string(reinterpret_cast<const char*>(data), size));
    ir::verify(unit.module);
  } catch (const ir::SerializeError&) {
    return 0;
  } catch (const ir::VerifyError&) {
    return 0;
  }
  const std::string once = ir::serialize(unit.module);
  if (ir::serialize(ir::deserialize(once)) != once) {
    std::fprintf(stderr, "fuzz_ir: the IR changed in a serialize/read round trip\n");
    std::abort();
  }
  (void)ir::to_string(unit.module);
  fuzz::translate(unit, "sm_80", false);
  fuzz::translate(unit, "sm_90a", true);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  return fuzz::mutate_json(data, size, max_size, seed);
}
