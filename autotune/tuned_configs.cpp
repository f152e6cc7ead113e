#include "autotune/tuned_configs.hpp"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "autotune/dispatch_learn.hpp"
#include "autotune/tuner.hpp"
#include "runtime/driver.hpp"
#include "tilecc/version.hpp"

namespace tilecc::autotune {

namespace {

/// A float as the float the kernel receives, written shortest, read back as a double (what
/// parse_arg makes of the same text).
double as_float_text(double v) {
  const std::string text = fmt::format("{}", static_cast<float>(v));
  return std::strtod(text.c_str(), nullptr);
}

/// Row-major contiguous (size-1 dims may have any stride) and 16-byte aligned.
bool tuner_layout(const runtime::TensorRef& t) {
  if (reinterpret_cast<std::uintptr_t>(t.data) % 16 != 0) return false;
  std::int64_t expect = 1;
  for (int d = t.rank - 1; d >= 0; --d) {
    if (t.sizes[d] <= 0) return false;  // nothing to measure
    if (t.sizes[d] != 1 && t.strides[d] != expect) return false;
    expect *= t.sizes[d];
  }
  return true;
}

/// The tuner ignores SIGPIPE while it talks to its workers; a user program keeps its own handler.
class KeepSigpipe {
 public:
  KeepSigpipe() { ::sigaction(SIGPIPE, nullptr, &saved_); }
  ~KeepSigpipe() { ::sigaction(SIGPIPE, &saved_, nullptr); }

 private:
  struct sigaction saved_ = {};
};

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool executable_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

config::Config config_of(const DbEntry& e, const ir::Kernel& kernel, const TuningDb& db) {
  try {
    return config::parse_config(e.config.dump(), kernel);
  } catch (const std::exception& ex) {
    throw DbError(fmt::format("tuning database {}: entry {} ({}) holds a config this kernel cannot take: {}",
                              db.path().string(), e.key.hash(), e.key.describe(), ex.what()));
  }
}

}  // namespace

std::vector<ArgSpec> arg_specs_for(const ir::Kernel& kernel, std::span<const runtime::Arg> args) {
  if (args.size() != kernel.params.size())
    throw ArgError(fmt::format("{} takes {} arguments, got {}", kernel.name, kernel.params.size(), args.size()));
  std::vector<ArgSpec> specs;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const ir::Param& p = kernel.params[i];
    const runtime::Arg& a = args[i];
    ArgSpec s;
    s.name = p.name;
    s.dtype = p.dtype;
    s.is_tensor = p.is_tensor;
    if (p.is_tensor != (a.kind == runtime::Arg::Kind::Tensor))
      throw ArgError(
          fmt::format("{}: argument '{}' must be a {}", kernel.name, p.name, p.is_tensor ? "tensor" : "scalar"));
    if (p.is_tensor) {  // the tuner's buffers are row-major, whatever these strides are
      s.sizes.assign(a.tensor.sizes, a.tensor.sizes + a.tensor.rank);
      s.strides = row_major_strides(s.sizes);
    } else if (ir::is_floating(p.dtype)) {  // converted as Kernel::launch converts it
      const double v = a.kind == runtime::Arg::Kind::Float ? a.f : static_cast<double>(a.i);
      s.value = p.dtype == ir::DType::f64 ? v : as_float_text(v);
    } else {
      s.value = static_cast<double>(a.kind == runtime::Arg::Kind::Int ? a.i : static_cast<std::int64_t>(a.f));
    }
    specs.push_back(std::move(s));
  }
  return specs;
}

std::optional<DbKey> db_key_for(const ir::Kernel& kernel, std::span<const runtime::Arg> args, const std::string& gpu,
                                const std::string& cc) {
  for (const runtime::Arg& a : args)
    if (a.kind == runtime::Arg::Kind::Tensor && !tuner_layout(a.tensor)) return std::nullopt;
  return tuning_key(kernel, spec_key(arg_specs_for(kernel, args)), gpu, cc);
}

std::string find_tilecc(const std::string& given) {
  std::string path, from;
  if (!given.empty()) {
    path = given;
    from = "TunedConfigsOptions::tilecc";
  } else if (const char* env = std::getenv("TILECC_BIN"); env && *env) {
    path = env;
    from = "$TILECC_BIN";
  } else if (const char* dirs = std::getenv("PATH"); dirs && *dirs) {
    const std::string all = dirs;
    for (std::size_t pos = 0; pos <= all.size();) {
      const std::size_t colon = std::min(all.find(':', pos), all.size());
      const std::filesystem::path candidate = std::filesystem::path(all.substr(pos, colon - pos)) / "tilecc";
      if (colon > pos && executable_file(candidate)) {
        path = candidate.string();
        from = "$PATH";
        break;
      }
      pos = colon + 1;
    }
  }
  if (path.empty())
    throw TuneError(
        "tilecc: tuning on first use starts the tuner's worker processes (`tilecc tune-worker`) and needs the "
        "tilecc executable: set $TILECC_BIN (or TunedConfigsOptions::tilecc) to its path; none was given and "
        "there is no tilecc on $PATH");
  if (!executable_file(path)) throw TuneError(fmt::format("tilecc: {} = '{}' is not an executable file", from, path));
  const std::string expected = "tilecc " TILECC_VERSION;
  std::string said;
  if (FILE* f = ::popen((shell_quoted(path) + " --version 2>/dev/null").c_str(), "r")) {
    char buf[256];
    while (std::fgets(buf, sizeof buf, f)) said += buf;
    ::pclose(f);
  }
  while (!said.empty() && (said.back() == '\n' || said.back() == '\r')) said.pop_back();
  if (said != expected)
    throw TuneError(
        fmt::format("tilecc: {} = '{}' reports '{}' to --version, not '{}': tuning needs the tilecc "
                    "of this program's version",
                    from, path, said, expected));
  return path;
}

