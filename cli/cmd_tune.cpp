// `tilecc tune`: search a kernel's config space on this machine's GPU and record the best.
// Also the hidden `tilecc tune-worker --role compile|bench`, the tuner's worker processes.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "autotune/database.hpp"
#include "autotune/launch.hpp"
#include "autotune/tuner.hpp"
#include "autotune/worker.hpp"
#include "autotune/worker_roles.hpp"
#include "cli/commands.hpp"
#include "cli/files.hpp"
#include "cli/header_dirs.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/ir/verifier.hpp"
#ifdef TILECC_HAVE_FRONTEND
#include "translator/frontend/frontend.hpp"
#endif

namespace tilecc::cli {
namespace {

[[noreturn]] void fail(const std::string& message) {
  std::fprintf(stderr, "tilecc tune: %s\n", message.c_str());
  throw CLI::RuntimeError(1);
}

std::string read_text(const std::string& path) { return read_input("tilecc tune", path); }

void write_text(const std::string& path, const std::string& text) { write_output("tilecc tune", path, text); }

/// The module of a .tile.cpp (Clang frontend) or of serialized IR (.json).
ir::Module load_module(const std::string& input) {
  const bool from_ir = input.size() > 5 && input.substr(input.size() - 5) == ".json";
  ir::Module module;
  if (from_ir) {
    try {
      module = ir::deserialize(read_text(input));
      ir::verify(module);
    } catch (const std::exception& e) {
      fail(fmt::format("{}: {}", input, e.what()));
    }
    return module;
  }
#ifdef TILECC_HAVE_FRONTEND
  frontend::Options options;
  options.language_include_dir = header_dirs().include;
  frontend::Result r = frontend::parse(input, options);
  if (!r.ok) throw CLI::RuntimeError(1);
  return std::move(r.module);
#else
  fail(
      "this build has no Clang frontend: translate the .tile.cpp with --emit-ir on a machine with Clang and "
      "pass the .json here");
#endif
}

/// The kernel -k names: by function name ("softmax"), symbol-style name ("softmax_bf16") or
/// display name ("softmax<tilecc::bf16>"); among instances of one name, the one whose tensor
/// dtypes match `args`.
std::size_t select_kernel(const ir::Module& module, const std::string& name,
                          const std::vector<autotune::ArgSpec>& args) {
  std::vector<std::size_t> named;
  for (std::size_t i = 0; i < module.kernels.size(); ++i) {
    const ir::Kernel& k = module.kernels[i];
    const std::string suffix = codegen::instance_suffix(k);
    if (name.empty() || k.name == name || (suffix.size() && k.name + "_" + suffix == name) ||
        autotune::kernel_display_name(k) == name)
      named.push_back(i);
  }
  std::vector<std::size_t> fitting;
  for (std::size_t i : named) {
    try {
      autotune::bind_args(module.kernels[i], args);
      fitting.push_back(i);
    } catch (const autotune::ArgError&) {
    }
  }
  if (fitting.size() == 1) return fitting[0];
  std::string known;
  for (const ir::Kernel& k : module.kernels) known += " " + autotune::kernel_display_name(k);
  if (named.empty()) fail(fmt::format("no kernel named '{}' (kernels:{})", name, known));
  if (fitting.empty()) {
    // Report against the instance whose tensor dtypes match the most arguments.
    std::size_t closest = named[0];
    int closest_score = -1;
    for (std::size_t i : named) {
      int score = 0;
      for (const ir::Param& p : module.kernels[i].params)
        for (const autotune::ArgSpec& a : args) score += a.name == p.name && a.is_tensor && a.dtype == p.dtype;
      if (score > closest_score) closest = i, closest_score = score;
    }
    try {
      autotune::bind_args(module.kernels[closest], args);
    } catch (const autotune::ArgError& e) {
      fail(fmt::format("kernel {}: {}", autotune::kernel_display_name(module.kernels[closest]), e.what()));
    }
  }
  fail(fmt::format("several kernels fit -k '{}' and the --arg list: name one of:{}", name, known));
}

class Tune final : public CLI::App {
 public:
  Tune() : CLI::App("Autotune a tile kernel on this machine's GPU", "tune") {
    add_option("input", input_, "Tile kernel source (.tile.cpp) or serialized tile IR (.json)")
        ->required()
        ->check(CLI::ExistingFile);
    add_option("-k,--kernel", kernel_, "Kernel to tune (needed when the file defines several)");
    add_option("--arg", args_,
               "Argument to tune for, e.g. x=bf16[4096,4096] or n=4096 (one per parameter; naming a parameter "
               "again starts the next shape)")
        ->allow_extra_args(false);
    add_option("--shape", shape_texts_,
               "One shape to tune for, its arguments separated by spaces: --shape 'x=bf16[1024,512] "
               "out=bf16[1024,512]' (repeatable; the shapes share --budget)");
    add_option("--shapes", shapes_file_, "A file of shapes, one per line as --shape takes them ('#' starts a comment)")
        ->check(CLI::ExistingFile);
    add_option("--deploy", o_.deploy,
               "Measure candidates as this deployment runs them: runtime (specialized for the arguments' facts), "
               "translate (the generic kernel `translate --tuned` prints) or translate-auto (the variant of "
               "`translate --tuned --specialize=auto`)")
        ->check(CLI::IsMember({"runtime", "translate", "translate-auto"}))
        ->capture_default_str();
    add_option("--effort", o_.effort, "Search effort")->check(CLI::IsMember({"quick", "full"}))->capture_default_str();
    add_option("--budget", o_.budget_s, "Seconds of search (default: quick 40, full 600)")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber);
    add_option("--search", o_.search, "Search algorithm")
        ->check(CLI::IsMember({"random", "pattern", "de", "hybrid"}))
        ->capture_default_str();
    add_option("--seed", o_.seed, "Seed of the search and of the inputs")->capture_default_str();
    add_flag("--surrogate", o_.surrogate,
             "Differential evolution (--search de, --effort full) draws 4 trials per member and compiles the one a "
             "nearest-neighbour model of the measurements so far predicts fastest");
    add_flag("--generic{false}", o_.specialize, "Same as --deploy translate");
    add_option("-j,--jobs", o_.jobs, "Compile worker processes (default: one per core)");
    add_option("--arch", o_.arch, "Compile for this arch (default: the GPU's)");
    add_option("--db", db_, "Tuning database (default: $TILECC_TUNE_DB or ~/.cache/tilecc/tuning.json)");
    add_flag("--no-db", no_db_, "Do not record the result");
    add_option("--json", json_, "Write the result as JSON to this file ('-': stdout)");
    add_option("--plot", plot_, "Write the convergence plot (SVG) to this file");
    add_option("--compare-random", o_.compare_random,
               "Also measure this many random valid configs and compare their best with the tuned one");
    add_option("--compare-random-budget", o_.compare_random_budget_s,
               "Stop the random sample after this many seconds (what was measured by then is compared)")
        ->type_name("SECONDS")
        ->check(CLI::PositiveNumber);
    add_option("--cache-dir", o_.cache_dir, "Cubin cache folder (default: $TILECC_CACHE_DIR or ~/.cache/tilecc)");
    add_option("--templates-dir", templates_, "The device library folder (templates/)")->capture_default_str();
    add_option("--worker-log", o_.worker_log, "Append the workers' stderr to this file");
    add_flag("--quiet", quiet_, "No progress line");
    add_flag("--print-key", print_key_,
             "Print the key fields the kernel's database entries have (source_hash, kernel, version, space), one "
             "NAME=VALUE a line, and exit: no GPU, no --arg needed");
    add_option("--dry-run", o_.dry_run,
               "No GPU needed: emit and compile the reference and N random valid configs (default arch sm_90a), "
               "measure nothing, record nothing")
        ->type_name("N");
    callback([this] { run(); });
  }

