#include "autotune/tuner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "autotune/search.hpp"
#include "autotune/tune_space.hpp"
#include "autotune/worker.hpp"
#include "autotune/worker_roles.hpp"
#include "runtime/cache.hpp"
#include "autotune/config_space.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/launch/launch_plan.hpp"

namespace tilecc::autotune {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double now_s() { return steady_seconds(); }

/// Dynamic shared memory a kernel's launch must ask for: KernelResources has the field once
/// codegen emits deep dot pipelines with dynamic shared memory; 0 before that.
template <class Resources> int dynamic_shared_bytes(const Resources& r) {
  if constexpr (requires { r.dynamic_shared_bytes; })
    return r.dynamic_shared_bytes;
  else
    return 0;
}

}  // namespace

std::int64_t full_extent_for(const ir::Kernel& kernel, const std::vector<ArgSpec>& bound) {
  // The dims the launch guards against full_extent (launch::LaunchPlan::guards).
  std::int64_t largest = 0;
  for (const launch::WholeDim& w : launch::whole_dims(kernel)) {
    if (w.param < 0) continue;
    const ArgSpec& a = bound.at(static_cast<std::size_t>(w.param));
    if (a.is_tensor && w.dim < static_cast<int>(a.sizes.size()))
      largest = std::max(largest, a.sizes[static_cast<std::size_t>(w.dim)]);
  }
  if (largest == 0) return config::default_config(kernel).full_extent;
  std::int64_t p = 1;
  while (p < largest) p *= 2;
  return p;
}

nlohmann::json TuneResult::to_json() const {
  nlohmann::json trials_json = nlohmann::json::array();
  for (const Trial& t : trials) {
    nlohmann::json j = {{"phase", t.phase}, {"config", t.config}, {"status", t.status}, {"at_s", t.at_s}};
    if (t.status == "ok") j["ms"] = t.ms;
    if (!t.error.empty()) j["error"] = t.error.substr(0, 400);
    trials_json.push_back(j);
  }
  nlohmann::json conv = nlohmann::json::array();
  for (const auto& [s, ms] : convergence) conv.push_back({s, ms});
  nlohmann::json j = {{"device", device},
                      {"key", key.to_json()},
                      {"db_key", key.hash()},
                      {"best_config", best_config},
                      {"best_ms", best_ms},
                      {"default_ms", default_ms},
                      {"tune_seconds", tune_seconds},
                      {"tried", tried},
                      {"failed", failed},
                      {"generations", generations},
                      {"convergence", conv},
                      {"trials", trials_json},
                      {"args", args},
                      {"deploy", deploy},
                      {"default_config", default_config}};
  if (!measured.empty()) {
    j["measured"] = nlohmann::json::array();
    for (const auto& [config, ms] : measured) j["measured"].push_back({{"config", config}, {"ms", ms}});
  }
  if (random_requested) {
    j["random"] = {{"requested", random_requested},
                   {"measured", random_measured},
                   {"slow", random_slow},
                   {"best_ms", random_best_ms},
                   {"tuned_best_ms_same_conditions", tuned_best_remeasured_ms},
                   {"seconds", random_seconds},
                   {"best_config", random_best_config}};
  }
  return j;
}

DbEntry TuneResult::db_entry(const TuneOptions& o) const {
  DbEntry e;
  e.key = key;
  e.config = best_config;
  e.ms = best_ms;
  e.details = {{"effort", o.effort},
               {"search", o.search},
               {"seed", o.seed},
               {"tried", tried},
               {"tune_seconds", tune_seconds},
               {"default_ms", default_ms},
               {"default_config", default_config},
               {"args", args},
               {"deploy", deploy}};
  // Other shapes' bests measured here: the shape dispatch's cross times (dispatch_learn.hpp).
  if (!measured.empty()) {
    e.details["measured"] = nlohmann::json::array();
    for (const auto& [config, ms] : measured) e.details["measured"].push_back({{"config", config}, {"ms", ms}});
  }
  return e;
}

