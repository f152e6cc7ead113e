// Fuzz target: config JSON through the config reader and its validation against each kernel of
// the IR fixtures (test/data/ir: elementwise, row reductions, a dot), then lowering and printing
// under it for both archs, as `tilecc translate --config` runs them. A config the reader refuses
// is fine; one it accepts must print or be refused with a LoweringError or ConfigError, and
// must read back from its own JSON unchanged.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test/fuzz/json_mutator.hpp"
#include "test/fuzz/translate.hpp"
#include "translator/ir/serialize.hpp"

using namespace tilecc;

namespace {

std::vector<ir::Kernel> load_kernels() {
  std::vector<ir::Kernel> kernels;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(TILECC_FUZZ_IR_DIR)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& f : files) {
    std::ifstream in(f);
    std::ostringstream ss;
    ss << in.rdbuf();
    for (ir::Kernel& k : ir::deserialize(ss.str()).kernels) kernels.push_back(std::move(k));
  }
  if (kernels.empty()) {
    std::fprintf(stderr, "fuzz_config: no IR fixtures in %s\n", TILECC_FUZZ_IR_DIR);
    std::abort();
  }
  return kernels;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<ir::Kernel> kernels = load_kernels();
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const ir::Kernel& k : kernels) {
    config::Config c;
    try {
      c = config::parse_config(text, k);
    } catch (const config::ConfigError&) {
      continue;
    }
    const std::string json = c.to_json();
    if (config::parse_config(json, k).to_json() != json) {
      std::fprintf(stderr, "fuzz_config: config %s reads back differently\n", json.c_str());
      std::abort();
    }
    std::string out;
    fuzz::emit(k, c, "sm_80", false, out);
    fuzz::emit(k, c, "sm_90a", true, out);
  }
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
  return fuzz::mutate_json(data, size, max_size, seed);
}