TunedConfigs::TunedConfigs(TunedConfigsOptions options) : options_(std::move(options)), db_(options_.db) {}

TunedConfigsStats TunedConfigs::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void TunedConfigs::count(long TunedConfigsStats::*field) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++(stats_.*field);
}

std::optional<config::Config> TunedConfigs::config_for(const runtime::ConfigQuery& q) {
  count(&TunedConfigsStats::asked);
  std::string gpu = options_.gpu, cc = options_.cc;
  if (gpu.empty() || cc.empty()) {
    std::string why;
    if (!runtime::Driver::available(&why))
      throw TuneError(
          fmt::format("tilecc: the tuning database is keyed by GPU and there is none here ({}); set "
                      "TunedConfigsOptions::gpu and cc to look configs up without one",
                      why));
    const runtime::Driver& d = runtime::Driver::get();
    if (gpu.empty()) gpu = d.name();
    if (cc.empty()) cc = d.compute_capability();
  }
  const std::optional<DbKey> key = db_key_for(q.kernel, q.args, gpu, cc);
  if (!key) {
    count(&TunedConfigsStats::defaults);
    return std::nullopt;
  }
  if (std::optional<DbEntry> e = db_.find(*key)) {
    count(&TunedConfigsStats::found);
    return config_of(*e, q.kernel, db_);
  }
  if (!options_.tune_on_miss) {
    if (std::optional<config::Config> c = nearest(q, gpu, cc)) {
      count(&TunedConfigsStats::nearest);
      return c;
    }
    count(&TunedConfigsStats::defaults);
    return std::nullopt;
  }
  return tune(q, *key);
}

std::optional<config::Config> TunedConfigs::nearest(const runtime::ConfigQuery& q, const std::string& gpu,
                                                    const std::string& cc) const {
  if (!options_.nearest_shape) return std::nullopt;
  const TunedShapes found = find_tuned_shapes(q.kernel, db_, q.arch, "runtime");
  if (found.entries.empty() || found.gpu != gpu || found.cc != cc) return std::nullopt;
  try {
    std::vector<TunedShape> shapes;
    for (const DbEntry& e : found.entries) shapes.push_back(tuned_shape_of(q.kernel, e));
    DispatchOptions o;
    o.max_configs = options_.dispatch_configs;
    o.arch = q.arch;
    const config::ShapeDispatch d = learn_dispatch(q.kernel, shapes, o);
    // The launch's extents, in the table's features.
    std::vector<std::int64_t> x;
    const auto features = shape_features(q.kernel, bind_args(q.kernel, arg_specs_for(q.kernel, q.args)));
    for (const std::string& f : d.features)
      for (const auto& [name, value] : features)
        if (name == f) x.push_back(value);
    const int row = d.row_for(x);
    if (row < 0 || d.rows[static_cast<std::size_t>(row)].config < 0) return std::nullopt;
    return d.configs[static_cast<std::size_t>(d.rows[static_cast<std::size_t>(row)].config)].config;
  } catch (const std::invalid_argument& e) {
    throw DbError(fmt::format("tuning database {}: {}", db_.path().string(), e.what()));
  }
}

config::Config TunedConfigs::tune(const runtime::ConfigQuery& q, const DbKey& key) {
  const std::string what = fmt::format("{} for {}", key.kernel, key.spec);
  std::string why;
  if (!runtime::Driver::available(&why))
    throw TuneError(fmt::format("tilecc: tuning {} on first use needs a GPU, and there is none here ({})", what, why));
  TuneOptions t;
  t.self = find_tilecc(options_.tilecc);
  t.effort = options_.effort;
  t.budget_s = options_.budget_s;
  t.jobs = options_.jobs;
  t.arch = q.arch;
  t.cache_dir = options_.cache_dir.string();
  t.include_dirs = {runtime::templates_dir()};
  t.worker_log = options_.worker_log;

  if (db_.path().has_parent_path()) std::filesystem::create_directories(db_.path().parent_path());
  FileLock lock(db_.path().string() + ".tuning.lock");
  if (std::optional<DbEntry> e = db_.find(key)) {  // tuned by another thread or process meanwhile
    count(&TunedConfigsStats::found);
    return config_of(*e, q.kernel, db_);
  }
  if (options_.verbose)
    std::fprintf(stderr, "tilecc: tuning %s on %s (first use; %s effort, %.0f s budget)\n", what.c_str(),
                 key.gpu.c_str(), t.effort.c_str(), t.budget_s);
  TuneResult r;
  try {
    KeepSigpipe keep;
    r = autotune::tune(q.kernel, arg_specs_for(q.kernel, q.args), t);
  } catch (const std::exception& e) {
    throw TuneError(fmt::format("tilecc: tuning {} on first use failed: {}", what, e.what()));
  }
  if (r.key.hash() != key.hash())  // the GPU the workers measured is not the one this key names
    throw TuneError(fmt::format("tilecc: tuning {} measured under key {}, but the launch's key is {}", what,
                                r.key.describe(), key.describe()));
  DbEntry entry = r.db_entry(t);
  entry.details["by"] = "tune on first use";
  const DbEntry stored = db_.record(entry);  // a faster entry recorded meanwhile stays
  count(&TunedConfigsStats::tuned);
  if (options_.verbose)
    std::fprintf(stderr, "tilecc: tuned %s in %.1f s: %.4f ms (default config %.4f ms), recorded in %s\n", what.c_str(),
                 r.tune_seconds, r.best_ms, r.default_ms, db_.path().c_str());
  return config_of(stored, q.kernel, db_);
}

}  // namespace tilecc::autotune