namespace {

/// The worker processes: compile workers live across the shapes of tune_shapes (stateless,
/// NVRTC warm); the bench worker is started afresh for each shape (its buffers are the shape's).
struct Workers {
  std::vector<Worker> compilers, bench;
};

void start_compilers(Workers& w, const TuneOptions& o) {
  if (!w.compilers.empty()) return;
  const std::string self = o.self.empty() ? self_executable() : o.self;
  const std::string log = o.worker_log.empty() ? "/dev/null" : o.worker_log;
  const int jobs = o.jobs > 0 ? o.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  for (int i = 0; i < jobs; ++i)
    w.compilers.emplace_back(std::vector<std::string>{self, "tune-worker", "--role", "compile"}, log);
}

/// One tuning session: the workers, the reference and the measurements so far.
class Session {
 public:
  Session(const ir::Kernel& kernel, const std::vector<ArgSpec>& args, const TuneOptions& o, const Progress& progress,
          Workers& workers)
      : kernel_(kernel), o_(o), progress_(progress), compilers_(workers.compilers), bench_(workers.bench) {
    if (!o_.specialize) o_.deploy = "translate";
    if (o_.deploy != "runtime" && o_.deploy != "translate" && o_.deploy != "translate-auto")
      throw std::invalid_argument("unknown deployment '" + o_.deploy + "' (runtime, translate or translate-auto)");
    start_ = now_s();
    auto_compile_timeout_ = o_.compile_timeout_s <= 0;
    if (auto_compile_timeout_) o_.compile_timeout_s = o_.effort == "full" ? 120 : 30;
    bound_ = bind_args(kernel_, args);
    const std::string self = o_.self.empty() ? self_executable() : o_.self;
    const std::string log = o_.worker_log.empty() ? "/dev/null" : o_.worker_log;
    start_compilers(workers, o_);
    bench_.clear();
    bench_.push_back(Worker({self, "tune-worker", "--role", "bench"}, log));
    ir::Module m;
    m.kernels.push_back(kernel_);
    ir_text_ = ir::serialize(m);
    for (const ArgSpec& a : bound_) arg_texts_.push_back(a.to_string());
    // Cubins depend on the headers candidates include: their hash joins every cache key.
    for (const std::string& dir : o_.include_dirs) key_parts_.push_back(runtime::folder_fingerprint(dir));
  }

