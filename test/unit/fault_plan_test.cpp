// The planted-fault test hook's plan: its syntax, its errors, and which configs it picks.
#include "autotune/fault_plan.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

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
  CHECK_THROWS_WITH(parse_fault_plan("explode:num_warps=2"), Contains("'explode:num_warps=2'") && Contains("unknown kind"));
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
