// The launch plan (translator/launch/launch_plan.hpp) and the grid it gives for actual
// extents: flat, pid xyz with flattened loops and loop orders, persistent grids, the
// whole-extent guards; and the plan printed as the launcher codegen emits.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "translator/codegen/emit_cuda.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/builder.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/launch/grid.hpp"
#include "translator/launch/launch_plan.hpp"

namespace ir = tilecc::ir;
namespace config = tilecc::config;
namespace launch = tilecc::launch;
using launch::Grid;
using launch::GridKind;

namespace {

ir::Kernel fixture(const std::string& file, const std::string& name, const std::string& instance) {
  std::ifstream in(std::string(TILECC_TEST_DATA_DIR) + "/ir/" + file);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  for (const ir::Kernel& k : ir::deserialize(ss.str()).kernels)
    if (k.name == name && k.instance == instance) return k;
  FAIL("no kernel " << name << "<" << instance << "> in " << file);
  return {};
}

/// for (b : tl::grid(x.size(0))) for (auto [tm, tn] : tl::tile(x.size(1), x.size(2))) {}:
/// two launch loops, the inner one two-dimensional (the one flatten_loops / loop_orders name).
ir::Kernel batched(bool four_loops = false) {
  ir::Builder b("batched", "batched.tile.cpp");
  b.tensor("x", ir::DType::f32, 3);
  ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 1));
  ir::LoopDim tn = b.dim("tn", b.constant(0), b.size("x", 2));
  ir::StmtPtr loops = b.launch_loop({tm, tn}, {});
  loops = b.grid_loop({b.dim("b", b.constant(0), b.size("x", 0), {})}, {loops}, /*launch=*/true);
  // Another grid loop outside: four launch dims, one more than pid xyz has axes.
  if (four_loops) loops = b.grid_loop({b.dim("a", b.constant(0), b.constant(2), {})}, {loops}, true);
  return b.finish({}, {loops});
}

config::Config batched_config(config::Pid pid) {
  config::Config c;
  c.block_sizes = {16, 32};
  c.num_warps = 2;
  c.pid = pid;
  return c;
}

Grid grid(const launch::LaunchPlan& plan, std::vector<std::int64_t> extents, std::int64_t sms = 132) {
  return launch::compute_grid(plan, extents, sms);
}

}  // namespace

TEST_CASE("launch plan: flat programs over the launch dims, outermost first", "[launch_plan]") {
  const ir::Kernel k = batched();
  const launch::LaunchPlan plan = launch::plan_launch(k, batched_config(config::Pid::Flat));
  CHECK(plan.grid == GridKind::Flat);
  CHECK(plan.threads == 64);
  REQUIRE(plan.dims.size() == 3);
  CHECK(plan.dims[0].dim->var == "b");
  CHECK(plan.dims[0].is_grid);
  CHECK(plan.dims[0].block == 1);
  CHECK(plan.dims[1].dim->var == "tm");
  CHECK(plan.dims[1].block == 16);
  CHECK(plan.dims[2].dim->var == "tn");
  CHECK(plan.dims[2].block == 32);
  CHECK(plan.dims[2].loop == k.body[0]->body[0].get());
  CHECK(plan.dims[1].loop == plan.dims[2].loop);
  REQUIRE(plan.params.size() == 1);
  CHECK(plan.params[0].kind == launch::ParamPacking::Kind::Tensor);
  CHECK(plan.params[0].size == 8 + 16 * 3);

  // b = 3, tm over 100 (7 tiles of 16), tn over 50 (2 tiles of 32): 42 programs.
  Grid g = grid(plan, {3, 100, 50});
  CHECK(g.launches());
  CHECK(g.x == 42);
  CHECK(g.y == 1);
  CHECK(g.z == 1);
  CHECK(g.threads == 64);
  CHECK(grid(plan, {3, 0, 50}).status == Grid::Status::Empty);
  CHECK(grid(plan, {3, -5, 50}).status == Grid::Status::Empty);
  g = grid(plan, {1 << 20, 1 << 20, 1 << 20});
  CHECK(g.status == Grid::Status::ProgramLimit);
  CHECK_THAT(g.error(), Catch::Contains("exceed CUDA's grid limit of 2147483647"));
}