  TuneResult run() {
    // The GPU.
    if (o_.dry_run > 0)
      result_.device = {{"ok", true},
                        {"name", "none (dry run)"},
                        {"cc", "-"},
                        {"arch", o_.arch.empty() ? "sm_90a" : o_.arch},
                        {"sms", 132}};
    else
      result_.device = bench_[0].request({{"op", "device"}}, 60);
    if (!result_.device.value("ok", false))
      throw std::runtime_error("no usable GPU: " + result_.device.value("error", std::string("?")));
    sms_ = result_.device.at("sms").get<int>();
    arch_ = o_.arch.empty() ? result_.device.at("arch").get<std::string>() : o_.arch;

    // The space around the default fitted to these shapes' rows (full_extent, and for a row
    // kernel rows per program and warps; config::default_config_for_rows).
    config::Config base = config::default_config_for_rows(kernel_, arch_, full_extent_for(kernel_, bound_));
    space_ = std::make_unique<autotune::ConfigSpace>(kernel_, base, arch_);
    tspace_ = std::make_unique<TuneSpace>(*space_, arch_);
    // Deployments other than the runtime's measure other code: their entries are their own.
    const std::string spec = spec_key(bound_) + (o_.deploy == "runtime" ? "" : ";deploy=" + o_.deploy);
    result_.key = tuning_key(kernel_, spec, result_.device.value("name", ""), result_.device.value("cc", ""));
    result_.args = arg_texts_;
    result_.deploy = o_.deploy;

    // The reference: the default config (else the first valid random one).
    Genome reference = tspace_->to_genome(space_->default_point());
    if (tspace_->why_invalid(reference)) {
      std::mt19937_64 rng(o_.seed);
      reference = tspace_->to_genome(space_->random_valid(rng, arch_));
    }
    const double budget = o_.budget_s > 0 ? o_.budget_s : (o_.effort == "full" ? 600.0 : 40.0);
    {
      Candidate ref = prepare(reference);
      if (!ref.error.empty()) throw std::runtime_error("the reference config cannot run: " + ref.error);
      std::vector<Candidate> one = {ref};
      compile(one);
      if (!one[0].error.empty()) throw std::runtime_error("the reference config does not compile: " + one[0].error);
      reference_request_ = program(one[0]);
      result_.default_config = one[0].config;
      // Quick: a candidate compiling 20x longer than the default (at least 10 s) is a huge
      // unrolled register tile, as slow to run as to build: given up on.
      if (auto_compile_timeout_ && o_.effort != "full")
        o_.compile_timeout_s = std::clamp(20 * one[0].compile_s, 10.0, o_.compile_timeout_s);
    }
    if (o_.dry_run > 0) return dry_run(reference);
    if (o_.cross_only) {
      measure_cross();
      result_.tune_seconds = now_s() - start_;
      return result_;
    }

    // The search.
    HybridOptions h;
    const bool full = o_.effort == "full";
    // The default config and the grid of tile shapes and warps around it come first, then a
    // random sample (the default may be far from the best), then pattern search from the best.
    std::vector<Genome> seeds = tspace_->shape_grid(reference);
    if (seeds.empty() || seeds.front() != reference) seeds.insert(seeds.begin(), reference);
    h.initial = full ? 64 : 16;
    h.evolve = full;
    h.de.population = 16;
    h.de.stagnation = 3;
    h.de.surrogate = o_.surrogate;
    h.pattern.max_moves = full ? 200 : 40;
    h.restarts = full ? 6 : 3;  // only while the budget lasts
    std::unique_ptr<Search> search = make_search(o_.search, tspace_->search_space(), o_.seed,
                                                 o_.search == "random" ? std::vector<Genome>{reference} : seeds, h);
    const double deadline = start_ + budget;
    // The first batch runs whatever the budget (setup may have used it up): a result needs it.
    while (result_.generations == 0 || now_s() < deadline) {
      std::vector<Genome> batch = search->ask();
      if (batch.empty()) break;
      ++result_.generations;
      const std::vector<double> ys = measure(batch, "search", deadline);
      for (std::size_t i = 0; i < batch.size(); ++i) search->tell(batch[i], ys[i]);
    }

    // Re-measure the best few with more repetitions; the winner is the fastest median.
    const int top = o_.remeasure > 0 ? o_.remeasure : (full ? 5 : 3);
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t i = 0; i < result_.trials.size(); ++i)
      if (result_.trials[i].status == "ok") ranked.emplace_back(result_.trials[i].ms, i);
    if (ranked.empty()) throw std::runtime_error("tilecc tune: no candidate ran correctly");
    std::sort(ranked.begin(), ranked.end());
    ranked.resize(std::min<std::size_t>(ranked.size(), static_cast<std::size_t>(top)));
    double best = kInf;
    for (const auto& [ms, i] : ranked) {
      const double again = remeasure(result_.trials[i].config);
      if (again < best) {
        best = again;
        result_.best_config = result_.trials[i].config;
      }
    }
    // Correct once but not again (a flaky kernel): none of them may be recorded.
    if (!(best < kInf))
      throw std::runtime_error(
          fmt::format("none of the best {} candidates ran correctly when measured again", ranked.size()));
    // The default measured the same way beside it: a config slower than the default is never
    // recorded (the default is, then). The best is measured again after the default and the
    // two times averaged (best, default, best): a card that heats up under load runs a later
    // measurement slower, and a drift must not decide between two close configs.
    const double def = remeasure(result_.default_config);
    if (std::isfinite(def)) {
      result_.default_ms = def;
      if (result_.best_config != result_.default_config) {
        const double again = remeasure(result_.best_config);
        if (std::isfinite(again)) best = (best + again) / 2;
      }
      if (def <= best) {
        best = def;
        result_.best_config = result_.default_config;
      }
    }
    result_.best_ms = best;
    measure_cross();
    result_.tune_seconds = now_s() - start_;
    report("done");

    if (o_.compare_random > 0) random_baseline();
    return result_;
  }