 private:
  void run() {
    check_input("tilecc tune", input_);
    for (const std::string& out : {json_, plot_})
      if (!out.empty()) check_output("tilecc tune", out, {input_});
    if (!o_.specialize) o_.deploy = "translate";
    if (print_key_) {
      print_key();
      return;
    }
    const std::vector<std::vector<autotune::ArgSpec>> shapes = parse_shapes();
    const std::vector<autotune::ArgSpec>& specs = shapes.front();
    const ir::Module module = load_module(input_);
    const ir::Kernel& kernel = module.kernels[select_kernel(module, kernel_, specs)];
    o_.include_dirs = {templates_};
    for (std::size_t i = 1; i < shapes.size(); ++i) {
      try {
        autotune::bind_args(kernel, shapes[i]);
      } catch (const autotune::ArgError& e) {
        std::string args;
        for (const autotune::ArgSpec& a : shapes[i]) args += (args.empty() ? "" : " ") + a.to_string();
        fail(fmt::format("kernel {}: shape {} ({}): {}", autotune::kernel_display_name(kernel), i + 1, args, e.what()));
      }
    }
    if (shapes.size() > 1) {
      run_shapes(kernel, shapes);
      return;
    }
    const bool tty = ::isatty(2);
    double last_print = -1e9;
    std::string last_phase;
    auto progress = [&](const autotune::TuneResult& r, const std::string& phase) {
      // The search is over: record it now, so a --compare-random sample cut short loses nothing.
      if (phase == "done" && db_path_.empty()) {
        record(r);
        if (!json_.empty() && json_ != "-") write_text(json_, r.to_json().dump(2) + "\n");
      }
      if (quiet_) return;
      // Not a terminal (a log): a line every 5 s and at each change of phase.
      const double at = r.trials.empty() ? 0.0 : r.trials.back().at_s;
      if (!tty && phase == last_phase && at - last_print < 5) return;
      last_print = at;
      last_phase = phase;
      const std::string line = fmt::format("[{:6.1f}s] {:7} gen {:3}  tried {:4}  failed {:3}  best {}",
                                           r.trials.empty() ? 0.0 : r.trials.back().at_s, phase, r.generations, r.tried,
                                           r.failed, r.best_ms > 0 ? fmt::format("{:.4f} ms", r.best_ms) : "-");
      std::fprintf(stderr, tty ? "\r%-90s" : "%s\n", line.c_str());
      std::fflush(stderr);
    };
    autotune::TuneResult r;
    try {
      r = autotune::tune(kernel, specs, o_, progress);
    } catch (const std::exception& e) {
      if (tty && !quiet_) std::fprintf(stderr, "\n");
      fail(e.what());
    }
    if (tty && !quiet_) std::fprintf(stderr, "\n");
    if (o_.dry_run > 0) {
      int invalid = 0;
      for (const autotune::Trial& t : r.trials) invalid += t.status == "invalid";
      std::printf(
          "tilecc tune --dry-run %s for %s (%s): %d compiled, %d failed to compile, %d refused before "
          "compiling, %d from the cubin cache; %.2f s of compiling (%.2f s per candidate, the slowest "
          "%.2f s) in %.1f s wall\n",
          r.key.kernel.c_str(), r.key.spec.c_str(), r.device.value("arch", "").c_str(), r.compiled, r.compile_failed,
          invalid, r.from_cache, r.compile_seconds, r.compile_seconds / std::max(1, r.compiled + r.compile_failed),
          r.compile_max_seconds, r.tune_seconds);
      for (const autotune::Trial& t : r.trials)
        if (t.status != "ok")
          std::printf("  %s: %s: %s\n", t.status.c_str(), t.config.dump().c_str(), t.error.substr(0, 300).c_str());
      if (!json_.empty()) write_text(json_, r.to_json().dump(2) + "\n");
      if (r.compile_failed > 0) throw CLI::RuntimeError(1);
      return;
    }

    if (db_path_.empty()) record(r);
    print_summary(kernel, r);
    if (!json_.empty()) write_text(json_, r.to_json().dump(2) + "\n");
    if (!plot_.empty())
      write_text(plot_,
                 autotune::convergence_svg(r, fmt::format("tilecc tune {} on {} ({})", r.key.kernel,
                                                          r.device.value("name", ""), r.key.spec.substr(0, 60))));
  }

