// `tilecc config-space`: print the config space derived from a kernel's structure.
//
//   tilecc config-space softmax.tile.cpp -k softmax            the space as JSON
//   tilecc config-space matmul.tile.cpp --sample 20 --seed 1   20 valid configs, "kernel<TAB>config"
//                                                               lines (valid for every instance)
//   tilecc config-space softmax.tile.cpp --sample 20 --full-extent 4096
//                                                               configs that hold rows of 4096
//   tilecc config-space matmul.tile.cpp --sample 20 --cover 'range_num_stages[0]'
//                                                               the first 4 configs: 0, 2, 3, 4 stages
//   tilecc config-space matmul.tile.cpp --check '{"num_warps":64}'
//                                                               why a config cannot work (exit 1)
// A file with several kernels (or template instances) gives one space per kernel: a JSON
// array.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/header_dirs.hpp"
#include "translator/config/config.hpp"
#include "autotune/config_space.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/ir/verifier.hpp"
#ifdef TILECC_HAVE_FRONTEND
#include "translator/frontend/frontend.hpp"
#endif

namespace tilecc::cli {
namespace {

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "%s\n", message.c_str());
  throw CLI::RuntimeError(1);
}

std::string read_file(const std::string& path) { return read_input("tilecc config-space", path); }

class ConfigSpace final : public CLI::App {
 public:
  static constexpr int kMaxSamples = 10000;

  ConfigSpace() : CLI::App("Print a tile kernel's config space as JSON", "config-space") {
    add_option("input", input_, "Tile kernel source (.tile.cpp) or serialized tile IR (.json)")
        ->required()
        ->check(CLI::ExistingFile);
    add_option("-k,--kernel", kernel_, "Kernel to describe (default: every kernel of the file)");
    add_option("--arch", arch_, "GPU architecture: its choices (TMA on sm_90+) and limits (--sample, --check)")
        ->check(CLI::IsMember({"sm_80", "sm_86", "sm_89", "sm_90", "sm_90a"}))
        ->capture_default_str();
    // Each sample is drawn and checked in turn: an unbounded count would run unbounded.
    add_option("--sample", sample_, "Print this many random valid configs instead of the space (at most 10000)")
        ->check(CLI::Range(0, kMaxSamples));
    add_option("--seed", seed_, "Seed of --sample")->capture_default_str();
    add_option("--cover", cover_,
               "With --sample: the first configs take each value of this fragment in turn, e.g. "
               "'range_num_stages[0]' (repeatable)");
    add_option("--full-extent", full_extent_,
               "Bound of whole-dimension tiles (config field full_extent) of the space's base config: the row "
               "length the sample must hold (default: the kernel's default)");
    add_option("--check", check_, "Check a config (JSON text or .json file): prints 'ok' or the reason, exit 1");
    add_option("--extra-arg", extra_args_, "Argument passed to Clang (repeatable)");
    callback([this] { run(); });
  }

 private:
  ir::Module load() {
    check_input("tilecc config-space", input_);
    const bool from_ir = input_.size() > 5 && input_.substr(input_.size() - 5) == ".json";
    ir::Module module;
    if (from_ir) {
      try {
        module = ir::deserialize(read_file(input_));
        ir::verify(module);
      } catch (const std::exception& e) {
        fail(fmt::format("{}: error: {}", input_, e.what()));
      }
      return module;
    }
#ifdef TILECC_HAVE_FRONTEND
    frontend::Options options;
    options.extra_args = extra_args_;
    options.language_include_dir = header_dirs().include;
    frontend::Result r = frontend::parse(input_, options);
    if (!r.ok) throw CLI::RuntimeError(1);
    return std::move(r.module);
#else
    fail("tilecc config-space: this build has no Clang frontend: pass serialized IR (.json)");
#endif
  }

  config::Config base_of(const ir::Kernel& k) const {
    config::Config c = config::default_config(k);
    if (full_extent_ > 0) c.full_extent = full_extent_;
    return c;
  }

  void run() {
    const ir::Module module = load();
    nlohmann::json spaces = nlohmann::json::array();
    bool found = false, bad = false;
    std::set<std::string> sampled;
    for (const ir::Kernel& k : module.kernels) {
      if (!kernel_.empty() && k.name != kernel_) continue;
      found = true;
      const std::string label = k.instance.empty() ? k.name : fmt::format("{}<{}>", k.name, k.instance);
      try {
        const autotune::ConfigSpace space(k, base_of(k), arch_);
        if (!check_.empty()) {
          const std::string text = check_.front() == '{' ? check_ : read_file(check_);
          std::optional<std::string> why;
          try {
            why = space.check(config::apply_config_json(text, space.base()), arch_);
          } catch (const config::ConfigError& e) {
            why = e.what();
          }
          std::printf("%s: %s\n", label.c_str(), why ? why->c_str() : "ok");
          bad = bad || why.has_value();
        } else if (sample_ > 0) {
          // One sample per kernel name, valid for every template instance of it (a translated
          // config applies to all of them): drawn from the last instance's space.
          if (!sampled.insert(k.name).second) continue;
          std::vector<std::unique_ptr<autotune::ConfigSpace>> owned;
          std::vector<const autotune::ConfigSpace*> all;
          for (const ir::Kernel& o : module.kernels)
            if (o.name == k.name) {
              owned.push_back(std::make_unique<autotune::ConfigSpace>(o, base_of(o), arch_));
              all.push_back(owned.back().get());
            }
          for (const config::Config& c : autotune::sample_configs(all, sample_, seed_, arch_, cover_))
            std::printf("%s\t%s\n", k.name.c_str(), c.to_json().c_str());
        } else {
          spaces.push_back(space.to_json());
        }
      } catch (const config::ConfigError& e) {
        fail(fmt::format("tilecc config-space: kernel '{}': {}", label, e.what()));
      }
    }
    if (!found) fail(fmt::format("tilecc config-space: no kernel named '{}' in {}", kernel_, input_));
    if (check_.empty() && sample_ <= 0) {
      const std::string text = (spaces.size() == 1 ? spaces[0] : spaces).dump(2);
      std::printf("%s\n", text.c_str());
    }
    std::fflush(stdout);
    if (bad) throw CLI::RuntimeError(1);
  }

  std::string input_, kernel_, arch_ = "sm_90a", check_;
  std::vector<std::string> extra_args_, cover_;
  int sample_ = 0;
  std::int64_t full_extent_ = 0;
  std::uint64_t seed_ = 1;
};

} // namespace

void register_config_space(CLI::App& app) { app.add_subcommand(std::make_shared<ConfigSpace>()); }

} // namespace tilecc::cli