 private:
  /// TuneOptions::cross, each measured as re-measured bests are.
  void measure_cross() {
    for (const nlohmann::json& c : o_.cross) {
      const double ms = remeasure(c);
      if (std::isfinite(ms)) result_.measured.emplace_back(c, ms);
    }
  }

  struct Candidate {
    Genome genome;
    nlohmann::json config;
    nlohmann::json run_config;  // what runs: the config, or its looped variant for rows beyond full_extent
    std::string source, symbol, source_hash;
    int dynamic_shared = 0;  // bytes the launch must ask for (deep dot pipelines)
    nlohmann::json tensor_maps = nlohmann::json::array();  // [[param, box_rows, box_cols], ...] after the parameters
    double compile_s = 0;    // the compile worker's time (a cache hit: almost none)
    std::string key, lowered;
    std::string error, status;
  };

  Candidate prepare(const Genome& g) {
    Candidate c;
    c.genome = g;
    try {
      emit(tspace_->config(g), c);
    } catch (const std::exception& e) {
      c.error = e.what();
      c.status = "invalid";
    }
    return c;
  }

  /// A config as it is (another shape's best: its full_extent may not be this space's).
  Candidate prepare_config(const nlohmann::json& j) {
    Candidate c;
    try {
      emit(config::parse_config(j.dump(), kernel_), c);
    } catch (const std::exception& e) {
      c.error = e.what();
      c.status = "invalid";
    }
    return c;
  }

  /// The code that runs for `config` at these arguments, as the deployment emits it.
  void emit(const config::Config& config, Candidate& c) {
    {
      c.config = nlohmann::json::parse(config.to_json());
      config::Config run = config;
      bool looped = false;
      try {
        launch_grid(kernel_, config, bound_, sms_);
      } catch (const ArgError&) {
        // Rows beyond the config's full_extent: the launchers run its looped variant.
        const std::optional<config::Config> looped_config = config::looped_fallback(kernel_, config);
        if (!looped_config) throw;
        run = *looped_config;
        looped = true;
        launch_grid(kernel_, run, bound_, sms_);
      }
      c.run_config = nlohmann::json::parse(run.to_json());
      codegen::EmitOptions eo;
      eo.arch = arch_;
      if (o_.deploy == "runtime") eo.specialization = specialization_for(kernel_, run, bound_, arch_);
      // (A generated launcher's looped variant is generic: specialized variants come after it.)
      if (o_.deploy == "translate-auto" && !looped)
        eo.specialization = auto_specialization_for(kernel_, run, bound_, arch_);
      const codegen::KernelCode code = codegen::emit_kernel(kernel_, run, eo);
      c.source = candidate_source(code.global_function);
      c.symbol = code.kernel_symbol;
      c.dynamic_shared = dynamic_shared_bytes(code.resources);
      for (const launch::TensorMapPacking& t : code.tensor_maps)
        c.tensor_maps.push_back({t.param, t.box_rows, t.box_cols});
      c.source_hash = runtime::hash_parts({c.source, arch_});
    }
  }

  /// What the bench worker needs to find a compiled candidate in the cache and launch it.
  nlohmann::json program(const Candidate& c) const {
    nlohmann::json p = {{"source", c.source},
                        {"symbol", c.symbol},
                        {"arch", arch_},
                        {"include_dirs", o_.include_dirs},
                        {"key_parts", key_parts_},
                        {"config", c.run_config},
                        {"dynamic_shared", c.dynamic_shared}};
    if (!c.tensor_maps.empty()) p["tensor_maps"] = c.tensor_maps;
    return p;
  }

  nlohmann::json compile_request(const Candidate& c) const {
    return {{"source", c.source},      {"symbol", c.symbol},       {"arch", arch_}, {"include_dirs", o_.include_dirs},
            {"key_parts", key_parts_}, {"cache_dir", o_.cache_dir}};
  }