TEST_CASE("launch plan: pid xyz gives each dim, or each flattened loop, a grid axis; loop orders reorder",
          "[launch_plan]") {
  const ir::Kernel k = batched();
  config::Config c = batched_config(config::Pid::Xyz);
  launch::LaunchPlan plan = launch::plan_launch(k, c);
  CHECK(plan.grid == GridKind::Xyz);
  CHECK(plan.axes == 3);
  REQUIRE(plan.groups.size() == 3);
  CHECK(plan.groups[0].axis == 2);  // b on z, tm on y, tn (innermost) on x
  CHECK(plan.groups[2].axis == 0);
  CHECK(plan.group_on_axis(0) == 2);
  Grid g = grid(plan, {3, 100, 50});
  CHECK(g.x == 2);
  CHECK(g.y == 7);
  CHECK(g.z == 3);

  // The inner loop flattened, tn outermost within it: one axis (x) over its 14 tiles, b on y.
  c.flatten_loops = {true};
  c.loop_orders = {{1, 0}};
  plan = launch::plan_launch(k, c);
  CHECK(plan.axes == 2);
  REQUIRE(plan.groups.size() == 2);
  CHECK(plan.groups[0].first == 0);
  CHECK(plan.groups[0].count == 1);
  CHECK(plan.groups[0].axis == 1);
  CHECK(plan.groups[1].first == 1);
  CHECK(plan.groups[1].count == 2);
  CHECK(plan.groups[1].axis == 0);
  REQUIRE(plan.dims.size() == 3);
  CHECK(plan.dims[1].dim->var == "tn");  // the config's order: tm varies fastest
  CHECK(plan.dims[1].kernel_index == 2);  // its extent is still read where the kernel has it
  CHECK(plan.dims[2].dim->var == "tm");
  CHECK(plan.dims[2].kernel_index == 1);
  CHECK(plan.dims[1].group == 1);
  CHECK(plan.dims[2].group == 1);
  g = grid(plan, {3, 100, 50});
  CHECK(g.launches());
  CHECK(g.x == 14);
  CHECK(g.y == 3);
  CHECK(g.z == 1);

  // y and z hold 65535 blocks at most.
  g = grid(plan, {70000, 100, 50});
  CHECK(g.status == Grid::Status::XyzLimit);
  CHECK_THAT(g.error(), Catch::Contains("exceeds CUDA's limits with pid xyz") && Catch::Contains("70000"));
  CHECK(grid(plan, {0, 100, 50}).status == Grid::Status::Empty);

  // Four axes do not fit a grid.
  CHECK_THROWS_AS(launch::plan_launch(batched(true), batched_config(config::Pid::Xyz)), launch::PlanError);
}

TEST_CASE("launch plan: a persistent grid is min(programs, SMs x programs_per_sm)", "[launch_plan]") {
  const ir::Kernel k = batched();
  config::Config c = batched_config(config::Pid::PersistentBlocked);
  c.programs_per_sm = 3;
  const launch::LaunchPlan plan = launch::plan_launch(k, c);
  CHECK(plan.grid == GridKind::Persistent);
  CHECK(plan.programs_per_sm == 3);
  Grid g = grid(plan, {3, 100, 50}, 4);
  CHECK(g.x == 12);
  CHECK(g.programs == 42);
  CHECK(grid(plan, {3, 100, 50}, 100).x == 42);
  // Program ids are decomposed in 32 bits whatever the grid: too many programs are refused
  // before the grid is clamped.
  CHECK(grid(plan, {1 << 20, 1 << 20, 1 << 20}, 4).status == Grid::Status::ProgramLimit);
}

