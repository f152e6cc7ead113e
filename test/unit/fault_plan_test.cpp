// The planted-fault test hook's plan: its syntax, its errors, and which configs it picks; and
// the bench worker process (no GPU needed for these two) dying or going silent where planted.
#include "autotune/fault_plan.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

#include "autotune/worker.hpp"

using namespace tilecc::autotune;

namespace {
nlohmann::json config(const char* text) { return nlohmann::json::parse(text); }
}  // namespace

TEST_CASE("a fault plan picks configs by their fields", "[fault_plan]") {
  const FaultPlan plan = parse_fault_plan(
      " fault:num_warps=2 ; hang:num_warps=16&pid=persistent;wrong:block_sizes=[1,1024];"
      "crash:threads_per_row=64;stall:l2_grouping=8;wrong@remeasure:* ");
  REQUIRE(plan.size() == 6);
  CHECK(plan[1].fields.size() == 2);
  CHECK(plan[5].fields.empty());
  CHECK(plan[5].remeasure_only);

  const auto at = [&](const char* c, bool remeasure = false) { return planted_fault(plan, config(c), remeasure); };
  CHECK(at(R"({"block_sizes":[4],"num_warps":2})") == FaultKind::Fault);
  CHECK(at(R"({"num_warps":16,"pid":"persistent"})") == FaultKind::Hang);
  CHECK_FALSE(at(R"({"num_warps":16})"));  // every field must match; an absent one does not
  CHECK(at(R"({"block_sizes":[1,1024],"num_warps":4})") == FaultKind::Wrong);
  CHECK_FALSE(at(R"({"block_sizes":[1,512],"num_warps":4})"));
  CHECK(parse_fault_plan("wrong:block_sizes=[1, 1024]&pid=\"persistent\"").size() == 1);
  CHECK(planted_fault(parse_fault_plan("wrong:block_sizes=[1, 1024]&pid=\"persistent\""),
                      config(R"({"block_sizes":[1,1024],"pid":"persistent"})"), false) == FaultKind::Wrong);
  CHECK(at(R"({"threads_per_row":64})") == FaultKind::Crash);
  CHECK(at(R"({"l2_grouping":8})") == FaultKind::Stall);
  CHECK_FALSE(at(R"({"num_warps":4})"));
  CHECK(at(R"({"num_warps":4})", true) == FaultKind::Wrong);  // @remeasure: every config, then only
  CHECK(at(R"({"num_warps":2})", true) == FaultKind::Fault);  // the first matching item wins
  CHECK(parse_fault_plan("").empty());
  CHECK(parse_fault_plan(" ; ").empty());
}

TEST_CASE("a malformed fault plan is an error naming the item", "[fault_plan]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(parse_fault_plan("explode:num_warps=2"),
                    Contains("'explode:num_warps=2'") && Contains("unknown kind"));
  CHECK_THROWS_WITH(parse_fault_plan("fault"), Contains("expected KIND:MATCH"));
  CHECK_THROWS_WITH(parse_fault_plan("fault:"), Contains("no config to match"));
  CHECK_THROWS_WITH(parse_fault_plan("fault:num_warps"), Contains("expected FIELD=VALUE"));
  CHECK_THROWS_WITH(parse_fault_plan("fault:=2"), Contains("expected FIELD=VALUE"));
  CHECK_THROWS_WITH(parse_fault_plan("fault@search:*"), Contains("@remeasure"));
  ::setenv(kFaultPlanEnv, "wrong:num_warps", 1);
  CHECK_THROWS_WITH(fault_plan_from_env(), Contains("$TILECC_TUNE_FAULTS") && Contains("FIELD=VALUE"));
  ::setenv(kFaultPlanEnv, "wrong:num_warps=8", 1);
  CHECK(fault_plan_from_env().size() == 1);
  ::unsetenv(kFaultPlanEnv);
  CHECK(fault_plan_from_env().empty());
}

TEST_CASE("a planted crash kills the bench worker; a planted stall is killed at the timeout", "[fault_plan]") {
  ::setenv(kFaultPlanEnv, "crash:num_warps=2;stall:num_warps=4", 1);  // each worker start reads it
  Worker bench({TILECC_TEST_TILECC_BIN, "tune-worker", "--role", "bench"});
  const nlohmann::json crashed = bench.request({{"op", "bench"}, {"config", {{"num_warps", 2}}}}, 10);
  CHECK(crashed.value("crashed", false));
  CHECK_FALSE(crashed.value("timeout", false));
  CHECK(crashed.value("error", "").find("signal 9") != std::string::npos);
  const double t0 = steady_seconds();
  const nlohmann::json stalled = bench.request({{"op", "bench"}, {"config", {{"num_warps", 4}}}}, 1);
  CHECK(stalled.value("timeout", false));
  CHECK(steady_seconds() - t0 < 5);
  // Not planted: the worker answers (here without a GPU or an init: an error, not a death).
  const nlohmann::json answered = bench.request({{"op", "bench"}, {"config", {{"num_warps", 8}}}}, 10);
  CHECK_FALSE(answered.value("ok", true));
  CHECK_FALSE(answered.value("crashed", false));
  CHECK(bench.starts() == 3);
  ::unsetenv(kFaultPlanEnv);
}
