// `tilecc translate`: tile kernel source (or serialized IR) -> CUDA C++ or IR.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "autotune/database.hpp"
#include "autotune/tuned_dispatch.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/header_dirs.hpp"
#include "runtime/shipped.hpp"
#include "translator/config/config.hpp"
#include "translator/codegen/arch_select.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/codegen/emit_torch.hpp"
#include "translator/codegen/emit_dispatch.hpp"
#include "translator/launch/default_dispatch.hpp"
#include "translator/codegen/line_directives.hpp"
#include "translator/codegen/standalone.hpp"
#include "translator/codegen/translate_file.hpp"
#include "translator/ir/printer.hpp"
#include "translator/passes/pipeline.hpp"
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

/// A config error names the kernel, unless it already names the kernel's source line.
[[noreturn]] void fail_config(const ir::Kernel& k, const config::ConfigError& e) {
  fail(e.located ? e.what() : fmt::format("tilecc translate: kernel '{}': {}", k.name, e.what()));
}

std::string read_file(const std::string& path) { return read_input("tilecc translate", path); }

void write_output(const std::string& path, const std::string& text) {
  cli::write_output("tilecc translate", path, text);
}

/// "sm_80,sm_90a" -> {"sm_80", "sm_90a"}.
std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

class Translate final : public CLI::App {
 public:
  Translate() : CLI::App("Translate a tile kernel to CUDA C++", "translate") {
    add_option("input", input_, "Tile kernel source (.tile.cpp) or serialized tile IR (.json)")
        ->required()
        ->check(CLI::ExistingFile);
    add_option("-k,--kernel", kernel_, "The kernel --config applies to (needed when the file has several)");
    add_option("--config", config_, "Config as JSON text or a .json file (default: a heuristic)");
    add_option("--arch", arch_,
               "Target GPU architecture, or several separated by commas (sm_80,sm_90a): one file holding each "
               "arch's kernels, whose launchers pick the arch of the device they run on")
        ->check([](const std::string& list) {
          for (const std::string& a : split_list(list))
            if (a != "sm_80" && a != "sm_90a") return "arch '" + a + "' is not one of sm_80, sm_90a";
          return std::string();
        })
        ->capture_default_str();
    add_option("-o,--output", output_, "Output file, '-' for stdout")->capture_default_str();
    add_option("--emit", emit_,
               "What to write: 'cuda' (CUDA C++ with launchers) or 'torch' (the same followed by PyTorch ops "
               "torch.ops.tilecc.<kernel>: a C++ extension for torch.utils.cpp_extension.load)")
        ->check(CLI::IsMember({"cuda", "torch"}))
        ->capture_default_str();
    add_flag("--emit-ir", emit_ir_, "Write the serialized tile IR (JSON) instead of CUDA C++");
    add_flag("--print-ir", print_ir_, "Write the tile IR as readable text instead of CUDA C++");
    add_flag("--print-ir-after-all", print_after_all_,
             "Write the tile IR after each lowering pass (for the config) instead of CUDA C++");
    add_option("--print-ir-after", print_after_,
               "Write the tile IR after this lowering pass instead of CUDA C++ (repeatable); passes: " + pass_names())
        ->check([](const std::string& name) {
          for (const passes::PassInfo& p : passes::pipeline())
            if (name == p.name) return std::string();
          return "no lowering pass is named '" + name + "'; passes: " + pass_names();
        });
    add_flag("--standalone", standalone_, "Emit a self-contained .cu file (device templates inlined)");
    add_flag("--line-directives", line_directives_,
             "Emit #line directives: compiler errors, -lineinfo (compute-sanitizer, Nsight Compute) and "
             "debuggers name the .tile.cpp line of the kernels' code, and the generated file's own line elsewhere");
    add_option("--set", overrides_, "Override one config field for every kernel: --set pid=persistent (repeatable)");
    add_option("--specialize", specialize_,
               "Argument specialization: 'none' (one generic kernel) or 'auto' (the generic kernel plus "
               "variants for unit last strides and block-divisible extents, picked by the launcher at run time)")
        ->check(CLI::IsMember({"none", "auto"}))
        ->capture_default_str();
    add_option("--no-specialize", no_specialize_,
               "Never specialize on this parameter (\"x\") or slot (\"x.stride(0)\") (repeatable)");
    add_flag("--tuned", tuned_,
             "Use the best config recorded by `tilecc tune` (the header comment names its key and time)");
    add_option("--db", tuned_db_,
               "Tuning database for --tuned (default: $TILECC_TUNE_DB or ~/.cache/tilecc/tuning.json)");
    add_option("--tuned-spec", tuned_spec_, "With --tuned: only entries whose argument spec contains this text");
    add_option("--dispatch-configs", dispatch_configs_,
               "With --tuned and several tuned shapes: the most tuned configs the launcher picks among by shape")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    add_option("--cubin", cubin_dir_,
               "Also compile each emitted config's kernel for each --arch with NVRTC into this folder (cubins "
               "and index.json), which the runtime loads instead of compiling (KernelOptions::cubin_dir or "
               "$TILECC_CUBIN_DIR)");
    add_option("--extra-arg", extra_args_, "Argument passed to Clang (repeatable), e.g. --extra-arg=-DN=4");
    add_option("-p,--compile-commands", compile_commands_, "Folder holding compile_commands.json");
    add_option("-I", include_dirs_, "Add a folder to Clang's include path (repeatable; -Idir or -I dir)");
    add_option("-D", defines_, "Define a macro for Clang (repeatable; -DN=4 or -D N=4)");
    add_option("--depfile", depfile_,
               "Also write a Make-style depfile naming the output and every file read for it "
               "(the input and each file Clang opened), for build systems that re-translate on change");
    // Clang tools take compiler arguments after `--`; CLI11 hands them to this positional,
    // and run() refuses them unless `--` was given, so a stray word is not taken for a flag.
    add_option("compiler-args", compiler_args_, "After --: arguments passed to Clang, e.g. -- -Iinc -DN=4");
    callback([this] { run(); });
  }