TEST_CASE("launch plan: whole rows are guarded by full_extent unless reductions loop", "[launch_plan]") {
  const ir::Kernel k = fixture("softmax.json", "softmax", "float");
  config::Config c = config::default_config(k);
  c.full_extent = 4096;
  launch::LaunchPlan plan = launch::plan_launch(k, c);
  REQUIRE(plan.guards.size() == 2);
  CHECK(plan.guards[0].text == "out.size(1)");  // sorted by text, as the launcher checks them
  CHECK(plan.guards[0].param == 1);
  CHECK(plan.guards[1].text == "x.size(1)");
  CHECK(plan.guards[1].param == 0);
  CHECK(plan.guards[1].dim == 1);
  REQUIRE(plan.lets.size() == 2);
  CHECK(plan.lets[0]->name == "m");
  CHECK(plan.lets[1]->name == "n");
  CHECK(plan.checks.size() == 1);

  const std::int64_t fits[2] = {8, 4096}, long_row[2] = {8, 5000};
  const std::int64_t* ok[2] = {fits, fits};
  CHECK(launch::exceeded_guard(plan, ok) == nullptr);
  const std::int64_t* too_long[2] = {long_row, long_row};
  const launch::WholeDim* broken = launch::exceeded_guard(plan, too_long);
  REQUIRE(broken);
  CHECK(launch::guard_error(plan, *broken, 5000) == "out.size(1) = 5000 exceeds the config's full_extent 4096");
  // softmax's reductions can walk rows in chunks: longer rows run the looped variant.
  CHECK(plan.beyond_guards == launch::BeyondGuards::RunLooped);

  c.reduction_loops = {256};  // rows walked in chunks: any length fits
  plan = launch::plan_launch(k, c);
  CHECK(plan.guards.empty());
  CHECK(plan.beyond_guards == launch::BeyondGuards::Refuse);
  CHECK(launch::exceeded_guard(plan, too_long) == nullptr);
}

namespace {

/// The launcher's text for the host expressions of the fixtures' launch bounds.
std::string host_text(const ir::ExprPtr& e) {
  switch (e->kind) {
    case ir::Expr::Kind::Const: return fmt::format("{}LL", e->ival);
    case ir::Expr::Kind::Var:
    case ir::Expr::Kind::Param: return e->name;
    case ir::Expr::Kind::TensorSize: return fmt::format("{}.size({})", e->name, e->ival);
    default: FAIL("a launch bound this test does not print"); return "";
  }
}

std::string programs_text(const launch::LaunchPlan& plan, int group) {
  std::string out;
  for (const launch::LaunchDim& d : plan.dims) {
    if (group >= 0 && d.group != group) continue;
    out += fmt::format("{}tilecc::dev::ceil_div(({}) - ({}), {}LL)", out.empty() ? "" : " * ", host_text(d.dim->end),
                       host_text(d.dim->begin), d.block);
  }
  return out.empty() ? "1LL" : out;
}

/// The launcher lines the header of launch_plan.hpp derives from each field (those that need
/// no general expression printer), in the order the launcher prints them.
std::vector<std::string> launcher_lines(const ir::Kernel& k, const launch::LaunchPlan& plan,
                                        const std::string& symbol) {
  std::vector<std::string> lines;
  for (const ir::Stmt* s : plan.lets) lines.push_back(fmt::format(" {} = ", s->name));
  for (std::size_t i = 0; i < plan.checks.size(); ++i) lines.push_back("return tilecc::launch_check_failed(");
  const bool looped = plan.beyond_guards == launch::BeyondGuards::RunLooped;
  if (looped) {
    std::string longer;
    for (const launch::WholeDim& g : plan.guards)
      longer += fmt::format("{}{} > {}", longer.empty() ? "" : " || ", g.text, plan.full_extent);
    lines.push_back(fmt::format("const bool looped = {};", longer));
  } else {
    for (const launch::WholeDim& g : plan.guards)
      lines.push_back(
          fmt::format("if ({0} > {1}) return tilecc::launch_config_error(\"{2}\", \"{0} exceeds the config's "
                      "full_extent {1}: translate with a larger full_extent\");",
                      g.text, plan.full_extent, k.name));
  }
  std::string grid;
  if (plan.grid == GridKind::Xyz) {
    for (int axis = 0; axis < 3; ++axis)
      lines.push_back(fmt::format("const long long grid_{} = {};", "xyz"[axis],
                                  axis < plan.axes ? programs_text(plan, plan.group_on_axis(axis)) : "1LL"));
    grid = "dim3(unsigned(grid_x), unsigned(grid_y), unsigned(grid_z))";
  } else {
    lines.push_back(fmt::format("const long long programs = {};", programs_text(plan, -1)));
    lines.push_back("if (programs > 2147483647LL) return cudaErrorInvalidConfiguration;");
    grid = "dim3(unsigned(programs))";
  }
  if (plan.grid == GridKind::Persistent) {
    lines.push_back(fmt::format("const long long blocks = std::min<long long>(programs, tilecc::sm_count() * {}LL);",
                                plan.programs_per_sm));
    grid = "dim3(unsigned(blocks))";
  }
  if (plan.dynamic_shared_bytes)
    lines.push_back(
        fmt::format("tilecc::allow_dynamic_shared<{}>({}); e != cudaSuccess", symbol, plan.dynamic_shared_bytes));
  std::string args;
  for (std::size_t i = 0; i < plan.params.size(); ++i) {
    const std::string& name = k.params[i].name;
    args +=
        (i ? ", " : "") +
        (plan.params[i].kind == launch::ParamPacking::Kind::Tensor ? fmt::format("tilecc::to_arg({})", name) : name);
  }
  if (looped)
    lines.push_back(fmt::format("{}_looped<<<{}, {}, {}, stream>>>({});", symbol, grid, plan.threads,
                                plan.looped_dynamic_shared_bytes, args));
  lines.push_back(
      fmt::format("{}<<<{}, {}, {}, stream>>>({});", symbol, grid, plan.threads, plan.dynamic_shared_bytes, args));
  return lines;
}

}  // namespace

