// codegen_corpus <out_dir>: writes the CUDA that `tilecc translate` prints for every bundled
// example, kernel and config the test tiers exercise, one file each, so that a change of the
// emitter shows as changed bytes (test/data/codegen_corpus.sha256 holds their hashes; the
// golden test codegen_corpus:byte_identity compares; scripts/codegen_corpus_diff.sh shows the
// lines that changed).
//
// Per kernel instance, <stem>.<kernel>[.<instance>].<label>.cu with label
//   default-sm_80, default-sm_90a   the default config of that arch
//   auto-sm_90a                     the default sm_90a config with --specialize=auto
//   sampleNN-sm_90a                 the nvrtc tier's seeded sample (NN = 00..19)
// and per example the whole translated file, <stem>.<label>.cu, for the default and auto
// labels: what `tilecc translate examples/<stem>.tile.cpp --arch <arch> [--specialize=auto]`
// prints when run from the repository root (the header names the input relative to it, so
// the corpus does not depend on where the checkout is).
//
// Each example is parsed once; everything else is emission. The output is deterministic: the
// examples sorted, kernels in module order, the sample drawn from a fixed seed.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "autotune/config_space.hpp"
#include "test/support/examples.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/codegen/emit_dispatch.hpp"
#include "translator/codegen/translate_file.hpp"
#include "translator/config/config.hpp"
#include "translator/frontend/frontend.hpp"
#include "translator/ir/verifier.hpp"

namespace fs = std::filesystem;
using tilecc::config::Config;

namespace {

// The nvrtc tier's sample (test/nvrtc_examples/test_config_space_nvrtc.cpp), drawn the same
// way: the same base config, cover, count, seed and arch, over all template instances of a
// kernel name at once. Keep the two in step, or the corpus no longer covers what that tier
// compiles.
constexpr int kSamples = 20;
constexpr std::uint64_t kSeed = 20261202;
constexpr const char* kSampleArch = "sm_90a";

Config sample_base(const tilecc::ir::Kernel& k) {
  Config c = tilecc::config::default_config(k);
  if (k.name == "softmax") c.full_extent = 4096;
  return c;
}
std::vector<std::string> sample_cover(const std::string& kernel) {
  if (kernel == "matmul") return {"range_num_stages[0]", "dot_instruction", "dot_operand_load"};
  return {};
}

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

class Corpus {
 public:
  explicit Corpus(fs::path dir) : dir_(std::move(dir)) {}

  void write(const std::string& name, const std::string& text) {
    if (!names_.insert(name).second) throw Failure("two corpus files named " + name);
    std::ofstream out(dir_ / name, std::ios::binary);
    out << text;
    if (!out) throw Failure("cannot write " + (dir_ / name).string());
  }
  std::size_t size() const { return names_.size(); }