  /// Compiles in the worker pool; `compiled(c)` is called as each finishes (benchmarking it
  /// then keeps the GPU busy while the other workers compile).
  void compile(std::vector<Candidate>& cs, const std::function<void(Candidate&)>& compiled = {},
               const std::function<bool()>& stop = {}) {
    std::vector<nlohmann::json> requests;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].error.empty()) continue;
      requests.push_back(compile_request(cs[i]));
      which.push_back(i);
    }
    run_parallel(
        compilers_, requests, o_.compile_timeout_s,
        [&](std::size_t k, const nlohmann::json& answer) {
          Candidate& c = cs[which[k]];
          c.compile_s = answer.value("seconds", 0.0);
          if (answer.value("ok", false)) {
            c.key = answer.at("key");
            c.lowered = answer.at("lowered");
          } else {
            c.error = answer.value("error", std::string("compile failed"));
            c.status = answer.value("stopped", false)   ? "skipped"
                       : answer.value("timeout", false) ? "timeout"
                                                        : "compile_error";
          }
          if (compiled) compiled(c);
        },
        stop);
  }

  /// A bench request, starting (and initializing) a fresh worker when the last one died.
  nlohmann::json bench(const nlohmann::json& request) {
    if (!bench_ready_) {
      const nlohmann::json init = {{"op", "init"},
                                   {"ir", ir_text_},
                                   {"kernel", 0},
                                   {"args", arg_texts_},
                                   {"seed", o_.seed},
                                   {"cache_dir", o_.cache_dir},
                                   {"reference", reference_request_}};
      nlohmann::json a = bench_[0].request(init, 120);
      // Once more on a fresh worker: the GPU may still be reclaiming a killed worker's context.
      if (!a.value("ok", false) && bench_[0].starts() > 1) {
        bench_[0].kill("init failed");
        a = bench_[0].request(init, 120);
      }
      if (!a.value("ok", false))
        throw std::runtime_error("tilecc tune: the benchmark worker cannot start: " + a.dump());
      bench_ready_ = true;
    }
    nlohmann::json answer = bench_[0].request(request, o_.bench_timeout_s);
    if (answer.value("crashed", false) || answer.value("exit", false)) bench_ready_ = false;
    return answer;
  }

  std::vector<double> measure(const std::vector<Genome>& batch, const std::string& phase, double deadline) {
    std::vector<Candidate> cs;
    for (const Genome& g : batch) cs.push_back(prepare(g));
    // Identical code (knobs without effect here) is measured once.
    std::vector<Candidate*> fresh;
    for (Candidate& c : cs)
      if (c.error.empty() && !by_source_.count(c.source_hash)) fresh.push_back(&c);
    std::vector<Candidate> to_compile;
    std::set<std::string> seen;
    for (Candidate* c : fresh)
      if (seen.insert(c->source_hash).second) to_compile.push_back(*c);
    std::vector<double> ys(batch.size(), kInf);
    // Past the deadline (quick: 2 s later) nothing more is compiled or measured, once the
    // phase has a result (a budget the setup used up still gives one).
    const double stop_at = deadline + (o_.effort == "full" ? 30 : 2);
    const auto stop = [&] { return now_s() > stop_at && phase_best_.count(phase); };
    compile(
        to_compile,
        [&](Candidate& c) {
          Trial t;
          t.phase = phase;
          t.config = c.config;
          if (!c.error.empty()) {
            t.status = c.status;
            t.error = c.error;
          } else if (stop()) {
            t.status = "skipped";
          } else {
            nlohmann::json request = program(c);
            request.update({{"op", "bench"},
                            {"check", true},
                            {"target_ms", 25.0},
                            {"min_reps", 10},
                            {"max_reps", 50},
                            {"budget_ms", 250.0}});
            request.update(adaptive_limits(phase));
            const nlohmann::json a = bench(request);
            if (a.value("ok", false)) {
              t.status = a.value("slow", false) ? "slow" : "ok";
              t.ms = a.at("ms");
            } else if (a.value("slow", false)) {
              t.status = "slow";  // ran past the cut: slower than a.ms, not checked
              t.ms = a.at("ms");
              t.error = a.value("error", std::string("?"));
            } else {
              t.status = a.value("wrong", false) ? "wrong" : (a.value("timeout", false) ? "timeout" : "failed");
              t.error = a.value("error", std::string("?"));
            }
          }
          t.at_s = now_s() - start_;
          by_source_[c.source_hash] = t.status == "ok" || t.status == "slow" ? t.ms : kInf;
          if (t.status == "ok" && (!phase_best_.count(phase) || t.ms < phase_best_[phase])) phase_best_[phase] = t.ms;
          record(t);
        },
        stop);
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].error.empty()) {
        Trial t;
        t.phase = phase;
        t.config = cs[i].config;
        t.status = "invalid";
        t.error = cs[i].error;
        t.at_s = now_s() - start_;
        record(t);
        continue;
      }
      ys[i] = by_source_.at(cs[i].source_hash);
    }
    return ys;
  }

  /// How far a candidate of `phase` is measured: one clearly slower (3x) than the phase's best
  /// so far is not timed beyond its checked launch; a launch running 100x the best (the
  /// phase's, else the search's; at least 1 s, at most 5 s; 5 s before any best) is given up.
  nlohmann::json adaptive_limits(const std::string& phase) const {
    nlohmann::json limits = {{"cut_s", kMaxCutS}};
    const auto it = phase_best_.find(phase);
    if (it != phase_best_.end()) limits["slow_ms"] = o_.slow_factor * it->second;
    const double scale = it != phase_best_.end() ? it->second : result_.best_ms;
    if (scale > 0) limits["cut_s"] = std::clamp(100 * scale / 1000, kMinCutS, kMaxCutS);
    return limits;
  }
  static constexpr double kMinCutS = 1, kMaxCutS = 5;

  void record(const Trial& t) {
    if (t.status == "skipped") return;
    result_.trials.push_back(t);
    if (t.phase != "search") {
      report(t.phase);
      return;
    }
    ++result_.tried;
    if (t.status != "ok" && t.status != "slow") ++result_.failed;
    if (t.status == "ok") {
      if (t.config == reference_request_.at("config")) result_.default_ms = t.ms;
      if (result_.best_ms == 0 || t.ms < result_.best_ms) {
        result_.best_ms = t.ms;
        result_.best_config = t.config;
        result_.convergence.emplace_back(t.at_s, t.ms);
      }
    }
    report(t.phase);
  }

  void report(const std::string& phase) {
    if (progress_) progress_(result_, phase);
  }

  double remeasure(const nlohmann::json& config) {
    Candidate c = prepare_config(config);
    std::vector<Candidate> one = {c};
    compile(one);
    if (!one[0].error.empty()) return kInf;
    nlohmann::json request = program(one[0]);
    request.update({{"op", "bench"},
                    {"check", true},
                    {"target_ms", 100.0},
                    {"min_reps", 30},
                    {"max_reps", 200},
                    {"remeasure", true}});
    request.update(adaptive_limits("remeasure"));  // the launch cut only: a hang costs seconds, not the timeout
    const nlohmann::json a = bench(request);
    return a.value("ok", false) ? a.at("ms").get<double>() : kInf;
  }

  /// No GPU: the reference and N random valid configs emitted and compiled by the workers.
  TuneResult dry_run(const Genome& reference) {
    std::mt19937_64 rng(o_.seed + 7919);
    std::vector<Candidate> cs = {prepare(reference)};
    std::set<Genome> seen = {reference};
    for (int tries = 0; static_cast<int>(cs.size()) <= o_.dry_run && tries < 50 * o_.dry_run; ++tries) {
      Genome g = tspace_->to_genome(space_->random_valid(rng, arch_));
      if (seen.insert(g).second) cs.push_back(prepare(g));
    }
    std::vector<nlohmann::json> requests, configs;
    for (const Candidate& c : cs) {
      Trial t;
      t.phase = "dry_run";
      t.config = c.config;
      if (!c.error.empty()) {
        t.status = "invalid";
        t.error = c.error;
        result_.trials.push_back(t);
        continue;
      }
      requests.push_back(compile_request(c));
      configs.push_back(c.config);
    }
    const std::vector<nlohmann::json> answers = run_parallel(compilers_, requests, o_.compile_timeout_s);
    for (std::size_t i = 0; i < answers.size(); ++i) {
      const nlohmann::json& a = answers[i];
      const bool ok = a.value("ok", false);
      ok ? ++result_.compiled : ++result_.compile_failed;
      result_.from_cache += a.value("from_cache", false) ? 1 : 0;
      result_.compile_seconds += a.value("seconds", 0.0);
      result_.compile_max_seconds = std::max(result_.compile_max_seconds, a.value("seconds", 0.0));
      if (!ok) {
        Trial t;
        t.phase = "dry_run";
        t.config = configs[i];
        t.status = a.value("crashed", false) ? "timeout" : "compile_error";
        t.error = a.value("error", std::string("?"));
        result_.trials.push_back(t);
      }
    }
    result_.tune_seconds = now_s() - start_;
    return result_;
  }

  /// N random valid configs, measured like the search's; then the best of them and the
  /// tuned best re-measured side by side.
  void random_baseline() {
    const double t0 = now_s();
    result_.random_requested = o_.compare_random;
    std::mt19937_64 rng(o_.seed + 7919);
    std::vector<Genome> sample;
    std::set<Genome> seen;
    for (int tries = 0; static_cast<int>(sample.size()) < o_.compare_random && tries < 50 * o_.compare_random;
         ++tries) {
      Genome g = tspace_->to_genome(space_->random_valid(rng, arch_));
      if (seen.insert(g).second) sample.push_back(g);
    }
    const std::size_t first = result_.trials.size();
    // Measured afresh (not answered from the search's memo), so the sample stands alone; one
    // batch, so the workers never wait for a straggler before the end.
    by_source_.clear();
    measure(sample, "random", o_.compare_random_budget_s > 0 ? t0 + o_.compare_random_budget_s : kInf);
    double best = kInf;
    nlohmann::json best_config;
    for (std::size_t i = first; i < result_.trials.size(); ++i) {
      const Trial& t = result_.trials[i];
      result_.random_slow += t.status == "slow";
      if (t.status != "ok") continue;
      ++result_.random_measured;
      if (t.ms < best) {
        best = t.ms;
        best_config = t.config;
      }
    }
    result_.random_best_config = best_config;
    if (!best_config.is_null()) {
      result_.random_best_ms = remeasure(best_config);
      result_.tuned_best_remeasured_ms = remeasure(result_.best_config);
    }
    result_.random_seconds = now_s() - t0;
    report("random");
  }

  const ir::Kernel& kernel_;
  TuneOptions o_;
  Progress progress_;
  std::vector<ArgSpec> bound_;
  std::vector<std::string> arg_texts_, key_parts_;
  std::string ir_text_, arch_;
  int sms_ = 0;
  double start_ = 0;
  std::vector<Worker>& compilers_;
  std::vector<Worker>& bench_;
  bool bench_ready_ = false, auto_compile_timeout_ = false;
  nlohmann::json reference_request_;
  std::unique_ptr<autotune::ConfigSpace> space_;
  std::unique_ptr<TuneSpace> tspace_;
  std::map<std::string, double> by_source_;
  std::map<std::string, double> phase_best_;  // best ms of each phase so far (adaptive_limits)
  TuneResult result_;
};

}  // namespace

