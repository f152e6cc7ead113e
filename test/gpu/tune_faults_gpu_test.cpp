// GPU tier: a short real tuning run (softmax f32) with faults planted in chosen candidates
// ($TILECC_TUNE_FAULTS, autotune/fault_plan.hpp): one faults (illegal address), one hangs
// on the GPU, one gives wrong results, one kills its worker, one stops answering. The tuner
// survives each, records each as failed (never as a best), keeps measuring the rest, and the
// database keeps every earlier entry. Then candidates correct once but wrong when measured
// again: `tilecc tune` fails and leaves the database as it was. Skipped without a GPU.
#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "autotune/config_space.hpp"
#include "autotune/database.hpp"
#include "autotune/fault_plan.hpp"
#include "autotune/tune_space.hpp"
#include "autotune/tuner.hpp"
#include "runtime/driver.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/serialize.hpp"

namespace rt = tilecc::runtime;
namespace ir = tilecc::ir;
namespace at = tilecc::autotune;

namespace {

ir::Kernel softmax_f32() {
  std::ifstream in(std::string(TILECC_TEST_DATA_DIR) + "/ir/softmax.json");
  const ir::Module m = ir::deserialize(std::string(std::istreambuf_iterator<char>(in), {}));
  for (const ir::Kernel& k : m.kernels)
    if (k.name == "softmax" && k.instance == "float") return k;
  FAIL("no softmax<float> in test/data/ir/softmax.json");
  return {};
}

/// A plan item matching exactly this config: every field of its JSON.
std::string exactly(const nlohmann::json& config) {
  std::string match;
  for (const auto& [field, value] : config.items())
    match += (match.empty() ? "" : "&") + field + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  return match;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

at::DbEntry earlier_entry(int i) {
  at::DbKey k{"feedface", "earlier<float>", "x:f32[" + std::to_string(i) + "]", "NVIDIA H200", "9.0", "0.1.0", "00"};
  return {k, {{"block_sizes", {1}}, {"num_warps", 4}}, 0.5 + i, "2026-12-01T00:00:00Z", {{"by", "test"}}};
}

const std::vector<std::string> kArgs = {"x=f32[512,1000]", "out=f32[512,1000]"};

}  // namespace

TEST_CASE("planted faulting, hanging and wrong candidates: the tuner survives and records none", "[gpu][tune]") {
  std::string why;
  if (!rt::Driver::available(&why)) {
    WARN("no GPU, skipped: " << why);
    return;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc-tune-faults-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const ir::Kernel kernel = softmax_f32();
  const std::string arch = rt::Driver::get().arch();

  // The tuner's first batch: the default config and the shape grid around it. Five grid
  // configs other than the default (the reference, which is never planted) get one kind each.
  std::vector<at::ArgSpec> specs;
  for (const std::string& a : kArgs) specs.push_back(at::parse_arg(a));
  const tilecc::config::Config base =
      tilecc::config::default_config_for_rows(kernel, arch, at::full_extent_for(kernel, at::bind_args(kernel, specs)));
  const at::ConfigSpace space(kernel, base, arch);
  const at::TuneSpace tspace(space, arch);
  const at::Genome reference = tspace.to_genome(space.default_point());
  std::vector<nlohmann::json> grid;
  for (const at::Genome& g : tspace.shape_grid(reference))
    if (g != reference) grid.push_back(nlohmann::json::parse(tspace.config(g).to_json()));
  REQUIRE(grid.size() >= 5);
  const std::vector<std::string> kinds = {"fault", "hang", "wrong", "crash", "stall"};
  std::string plan_text;
  for (std::size_t i = 0; i < kinds.size(); ++i) plan_text += kinds[i] + ":" + exactly(grid[i]) + ";";
  INFO("planted: " << plan_text);
  const at::FaultPlan plan = at::parse_fault_plan(plan_text);

  // A database with entries from earlier runs: every one must survive.
  const auto db_path = dir / "tuning.json";
  const at::TuningDb db(db_path);
  for (int i = 0; i < 3; ++i) db.record(earlier_entry(i));

  at::TuneOptions o;
  o.effort = "quick";
  // Past the budget (+2 s) candidates still compiling are skipped: enough for the whole first
  // batch, faults included (a stall costs the 4 s timeout, a hang the 1..5 s cut, each a restart).
  o.budget_s = 20;
  o.self = TILECC_TEST_TILECC_BIN;
  o.include_dirs = {TILECC_TEMPLATES_DIR};
  o.cache_dir = (dir / "cache").string();
  o.worker_log = (dir / "workers.log").string();
  o.bench_timeout_s = 4;  // the stalled worker is killed after 4 s
  ::setenv(at::kFaultPlanEnv, plan_text.c_str(), 1);
  const auto t0 = std::chrono::steady_clock::now();
  at::TuneResult r;
  REQUIRE_NOTHROW(r = at::tune(kernel, specs, o));
  ::unsetenv(at::kFaultPlanEnv);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // Each planted kind fired and was recorded as what it was, never as a measured time.
  const std::map<at::FaultKind, std::vector<std::string>> expected = {
      {at::FaultKind::Fault, {"failed"}},          // illegal address: the worker restarts
      {at::FaultKind::Hang, {"slow", "timeout"}},  // given up at the launch cut, unchecked
      {at::FaultKind::Wrong, {"wrong"}},
      {at::FaultKind::Crash, {"failed"}},          // the worker died: restarted
      {at::FaultKind::Stall, {"timeout"}},         // killed at the request timeout
  };
  std::map<at::FaultKind, int> seen;
  int ok = 0;
  for (const at::Trial& t : r.trials) {
    INFO(t.phase << " " << t.status << " " << t.config.dump() << " " << t.error);
    const auto kind = at::planted_fault(plan, t.config, false);
    if (!kind) {
      ok += t.status == "ok";
      continue;
    }
    ++seen[*kind];
    const std::vector<std::string>& want = expected.at(*kind);
    CHECK(std::find(want.begin(), want.end(), t.status) != want.end());
    CHECK(!t.error.empty());
  }
  for (const auto& [kind, statuses] : expected) {
    INFO("planted " << at::name(kind));
    CHECK(seen[kind] >= 1);  // it fired (a random config with the same fields fires too)
  }
  CHECK(ok >= 3);              // the rest was measured
  CHECK(r.failed >= 4);        // the hang is `slow`: given up at the cut, like a very slow kernel
  CHECK_FALSE(at::planted_fault(plan, r.best_config, false));
  CHECK(r.best_ms > 0);
  std::printf("tune with 5 planted faults: %.1f s, %d tried, %d failed, best %.4f ms %s\n", seconds, r.tried, r.failed,
              r.best_ms, r.best_config.dump().c_str());

  // Recorded as `tilecc tune` records it: the earlier entries are all still there, unchanged.
  db.record(r.db_entry(o), true);
  const std::vector<at::DbEntry> entries = db.entries();
  CHECK(entries.size() == 4);
  for (int i = 0; i < 3; ++i) {
    const std::optional<at::DbEntry> e = db.find(earlier_entry(i).key);
    REQUIRE(e);
    CHECK(e->config == earlier_entry(i).config);
    CHECK(e->ms == earlier_entry(i).ms);
  }
  REQUIRE(db.find(r.key));
  CHECK_FALSE(at::planted_fault(plan, db.find(r.key)->config, false));

  // Correct in the search, wrong when measured again (a flaky kernel): `tilecc tune` fails,
  // and the database file is byte for byte what it was.
  const std::string before = read_file(db_path);
  const std::string command =
      "TILECC_TUNE_FAULTS='wrong@remeasure:*' '" + std::string(TILECC_TEST_TILECC_BIN) + "' tune '" +
      std::string(TILECC_TEST_DATA_DIR) + "/ir/softmax.json' -k softmax --arg " + kArgs[0] + " --arg " + kArgs[1] +
      " --effort quick --budget 1 --quiet --db '" + db_path.string() + "' --cache-dir '" + o.cache_dir + "' --worker-log '" +
      o.worker_log + "' > '" + (dir / "flaky.log").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  const std::string log = read_file(dir / "flaky.log");
  INFO(command << "\n" << log);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(log.find("when measured again") != std::string::npos);
  CHECK(read_file(db_path) == before);
  std::filesystem::remove_all(dir);
}