 private:
  fs::path dir_;
  std::set<std::string> names_;
};

/// "<stem>.<kernel>[.<instance>]": a kernel instance's part of its file names.
std::string kernel_stem(const std::string& stem, const tilecc::ir::Kernel& k) {
  const std::string suffix = tilecc::codegen::instance_suffix(k);
  return stem + "." + k.name + (suffix.empty() ? "" : "." + suffix);
}

/// A config's text, or (no config) what `tilecc translate` prints given none.
std::string emit(const tilecc::ir::Kernel& k, const Config* config, const tilecc::codegen::EmitOptions& options,
                 const tilecc::codegen::VariantOptions& variants, const std::string& what) {
  try {
    return config ? tilecc::codegen::emit_kernel_text(k, *config, options, variants)
                  : tilecc::codegen::emit_default_text(k, options, variants);
  } catch (const std::exception& e) {
    throw Failure(fmt::format("{}: {}", what, e.what()));
  }
}

void translate_example(const fs::path& file, Corpus& corpus) {
  const std::string relative = fs::path(file).lexically_relative(TILECC_SOURCE_DIR).generic_string();
  const std::string name = file.filename().string();
  const std::string stem = name.substr(0, name.size() - std::string(".tile.cpp").size());

  tilecc::frontend::Result parsed = tilecc::frontend::parse(file.string(), {});
  if (!parsed.ok) throw Failure(relative + ": the frontend reported errors");
  tilecc::codegen::TranslationUnit unit;
  unit.input = relative;
  unit.module = std::move(parsed.module);
  unit.source = std::move(parsed.source);
  for (tilecc::frontend::Replacement& rep : parsed.replacements) {
    if (rep.kernel < 0)
      unit.replace_with_note(rep.offset, rep.length, rep.note);
    else
      unit.replace_kernel(rep.offset, rep.length, std::move(rep.template_decl), std::move(rep.instances));
  }
  try {
    tilecc::ir::verify(unit.module);
  } catch (const std::exception& e) {
    throw Failure(fmt::format("{}: internal error: {}", relative, e.what()));
  }
  const std::vector<tilecc::ir::Kernel>& kernels = unit.module.kernels;
  if (kernels.empty()) throw Failure(relative + ": no kernels");
  const std::vector<std::string> source_lines = split_lines(unit.source);

  // The default config of each arch, generic and (sm_90a) specialized: per kernel and whole file.
  struct Translation {
    std::string label, arch;
    bool specialize_auto;
  };
  for (const Translation& t : {Translation{"default-sm_80", "sm_80", false}, Translation{"default-sm_90a", "sm_90a", false},
                               Translation{"auto-sm_90a", "sm_90a", true}}) {
    tilecc::codegen::EmitOptions options;
    options.arch = t.arch;
    options.source_lines = source_lines;
    const tilecc::codegen::VariantOptions variants{t.specialize_auto, {}};
    std::vector<std::string> code;
    for (const tilecc::ir::Kernel& k : kernels) {
      const std::string file_name = fmt::format("{}.{}.cu", kernel_stem(stem, k), t.label);
      code.push_back(emit(k, nullptr, options, variants, file_name));
      corpus.write(file_name, code.back());
    }
    corpus.write(fmt::format("{}.{}.cu", stem, t.label), tilecc::codegen::assemble_file(unit, code, t.arch));
  }

  // The seeded sample, every config for every instance.
  tilecc::codegen::EmitOptions options;
  options.arch = kSampleArch;
  options.source_lines = source_lines;
  std::map<std::string, std::vector<const tilecc::ir::Kernel*>> by_name;
  for (const tilecc::ir::Kernel& k : kernels) by_name[k.name].push_back(&k);
  for (const auto& [kernel_name, instances] : by_name) {
    std::vector<std::unique_ptr<tilecc::autotune::ConfigSpace>> owned;
    std::vector<const tilecc::autotune::ConfigSpace*> spaces;
    for (const tilecc::ir::Kernel* k : instances) {
      owned.push_back(std::make_unique<tilecc::autotune::ConfigSpace>(*k, sample_base(*k)));
      spaces.push_back(owned.back().get());
    }
    std::vector<Config> sample;
    try {
      sample = tilecc::autotune::sample_configs(spaces, kSamples, kSeed, kSampleArch, sample_cover(kernel_name));
    } catch (const std::exception& e) {
      throw Failure(fmt::format("{}: kernel {}: sampling configs: {}", relative, kernel_name, e.what()));
    }
    if (sample.size() != static_cast<std::size_t>(kSamples))
      throw Failure(fmt::format("{}: kernel {}: {} sampled configs, not {}", relative, kernel_name, sample.size(), kSamples));
    for (std::size_t i = 0; i < sample.size(); ++i)
      for (const tilecc::ir::Kernel* k : instances) {
        const std::string file_name = fmt::format("{}.sample{:02}-{}.cu", kernel_stem(stem, *k), i, kSampleArch);
        corpus.write(file_name, emit(*k, &sample[i], options, {}, file_name));
      }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string(argv[1]).starts_with("-")) {
    std::fprintf(stderr,
                 "usage: codegen_corpus <out_dir>\n"
                 "Writes the translated CUDA of every example kernel (default configs for sm_80 and sm_90a,\n"
                 "--specialize=auto for sm_90a, the nvrtc tier's %d seeded sm_90a configs) into <out_dir>,\n"
                 "which must be empty or not exist.\n",
                 kSamples);
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const fs::path dir = argv[1];
  try {
    if (fs::exists(dir) && !fs::is_empty(dir)) throw Failure(dir.string() + " is not empty");
    fs::create_directories(dir);
    Corpus corpus(dir);
    const std::vector<fs::path> files = tilecc::test::example_files();
    if (files.empty()) throw Failure("no examples under " TILECC_SOURCE_DIR "/examples");
    for (const fs::path& file : files) translate_example(file, corpus);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "codegen_corpus: %zu files from %zu examples in %.1f s\n", corpus.size(), files.size(), seconds);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "codegen_corpus: %s\n", e.what());
    return 1;
  }
  return 0;
}