TuneResult tune(const ir::Kernel& kernel, const std::vector<ArgSpec>& args, const TuneOptions& options,
                const Progress& progress) {
  Workers workers;
  Session s(kernel, args, options, progress, workers);
  return s.run();
}

std::vector<TuneResult> tune_shapes(const ir::Kernel& kernel, const std::vector<std::vector<ArgSpec>>& shapes,
                                    const TuneOptions& options, const Progress& progress) {
  if (shapes.empty()) throw std::invalid_argument("tilecc tune: no shapes to tune");
  Workers workers;
  const double t0 = now_s();
  const double budget = options.budget_s > 0 ? options.budget_s : (options.effort == "full" ? 600.0 : 40.0);
  std::vector<TuneResult> out;
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    TuneOptions o = options;
    o.budget_s = std::max(1.0, (budget - (now_s() - t0)) / static_cast<double>(shapes.size() - i));
    out.push_back(Session(kernel, shapes[i], o, progress, workers).run());
  }
  // Every shape's best at every other shape (cubins mostly from the cache by now).
  for (std::size_t i = 0; i < shapes.size() && shapes.size() > 1; ++i) {
    TuneOptions o = options;
    o.cross_only = true;
    o.compare_random = 0;
    for (std::size_t j = 0; j < out.size(); ++j) {
      const nlohmann::json& c = out[j].best_config;
      if (c != out[i].best_config && std::find(o.cross.begin(), o.cross.end(), c) == o.cross.end())
        o.cross.push_back(c);
    }
    if (o.cross.empty()) continue;
    TuneResult& r = out[i];
    for (auto& [config, ms] : Session(kernel, shapes[i], o, {}, workers).run().measured) {
      // Another shape's best may beat what the search found here: it is this shape's best then.
      if (ms < r.best_ms) {
        r.measured.emplace_back(r.best_config, r.best_ms);
        r.best_config = config;
        r.best_ms = ms;
      } else {
        r.measured.emplace_back(config, ms);
      }
    }
  }
  return out;
}