 private:
  void run() {
    check_input("tilecc translate", input_);
    {
      std::vector<std::string> inputs{input_};
      if (!config_.empty() && config_.front() != '{') {
        check_input("tilecc translate", config_);
        inputs.push_back(config_);
      }
      check_output("tilecc translate", output_, inputs);
    }
    const std::vector<std::string> rest = remaining();
    if (!compiler_args_.empty() && std::find(rest.begin(), rest.end(), "--") == rest.end())
      fail(fmt::format("tilecc translate: unexpected argument '{}' (pass compiler arguments after --)",
                       compiler_args_.front()));
    if (!depfile_.empty() && output_ == "-") fail("tilecc translate: --depfile needs an output file (-o)");
    if (emit_ == "torch" && (emit_ir_ || print_ir_ || print_after_all_ || !print_after_.empty()))
      fail(
          "tilecc translate: --emit=torch writes CUDA with PyTorch ops; it does not combine with --emit-ir, "
          "--print-ir or --print-ir-after(-all)");
    try {
      arches_ = codegen::ordered_arches(split_list(arch_));
    } catch (const std::invalid_argument& e) {
      fail(fmt::format("tilecc translate: --arch {}: {}", arch_, e.what()));
    }
    if (!cubin_dir_.empty() && (emit_ir_ || print_ir_ || print_after_all_ || !print_after_.empty()))
      fail(
          "tilecc translate: --cubin compiles the CUDA it writes; it does not combine with --emit-ir, --print-ir or "
          "--print-ir-after(-all)");
    if (arches_.size() > 1 && (print_after_all_ || !print_after_.empty()))
      fail("tilecc translate: --print-ir-after(-all) shows one arch's lowering: pass one --arch");
    codegen::TranslationUnit unit;
    unit.input = relative_to_cwd(input_);  // the header comment: no absolute paths of this machine
    unit.from_ir = input_.size() > 5 && input_.substr(input_.size() - 5) == ".json";
    ir::Module& module = unit.module;
    if (unit.from_ir) {
      try {
        module = ir::deserialize(read_file(input_));
        ir::verify(module);
      } catch (const ir::SerializeError& e) {
        fail(fmt::format("{}: error: {}", input_, e.what()));
      } catch (const ir::VerifyError& e) {
        fail(fmt::format("{}: error: {}", input_, e.what()));
      }
    } else {
#ifdef TILECC_HAVE_FRONTEND
      frontend::Options options;
      options.extra_args = extra_args_;
      for (const std::string& d : include_dirs_) options.extra_args.push_back("-I" + d);
      for (const std::string& d : defines_) options.extra_args.push_back("-D" + d);
      options.extra_args.insert(options.extra_args.end(), compiler_args_.begin(), compiler_args_.end());
      options.compile_commands_dir = compile_commands_;
      options.language_include_dir = header_dirs().include;
      frontend::Result r = frontend::parse(input_, options);
      if (!r.ok) throw CLI::RuntimeError(1);
      module = std::move(r.module);
      read_files_ = std::move(r.files);
      unit.source = std::move(r.source);
      for (frontend::Replacement& rep : r.replacements) {
        if (rep.kernel < 0)
          unit.replace_with_note(rep.offset, rep.length, rep.note);
        else
          unit.replace_kernel(rep.offset, rep.length, std::move(rep.template_decl), std::move(rep.instances));
      }
#else
      fail(
          "tilecc translate: this build has no Clang frontend (TILECC_WITH_CLANG=OFF): translate the "
          ".tile.cpp to IR on a machine with Clang (tilecc translate --emit-ir) and pass the .json here");
#endif
    }
    if (!unit.from_ir) {
      try {
        ir::verify(module);  // the frontend's output: a failure here is a tilecc bug
      } catch (const ir::VerifyError& e) {
        fail(fmt::format("{}: internal error: {}", input_, e.what()));
      }
    }
    if (module.kernels.empty())
      fail(fmt::format("{}:1:1: error: no TILECC_KERNEL functions found (mark a kernel function TILECC_KERNEL)",
                       input_));
    if (emit_ir_ || print_ir_) {
      finish(emit_ir_ ? ir::serialize(module) : ir::to_string(module));
      return;
    }

    // Kernel code, one per instance.
    codegen::EmitOptions options;
    options.arch = arches_.front();
    options.source_lines = split_lines(unit.source);  // empty for IR input: comments give line numbers only
    if (line_directives_ && !unit.from_ir) {
      // Absolute: nvcc resolves a relative #line name against the folder it runs in, not the
      // file's. (For IR input, each kernel's source as the IR names it: below.)
      options.line_file = absolute(input_);
      unit.line_file = options.line_file;
    }
    const codegen::VariantOptions variants{specialize_ == "auto", no_specialize_};
    std::vector<std::string> code(module.kernels.size());
    kernel_found_ = kernel_.empty();
    for (std::size_t i = 0; i < module.kernels.size(); ++i) {
      const ir::Kernel& k = module.kernels[i];
      if (line_directives_ && unit.from_ir) options.line_file = k.source_file;
      if (!kernel_.empty() && kernel_ == k.name) kernel_found_ = true;
      if (print_after_all_ || !print_after_.empty()) {
        std::string note;
        code[i] = lowered_ir(k, kernel_config(module, k, arches_.front(), note));
        continue;
      }
      if (arches_.size() == 1) {
        code[i] = kernel_code(module, k, arches_.front(), options, variants);
        continue;
      }
      // Several arches: each arch's kernels under its own symbols, bodies guarded for the
      // device passes that run them, then the public launcher choosing by the device.
      std::string text;
      for (std::size_t a = 0; a < arches_.size(); ++a) {
        codegen::EmitOptions eo = options;
        eo.arch = arches_[a];
        eo.symbol_suffix = codegen::arch_tag(arches_[a]);
        eo.launcher_name = codegen::arch_launcher_name(k, arches_[a]);
        text += fmt::format("// tilecc: {} for {}\n", eo.launcher_name, arches_[a]) +
                kernel_code(module, k, arches_[a], eo, variants, codegen::arch_device_guard(arches_, a));
      }
      try {
        codegen::EmitOptions eo = options;
        eo.arch = arches_.back();
        const std::string params = codegen::emit_kernel(k, config::default_config(k, eo.arch), eo).launcher_params;
        code[i] = text + codegen::emit_arch_launcher(k, arches_, params);
      } catch (const codegen::CodegenError& e) {
        fail(e.what());
      } catch (const config::ConfigError& e) {
        fail_config(k, e);
      }
    }
    if (!kernel_found_) fail(fmt::format("tilecc translate: no kernel named '{}' in {}", kernel_, input_));
    if (print_after_all_ || !print_after_.empty()) {
      std::string text;
      for (const std::string& c : code) text += c;
      finish(text);
      return;
    }

    std::string out =
        codegen::assemble_file(unit, code, arch_,
                               arches_.size() > 1 ? codegen::arch_select_preamble(arches_) : std::string());
    if (emit_ == "torch") {
      try {
        out += codegen::emit_torch_bindings(module);
      } catch (const codegen::CodegenError& e) {
        fail(e.what());
      }
    }
    if (standalone_) {
      try {
        out = codegen::inline_headers(out, {header_dirs().include, header_dirs().templates});
      } catch (const std::exception& e) {
        fail(e.what());
      }
    }
    if (line_directives_) out = codegen::resolve_line_directives(out, output_ == "-" ? "<stdout>" : absolute(output_));
    finish(out);
    if (!cubin_dir_.empty()) ship_cubins();
  }