TEST_CASE("launch plan: printed as documented, it is the launcher codegen emits", "[launch_plan]") {
  struct Case {
    const char* file;
    const char* name;
    const char* config;
  };
  const Case cases[] = {
      {"add.json", "add", "{}"},
      {"add.json", "add", R"({"pid": "xyz"})"},
      {"add.json", "add",
       R"({"block_sizes": [8, 256], "pid": "xyz", "flatten_loops": [true], "loop_orders": [[1, 0]]})"},
      {"add.json", "add", R"({"pid": "persistent_interleaved", "programs_per_sm": 3})"},
      {"matmul.json", "matmul", R"({"pid": "xyz", "loop_orders": [[1, 0]]})"},
      {"matmul.json", "matmul", R"({"block_sizes": [64, 128, 128], "num_warps": 4, "range_num_stages": [4]})"},
      {"softmax.json", "softmax", R"({"full_extent": 4096})"},
      {"softmax.json", "softmax", R"({"block_sizes": [2], "reduction_loops": [256]})"},
      {"layer_norm.json", "layer_norm", R"({"pid": "persistent_blocked"})"},
  };
  for (const Case& t : cases) {
    const ir::Kernel k = fixture(t.file, t.name, "tilecc::bf16");
    const config::Config c = config::parse_config(t.config, k);
    INFO(t.name << " " << t.config);
    const tilecc::codegen::KernelCode code = tilecc::codegen::emit_kernel(k, c, {});
    launch::LaunchPlan plan = launch::plan_launch(k, c);
    plan.dynamic_shared_bytes = code.resources.dynamic_shared_bytes;
    INFO(code.launcher);
    std::size_t at = 0;
    for (const std::string& line : launcher_lines(k, plan, code.kernel_symbol)) {
      INFO(line);
      const std::size_t found = code.launcher.find(line, at);
      CHECK(found != std::string::npos);
      if (found != std::string::npos) at = found + line.size();
    }
  }
}