std::string convergence_svg(const TuneResult& r, const std::string& title) {
  const double W = 640, H = 400, L = 70, R = 20, T = 40, B = 50;
  double tmax = std::max(1.0, r.tune_seconds);
  double ymax = 0, ymin = kInf;
  for (const auto& [s, ms] : r.convergence) {
    ymax = std::max(ymax, ms);
    ymin = std::min(ymin, ms);
    tmax = std::max(tmax, s);
  }
  if (r.random_best_ms > 0) ymin = std::min(ymin, r.random_best_ms), ymax = std::max(ymax, r.random_best_ms);
  if (!(ymin < kInf)) ymin = 0, ymax = 1;
  const double pad = std::max(1e-6, (ymax - ymin) * 0.08);
  const double y0 = std::max(0.0, ymin - pad), y1 = ymax + pad;
  auto X = [&](double s) { return L + (W - L - R) * s / tmax; };
  auto Y = [&](double ms) { return T + (H - T - B) * (1 - (ms - y0) / (y1 - y0)); };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"22\" font-size=\"14\">{3}</text>\n",
      W, H, L, title);
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n", L, H - B, W - R);
  svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"black\"/>\n", L, T, H - B);
  for (int i = 0; i <= 4; ++i) {
    const double s = tmax * i / 4, ms = y0 + (y1 - y0) * i / 4;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{:.0f}</text>\n", X(s), H - B + 16, s);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{:.4g}</text>\n", L - 6, Y(ms) + 4, ms);
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">seconds since the start</text>\n",
                     (L + W - R) / 2, H - 12);
  svg += fmt::format(
      "<text x=\"16\" y=\"{:.1f}\" transform=\"rotate(-90 16 {:.1f})\" text-anchor=\"middle\">best "
      "time so far (ms)</text>\n",
      (T + H - B) / 2, (T + H - B) / 2);
  std::string path;
  double last = 0;
  for (const auto& [s, ms] : r.convergence) {
    path += path.empty() ? fmt::format("M{:.1f},{:.1f}", X(s), Y(ms)) : fmt::format(" H{:.1f} V{:.1f}", X(s), Y(ms));
    last = ms;
  }
  if (!path.empty()) {
    path += fmt::format(" H{:.1f}", X(tmax));
    svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>\n", path);
    for (const auto& [s, ms] : r.convergence)
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#1f77b4\"/>\n", X(s), Y(ms));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#1f77b4\">tuned {:.4g} ms</text>\n",
                       W - R, Y(last) - 6, last);
  }
  if (r.random_best_ms > 0)
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#d62728\" "
        "stroke-dasharray=\"6,4\"/>\n<text x=\"{2}\" y=\"{3:.1f}\" text-anchor=\"end\" fill=\"#d62728\">"
        "best of {4} random: {5:.4g} ms</text>\n",
        L, Y(r.random_best_ms), W - R, Y(r.random_best_ms) + 14, r.random_measured, r.random_best_ms);
  svg += "</svg>\n";
  return svg;
}

}  // namespace tilecc::autotune