  /// --cubin: each (kernel, arch, config) the file holds, compiled as the runtime compiles it.
  void ship_cubins() {
    std::size_t count = 0;
    for (const Shipped& s : ship_) {
      try {
        count += runtime::ship_variant(*s.kernel, s.config, s.arch, cubin_dir_, header_dirs().templates).size();
      } catch (const std::exception& e) {
        fail(fmt::format("tilecc translate: --cubin: kernel '{}' for {}: {}", s.kernel->name, s.arch, e.what()));
      }
    }
    std::fprintf(stderr, "tilecc translate: wrote %zu cubins to %s\n", count, cubin_dir_.c_str());
  }

  /// The config kernel `k` translates with for `arch`: --config, --set, else the default;
  /// `tuned_note` gets the header comment of a --tuned single config.
  config::Config kernel_config(const ir::Module& module, const ir::Kernel& k, const std::string& arch,
                               std::string& tuned_note) {
    config::Config config = config::default_config(k, arch);
    if (!config_.empty() && (kernel_.empty() || kernel_ == k.name)) {
      if (kernel_.empty() && module.kernels.size() > 1 && !all_same_name(module))
        fail("tilecc translate: the file has several kernels: name the one --config applies to with -k");
      kernel_found_ = true;
      const std::string text = config_.front() == '{' ? config_ : read_file(config_);
      try {
        config = config::parse_config(text, k);
      } catch (const config::ConfigError& e) {
        fail_config(k, e);
      }
    }
    if (!overrides_.empty()) {
      nlohmann::json j = nlohmann::json::parse(config.to_json());
      for (const std::string& o : overrides_) {
        const std::size_t eq = o.find('=');
        if (eq == std::string::npos) fail("tilecc translate: --set takes KEY=VALUE, got '" + o + "'");
        const std::string key = o.substr(0, eq), value = o.substr(eq + 1);
        try {
          j[key] = nlohmann::json::accept(value) ? nlohmann::json::parse(value) : nlohmann::json(value);
        } catch (const nlohmann::json::exception&) {  // accepted, then out of range: 1e400
          fail(fmt::format("tilecc translate: --set {}: '{}' is out of range", key, value));
        }
      }
      try {
        config = config::parse_config(j.dump(), k);
      } catch (const config::ConfigError& e) {
        fail_config(k, e);
      }
    }
    if (tuned_ && (kernel_.empty() || kernel_ == k.name)) {
      std::optional<autotune::TunedChoice> choice;
      try {
        choice = autotune::find_tuned(k, autotune::TuningDb(tuned_db_), arch, tuned_spec_,
                                      specialize_ == "auto" ? "translate-auto" : "translate");
        // One arch of several takes only the records of its own GPU generation (find_tuned
        // falls back to other GPUs' records, whose configs may not fit this arch).
        if (choice && arches_.size() > 1 && choice->entry.key.cc.rfind(arch.substr(3, 1) + ".", 0) != 0) choice.reset();
        if (choice) config = config::parse_config(choice->entry.config.dump(), k);
      } catch (const std::exception& e) {
        fail(fmt::format("tilecc translate: --tuned: kernel '{}': {}", k.name, e.what()));
      }
      if (choice)
        tuned_note = choice->comment();
      else
        std::fprintf(stderr,
                     "tilecc translate: note: no tuned config recorded for %s<%s> on %s (run tilecc tune); using the "
                     "default\n",
                     k.name.c_str(), k.instance.c_str(), arch.c_str());
    }
    return config;
  }