  /// The shapes of --arg (a repeated name starts the next), --shape and --shapes, in that order.
  std::vector<std::vector<autotune::ArgSpec>> parse_shapes() const {
    std::vector<std::vector<autotune::ArgSpec>> shapes;
    auto add = [&](const std::vector<std::string>& texts, const std::string& where) {
      std::vector<autotune::ArgSpec> shape;
      for (const std::string& t : texts) {
        autotune::ArgSpec a;
        try {
          a = autotune::parse_arg(t);
        } catch (const autotune::ArgError& e) {
          fail(where.empty() ? e.what() : where + ": " + e.what());
        }
        const bool again = std::any_of(shape.begin(), shape.end(), [&](const auto& b) { return b.name == a.name; });
        if (again && !where.empty())
          fail(fmt::format("{}: '{}' is given twice in one shape (one --arg per parameter)", where, a.name));
        if (again) shapes.push_back(std::exchange(shape, {}));
        shape.push_back(a);
      }
      if (!shape.empty()) shapes.push_back(shape);
    };
    add(args_, "");
    for (const std::string& s : shape_texts_) add(split_words(s), fmt::format("--shape '{}'", s));
    if (!shapes_file_.empty()) {
      std::istringstream in(read_text(shapes_file_));
      int n = 0;
      for (std::string line; std::getline(in, line);) {
        ++n;
        if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        const std::vector<std::string> words = split_words(line);
        if (!words.empty()) add(words, fmt::format("{}:{}", shapes_file_, n));
      }
    }
    if (shapes.empty())
      fail(
          "no arguments to tune for: give one --arg per kernel parameter (x=bf16[4096,4096], n=4096), --shape or "
          "--shapes");
    if (shapes.size() > 1 && o_.dry_run > 0) fail("--dry-run takes one shape");
    return shapes;
  }