  /// Kernel `k`'s code for one arch: a shape dispatch over the tuned shapes recorded for that
  /// arch (--tuned, several shapes), else one config's kernels and launcher.
  std::string kernel_code(const ir::Module& module, const ir::Kernel& k, const std::string& arch,
                          const codegen::EmitOptions& options, const codegen::VariantOptions& variants,
                          const std::string& device_guard = {}) {
    if (tuned_ && (kernel_.empty() || kernel_ == k.name)) {
      // Several tuned shapes: a launcher dispatching among their configs (autotune/tuned_dispatch.hpp).
      try {
        const auto dispatch = autotune::find_tuned_dispatch(k, autotune::TuningDb(tuned_db_), arch,
                                                            specialize_ == "auto" ? "translate-auto" : "translate",
                                                            tuned_spec_, dispatch_configs_);
        if (dispatch) {
          for (const auto& choice : dispatch->table.configs) ship_.push_back({&k, arch, choice.config});
          ship_.push_back({&k, arch, dispatch->table.fallback});
          return codegen::emit_dispatch_text(k, dispatch->table, options, variants, dispatch->comment, device_guard);
        }
      } catch (const codegen::CodegenError& e) {
        fail(e.what());
      } catch (const std::exception& e) {
        fail(fmt::format("tilecc translate: --tuned: kernel '{}': {}", k.name, e.what()));
      }
    }
    std::string tuned_note;
    const config::Config config = kernel_config(module, k, arch, tuned_note);
    // No config asked for and none tuned: a row kernel's default launcher also carries the
    // default fitted to longer rows, taken by the row length (launch/default_dispatch.hpp).
    const bool configured = (!config_.empty() && (kernel_.empty() || kernel_ == k.name)) || !overrides_.empty();
    // A configured scan (no looped variant) also carries its config fitted to longer rows.
    if (tuned_note.empty())
      if (const auto table = configured ? launch::configured_dispatch(k, config) : launch::default_dispatch(k, arch)) {
        for (const auto& choice : table->configs) ship_.push_back({&k, arch, choice.config});
        ship_.push_back({&k, arch, table->fallback});
        try {
          return codegen::emit_dispatch_text(k, *table, options, variants, {}, device_guard);
        } catch (const codegen::CodegenError& e) {
          fail(e.what());
        } catch (const config::ConfigError& e) {
          fail_config(k, e);
        }
      }
    ship_.push_back({&k, arch, config});
    try {
      return tuned_note + codegen::emit_kernel_text(k, config, options, variants, device_guard);
    } catch (const codegen::CodegenError& e) {
      fail(e.what());
    } catch (const config::ConfigError& e) {
      fail_config(k, e);
    }
  }