  void print_key() const {
    const ir::Module module = load_module(input_);
    std::vector<const ir::Kernel*> named;
    for (const ir::Kernel& k : module.kernels) {
      const std::string suffix = codegen::instance_suffix(k);
      if (kernel_.empty() || k.name == kernel_ || (suffix.size() && k.name + "_" + suffix == kernel_) ||
          autotune::kernel_display_name(k) == kernel_)
        named.push_back(&k);
    }
    if (named.size() != 1)
      fail(
          fmt::format("--print-key: {} kernels match -k '{}': name one instance (softmax_bf16 or "
                      "\"softmax<tilecc::bf16>\")",
                      named.size(), kernel_));
    const autotune::DbKey key = autotune::tuning_key(*named[0], "", "", "");
    std::printf("source_hash=%s\nkernel=%s\nversion=%s\nspace=%s\n", key.source_hash.c_str(), key.kernel.c_str(),
                key.version.c_str(), key.space.c_str());
  }

  static std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string w; in >> w;) words.push_back(w);
    return words;
  }

  /// Several shapes: tuned in turn within one budget, each recorded; a table of them.
  void run_shapes(const ir::Kernel& kernel, const std::vector<std::vector<autotune::ArgSpec>>& shapes) {
    const bool tty = ::isatty(2);
    std::size_t shape = 0;
    std::string last_phase;
    auto progress = [&](const autotune::TuneResult& r, const std::string& phase) {
      if (phase == "done") ++shape;
      if (quiet_ || (phase == last_phase && !tty)) return;
      last_phase = phase;
      std::fprintf(stderr, tty ? "\r%-90s" : "%s\n",
                   fmt::format("[shape {}/{}] {:7} tried {:4}  best {}", std::min(shape + 1, shapes.size()),
                               shapes.size(), phase, r.tried, r.best_ms > 0 ? fmt::format("{:.4f} ms", r.best_ms) : "-")
                       .c_str());
    };
    std::vector<autotune::TuneResult> results;
    const double t0 = autotune::steady_seconds();
    try {
      results = autotune::tune_shapes(kernel, shapes, o_, progress);
    } catch (const std::exception& e) {
      if (tty && !quiet_) std::fprintf(stderr, "\n");
      fail(e.what());
    }
    const double wall = autotune::steady_seconds() - t0;
    if (tty && !quiet_) std::fprintf(stderr, "\n");
    std::string out = fmt::format("tilecc tune {} over {} shapes, deploy {}, effort {}: {:.1f} s in all\n",
                                  autotune::kernel_display_name(kernel), shapes.size(), o_.deploy, o_.effort, wall);
    out += fmt::format("  {:<44} {:>10} {:>10} {:>7}  config\n", "shape", "default ms", "best ms", "vs def");
    nlohmann::json all = nlohmann::json::array();
    for (const autotune::TuneResult& r : results) {
      db_path_.clear();
      record(r);
      std::string args;
      for (const std::string& a : r.args) args += (args.empty() ? "" : " ") + a;
      out += fmt::format("  {:<44} {:>10.4f} {:>10.4f} {:>6.2f}x  {}\n", args, r.default_ms, r.best_ms,
                         r.best_ms > 0 ? r.default_ms / r.best_ms : 0.0, r.best_config.dump());
      all.push_back(r.to_json());
    }
    if (!db_path_.empty()) out += fmt::format("  recorded in {}\n", db_path_);
    std::fputs(out.c_str(), json_ == "-" ? stderr : stdout);
    if (!json_.empty()) write_text(json_, nlohmann::json({{"wall_seconds", wall}, {"shapes", all}}).dump(2) + "\n");
  }

  void record(const autotune::TuneResult& r) {
    if (no_db_ || o_.dry_run > 0) return;
    try {
      autotune::TuningDb db(db_);
      db.record(r.db_entry(o_), true);
      db_path_ = db.path().string();
    } catch (const std::exception& ex) {
      fail(fmt::format("cannot record the result: {}", ex.what()));
    }
  }

  void print_summary(const ir::Kernel& kernel, const autotune::TuneResult& r) const {
    std::vector<const autotune::Trial*> ok;
    std::map<std::string, int> by_status;
    for (const autotune::Trial& t : r.trials)
      if (t.phase == "search") {
        ++by_status[t.status];
        if (t.status == "ok") ok.push_back(&t);
      }
    std::sort(ok.begin(), ok.end(), [](auto* a, auto* b) { return a->ms < b->ms; });
    std::string out = fmt::format("tilecc tune {} for {} on {} (cc {}), effort {}, search {}, seed {}\n",
                                  autotune::kernel_display_name(kernel), r.key.spec, r.device.value("name", ""),
                                  r.key.cc, o_.effort, o_.search, o_.seed);
    out += fmt::format("  {:>4}  {:>10}  {:>7}  config\n", "rank", "median ms", "vs def");
    for (std::size_t i = 0; i < std::min<std::size_t>(ok.size(), 8); ++i)
      out += fmt::format("  {:>4}  {:>10.4f}  {:>6.2f}x  {}\n", i + 1, ok[i]->ms,
                         r.default_ms > 0 ? r.default_ms / ok[i]->ms : 0.0, ok[i]->config.dump());
    std::string statuses;
    for (const auto& [s, n] : by_status) statuses += fmt::format(" {} {}", s, n);
    out += fmt::format("  candidates:{} ({} generations)\n", statuses, r.generations);
    out += fmt::format("  best {:.4f} ms (re-measured), default config {:.4f} ms ({:.2f}x), tuning took {:.1f} s\n",
                       r.best_ms, r.default_ms, r.default_ms > 0 ? r.default_ms / r.best_ms : 0.0, r.tune_seconds);
    out += fmt::format("  best config: {}\n", r.best_config.dump());
    if (r.random_requested)
      out += fmt::format(
          "  best of {} random valid configs ({} ran correctly and were timed, {} clearly slower): {:.4f} "
          "ms; tuned best measured beside it: {:.4f} ms (tuned/random = {:.3f}); the sample took {:.1f} s\n",
          r.random_requested, r.random_measured, r.random_slow, r.random_best_ms, r.tuned_best_remeasured_ms,
          r.random_best_ms > 0 ? r.tuned_best_remeasured_ms / r.random_best_ms : 0.0, r.random_seconds);
    if (!db_path_.empty()) out += fmt::format("  recorded in {} as {}\n", db_path_, r.key.hash());
    std::fputs(out.c_str(), json_ == "-" ? stderr : stdout);
  }

  std::string input_, kernel_, db_, json_, plot_, templates_ = header_dirs().templates;
  mutable std::string db_path_;
  std::vector<std::string> args_, shape_texts_;
  std::string shapes_file_;
  autotune::TuneOptions o_;
  bool no_db_ = false, quiet_ = false, print_key_ = false;
};

/// The tuner's worker processes: JSON lines on stdin/stdout (autotune/worker_roles.hpp).
class TuneWorker final : public CLI::App {
 public:
  TuneWorker() : CLI::App("Internal: a worker process of `tilecc tune`", "tune-worker") {
    add_option("--role", role_, "compile | bench")->required()->check(CLI::IsMember({"compile", "bench"}));
    group("");  // hidden from --help
    callback([this] {
      const int rc = role_ == "compile" ? autotune::run_compile_worker() : autotune::run_bench_worker();
      if (rc != 0) throw CLI::RuntimeError(rc);
    });
  }

 private:
  std::string role_;
};

}  // namespace

void register_tune(CLI::App& app) {
  app.add_subcommand(std::make_shared<Tune>());
  app.add_subcommand(std::make_shared<TuneWorker>());
}

}  // namespace tilecc::cli