  /// Writes the output, then the depfile (after it, so a failed write leaves no depfile
  /// claiming an output that is not there).
  void finish(const std::string& text) {
    write_output(output_, text);
    if (depfile_.empty()) return;
    std::vector<std::string> deps = {input_};
    deps.insert(deps.end(), read_files_.begin(), read_files_.end());
    if (!config_.empty() && config_.front() != '{') deps.push_back(config_);
    std::string out = make_escape(absolute(output_)) + ":";
    std::vector<std::string> seen;
    for (const std::string& d : deps) {
      const std::string a = absolute(d);
      if (std::find(seen.begin(), seen.end(), a) != seen.end()) continue;
      seen.push_back(a);
      out += " \\\n  " + make_escape(a);
    }
    write_output(depfile_, out + "\n");
  }

  // Absolute, so the depfile means the same from any folder (Ninja reads it from the build folder).
  static std::string absolute(const std::string& path) {
    return std::filesystem::absolute(path).lexically_normal().string();
  }

  static std::string relative_to_cwd(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path cwd = std::filesystem::current_path(ec);
    if (ec) return path;
    const std::filesystem::path rel = std::filesystem::path(absolute(path)).lexically_relative(cwd);
    return rel.empty() ? path : rel.string();
  }

  // Make's spelling: a space or '#' is escaped by a backslash, '$' is doubled.
  static std::string make_escape(const std::string& path) {
    std::string out;
    for (char c : path) {
      if (c == ' ' || c == '#') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  }

  static bool all_same_name(const ir::Module& m) {
    for (const ir::Kernel& k : m.kernels)
      if (k.name != m.kernels[0].name) return false;
    return true;
  }

  std::string input_, kernel_, config_, arch_ = "sm_80", output_ = "-", compile_commands_, specialize_ = "none";
  std::string emit_ = "cuda";
  /// The kernel's IR after the passes --print-ir-after(-all) names, each under a header line.
  std::string lowered_ir(const ir::Kernel& k, const config::Config& config) const {
    std::string text;
    passes::LowerOptions lo;
    lo.after_pass = [&](const char* pass, const ir::Kernel& after) {
      const bool wanted =
          print_after_all_ || std::find(print_after_.begin(), print_after_.end(), pass) != print_after_.end();
      if (wanted)
        text += fmt::format("// ---- IR of {}{} after {}\n", k.name, k.instance.empty() ? "" : "<" + k.instance + ">",
                            pass) +
                ir::to_string(after);
    };
    try {
      passes::lower(k, config, passes::Target{arches_.front()}, lo);
    } catch (const passes::LoweringError& e) {
      fail(e.what());
    } catch (const config::ConfigError& e) {
      fail_config(k, e);
    }
    return text;
  }

  static std::string pass_names() {
    std::string names;
    for (const passes::PassInfo& p : passes::pipeline()) names += (names.empty() ? "" : ", ") + std::string(p.name);
    return names;
  }

  bool print_after_all_ = false, kernel_found_ = false;
  std::vector<std::string> arches_;
  /// The configs the output holds, per kernel and arch: what --cubin compiles.
  struct Shipped {
    const ir::Kernel* kernel;
    std::string arch;
    config::Config config;
  };
  std::vector<Shipped> ship_;
  std::string cubin_dir_;  // --arch, split and most preferred first (codegen::ordered_arches)
  std::vector<std::string> print_after_;
  bool emit_ir_ = false, print_ir_ = false, standalone_ = false, tuned_ = false, line_directives_ = false;
  std::string tuned_db_, tuned_spec_;
  int dispatch_configs_ = 4;
  std::vector<std::string> extra_args_, overrides_, no_specialize_;
  std::vector<std::string> include_dirs_, defines_, compiler_args_, read_files_;
  std::string depfile_;
};

}  // namespace

void register_translate(CLI::App& app) { app.add_subcommand(std::make_shared<Translate>()); }

}  // namespace tilecc::cli
