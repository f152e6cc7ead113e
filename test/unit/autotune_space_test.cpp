// The tuner's view of real kernels (serialized IR fixtures in test/data/ir): genomes and
// config-space points map both ways, launch grids follow the config as the emitted launcher's
// do, full_extent follows the shapes, and the convergence plot is an SVG. No Clang, no GPU.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "autotune/database.hpp"
#include "autotune/launch.hpp"
#include "autotune/tune_space.hpp"
#include "autotune/tuner.hpp"
#include "tilecc/version.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/ir/serialize.hpp"

namespace ir = tilecc::ir;
namespace cg = tilecc::codegen;
namespace config = tilecc::config;
namespace autotune = tilecc::autotune;
namespace launch = tilecc::launch;
using namespace tilecc::autotune;

namespace {

ir::Kernel fixture(const std::string& file, const std::string& instance) {
  const auto path = std::filesystem::path(TILECC_TEST_DATA_DIR) / "ir" / file;
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  for (const ir::Kernel& k : ir::deserialize(ss.str()).kernels)
    if (k.instance == instance) return k;
  FAIL("no instance " << instance << " in " << file);
  return {};
}

std::vector<ArgSpec> args(std::initializer_list<const char*> texts) {
  std::vector<ArgSpec> out;
  for (const char* t : texts) out.push_back(parse_arg(t));
  return out;
}

}  // namespace

TEST_CASE("genomes and config-space points map both ways on real kernels", "[tune_space]") {
  for (const char* file : {"matmul.json", "softmax.json"}) {
    INFO(file);
    const ir::Kernel k = fixture(file, "tilecc::bf16");
    const autotune::ConfigSpace space(k);
    const TuneSpace ts(space, "sm_90a");
    REQUIRE(ts.search_space().axes.size() == space.fragments().size());
    for (std::size_t i = 0; i < space.fragments().size(); ++i)
      CHECK(ts.search_space().axes[i].size == space.fragments()[i].cardinality());
    const Genome def = ts.to_genome(space.default_point());
    CHECK(ts.to_point(def) == space.default_point());
    std::mt19937_64 rng(3);
    for (int i = 0; i < 40; ++i) {
      const autotune::Point p = space.random_valid(rng, "sm_90a");
      const Genome g = ts.to_genome(p);
      CHECK(ts.search_space().in_range(g));
      CHECK(ts.to_point(g) == p);
      CHECK(!ts.why_invalid(g));
    }
  }
}

TEST_CASE("the shape grid around the default holds the coupled tile and warp moves", "[tune_space]") {
  const ir::Kernel k = fixture("matmul.json", "tilecc::bf16");
  for (const char* arch : {"sm_80", "sm_90a"}) {  // 128 x 128 on 4 warps; 128 x 256 on 8
    INFO(arch);
    const autotune::ConfigSpace space(k, config::default_config(k, arch));
    const TuneSpace ts(space, arch);
    const Genome def = ts.to_genome(space.default_point());
    const std::vector<Genome> grid = ts.shape_grid(def);
    REQUIRE(!grid.empty());
    CHECK(grid.front() == def);
    CHECK(grid.size() < 81);  // 3^4 combinations (bk, tm, tn, warps), some refused by check()
    const std::size_t warps = 3;  // axes: block_sizes[0..2], num_warps
    REQUIRE(ts.search_space().axes[warps].name == "num_warps");
    bool coupled = false;  // a bigger tile on more warps: two axes away from the default
    for (const Genome& g : grid) {
      CHECK(!ts.why_invalid(g));
      for (std::size_t i = 0; i < g.size(); ++i) {
        const std::string& axis = ts.search_space().axes[i].name;
        if (axis.rfind("block_sizes[", 0) == 0 || axis == "num_warps")
          CHECK(std::abs(g[i] - def[i]) <= 1);
        else
          CHECK(g[i] == def[i]);
      }
      coupled = coupled || (g[warps] == def[warps] + 1 && (g[1] == def[1] + 1 || g[2] == def[2] + 1));
    }
    CHECK(coupled);
    std::set<Genome> distinct(grid.begin(), grid.end());
    CHECK(distinct.size() == grid.size());
  }
}

TEST_CASE("candidates are specialized for the facts of the tuner's arguments", "[launch]") {
  const ir::Kernel k = fixture("matmul.json", "tilecc::bf16");
  config::Config c = config::default_config(k);
  c.block_sizes = {32, 128, 128};
  const auto square = bind_args(k, args({"x=bf16[4096,4096]", "y=bf16[4096,4096]", "out=bf16[4096,4096]"}));
  const config::Specialization s = specialization_for(k, c, square, "sm_90a");
  CHECK(s.aligned_tensors == std::set<std::string>{"x", "y", "out"});
  CHECK(s.unit_strides == std::set<config::ShapeSlot>{{"x", true, 1}, {"y", true, 1}, {"out", true, 1}});
  CHECK(s.div16_strides.count({"x", true, 0}));
  CHECK(s.divisible_loops.size() == 3);  // tm, tn by 128 and tk by 32
  CHECK(s.constants.empty());           // shapes stay dynamic, as the runtime compiles them

  // k = 1000: x's rows are no multiple of 16 elements and no k block divides k.
  const auto odd = bind_args(k, args({"x=bf16[4096,1000]", "y=bf16[1000,2048]", "out=bf16[4096,2048]"}));
  const config::Specialization o = specialization_for(k, c, odd, "sm_90a");
  CHECK(!o.div16_strides.count({"x", true, 0}));
  CHECK(o.div16_strides.count({"y", true, 0}));
  CHECK(o.divisible_loops.size() == 2);
  CHECK(o.unit_strides.size() == 3);

  // The emitted candidate tells the compiler: aligned bases, unit strides folded.
  cg::EmitOptions eo;
  eo.arch = "sm_90a";
  eo.specialization = s;
  const std::string code = cg::emit_kernel(k, c, eo).global_function;
  CHECK(code.find("__builtin_assume_aligned(x.data, 16)") != std::string::npos);
  CHECK(code.find("x.stride(1)") == std::string::npos);
}

TEST_CASE("--deploy translate-auto measures the variant translate --specialize=auto's launcher takes", "[launch]") {
  const ir::Kernel k = fixture("matmul.json", "tilecc::bf16");
  config::Config c = config::default_config(k);
  c.block_sizes = {32, 128, 128};
  // Every extent divides its block: the unit_div variant, without the runtime's alignment facts.
  const auto square = bind_args(k, args({"x=bf16[4096,4096]", "y=bf16[4096,4096]", "out=bf16[4096,4096]"}));
  const config::Specialization s = auto_specialization_for(k, c, square, "sm_90a");
  CHECK(s.divisible_loops.size() == 3);
  CHECK(s.unit_strides.size() == 3);
  CHECK(s.aligned_tensors.empty());
  // k = 1000: no k block divides it: the unit variant.
  const auto odd = bind_args(k, args({"x=bf16[4096,1000]", "y=bf16[1000,2048]", "out=bf16[4096,2048]"}));
  const config::Specialization o = auto_specialization_for(k, c, odd, "sm_90a");
  CHECK(o.divisible_loops.empty());
  CHECK(o.unit_strides.size() == 3);
}

TEST_CASE("check() refuses pipelines deeper than the arch's shared memory", "[config_space]") {
  const ir::Kernel k = fixture("matmul.json", "tilecc::bf16");
  const autotune::ConfigSpace space(k);
  // 4 stages of 128 x 64 + 64 x 128 bf16 operands: 128 KB of dynamic shared memory.
  const config::Config deep =
      config::apply_config_json(R"({"block_sizes": [64, 128, 128], "num_warps": 4, "range_num_stages": [4]})",
                                space.base());
  CHECK(!space.check(deep, "sm_90a"));
  CHECK(!space.check(deep, "sm_80"));  // 163 KB
  const auto why = space.check(deep, "sm_86");  // 99 KB
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("dynamic shared memory") && Catch::Contains("sm_86"));
}

TEST_CASE("check() refuses a register cap the largest tile does not fit in", "[config_space]") {
  const ir::Kernel k = fixture("matmul.json", "tilecc::bf16");
  const autotune::ConfigSpace space(k, config::default_config(k, "sm_90a"));  // 128 x 256 on 8 warps: 128 per thread
  auto with_cap = [&](int blocks) {
    return space.check(config::apply_config_json(fmt::format(R"({{"min_blocks_per_sm": {}}})", blocks), space.base()),
                       "sm_90a");
  };
  CHECK(!with_cap(0));
  CHECK(!with_cap(1));  // 255 registers per thread
  // 128: the wgmma accumulator fits, but ptxas asks for 154 with its k-loop and cannot spill it.
  const auto two = with_cap(2);
  REQUIRE(two);
  CHECK_THAT(*two, Catch::Contains("128 registers per thread") && Catch::Contains("wgmma accumulator needs 128"));
  const auto three = with_cap(3);  // 80 registers: not even the tile
  REQUIRE(three);
  CHECK_THAT(*three, Catch::Contains("'min_blocks_per_sm'") && Catch::Contains("80 registers"));
  // A row kernel close to its cap runs well (scripts/gpu_translate.sh's softmax: 48 registers).
  const ir::Kernel softmax = fixture("softmax.json", "tilecc::bf16");
  const autotune::ConfigSpace rows(softmax);
  CHECK(!rows.check(config::apply_config_json(R"({"block_sizes": [1], "num_warps": 4, "full_extent": 4096,
      "threads_per_row": 128, "min_blocks_per_sm": 10})",
                                              rows.base()),
                    "sm_90a"));
}

TEST_CASE("launch grids follow the config like the emitted launcher", "[launch]") {
  const ir::Kernel k = fixture("matmul.json", "tilecc::bf16");
  const auto bound = bind_args(k, args({"x=bf16[4096,1000]", "y=bf16[1000,2000]", "out=bf16[4096,2000]"}));
  config::Config c = config::default_config(k);
  c.block_sizes.assign(k.block_slots.size(), 64);  // every tile 64 (the k block too)
  c.num_warps = 8;
  launch::Grid d = launch_grid(k, c, bound, 132);
  CHECK(d.launches());
  CHECK(d.threads == 256);
  CHECK(d.x == 64 * 32);  // ceil(4096/64) * ceil(2000/64)
  CHECK(d.y == 1);
  c.pid = config::Pid::PersistentInterleaved;
  c.programs_per_sm = 2;
  CHECK(launch_grid(k, c, bound, 132).x == 264);
  c.pid = config::Pid::Xyz;
  d = launch_grid(k, c, bound, 132);
  CHECK(d.x == 32);  // the innermost launch dim (tn) on x
  CHECK(d.y == 64);
  c.loop_orders = {{1, 0}};  // tm innermost: on x
  d = launch_grid(k, c, bound, 132);
  CHECK(d.x == 64);
  CHECK(d.y == 32);
  CHECK_THROWS_AS(launch_grid(k, c, bind_args(k, args({"x=bf16[64,8]", "y=bf16[9,8]", "out=bf16[64,8]"})), 132),
                  ArgError);  // TILECC_CHECK(y.size(0) == k)
}

TEST_CASE("full_extent follows the whole-row tiles of the arguments", "[launch]") {
  const ir::Kernel softmax = fixture("softmax.json", "tilecc::bf16");
  CHECK(full_extent_for(softmax, bind_args(softmax, args({"x=bf16[8192,4096]", "out=bf16[8192,4096]"}))) == 4096);
  CHECK(full_extent_for(softmax, bind_args(softmax, args({"x=bf16[8,3000]", "out=bf16[8,3000]"}))) == 4096);
  const ir::Kernel matmul = fixture("matmul.json", "tilecc::bf16");
  CHECK(full_extent_for(matmul, bind_args(matmul, args({"x=bf16[64,64]", "y=bf16[64,64]", "out=bf16[64,64]"}))) ==
        config::default_config(matmul).full_extent);
}

TEST_CASE("the convergence plot is an SVG with the baseline", "[plot]") {
  TuneResult r;
  r.tune_seconds = 30;
  r.convergence = {{1.0, 0.5}, {4.0, 0.3}, {20.0, 0.25}};
  r.random_best_ms = 0.27;
  r.random_measured = 200;
  const std::string svg = convergence_svg(r, "matmul");
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("best of 200 random") != std::string::npos);
  CHECK(svg.find("tuned 0.25 ms") != std::string::npos);
  CHECK(svg.find("</svg>") != std::string::npos);
}

TEST_CASE("translate --tuned finds the entry of the kernel, preferring the arch's GPUs", "[db]") {
  const ir::Kernel k = fixture("softmax.json", "tilecc::bf16");
  const auto path = std::filesystem::temp_directory_path() / "tilecc_find_tuned_test.json";
  std::filesystem::remove(path);
  const TuningDb db(path);
  CHECK(!find_tuned(k, db, "sm_90a"));
  DbKey key{kernel_source_hash(k),
            kernel_display_name(k),
            "x:bf16[8192,4096]",
            "NVIDIA H200",
            "9.0",
            "0.1.0",
            autotune::ConfigSpace(k).fingerprint()};
  key.version = TILECC_VERSION;
  db.record({key, nlohmann::json::parse(R"({"block_sizes":[2],"num_warps":8})"), 0.0492, "2026-12-02T04:00:00Z", {}});
  DbKey a100 = key;
  a100.gpu = "NVIDIA A100";
  a100.cc = "8.0";
  db.record({a100, nlohmann::json::parse(R"({"block_sizes":[4],"num_warps":4})"), 0.09, "2026-12-02T05:00:00Z", {}});
  DbKey other = key;
  other.source_hash = "0000";  // another kernel source: never matches
  db.record({other, nlohmann::json::parse(R"({"num_warps":2})"), 0.01, "2026-12-02T06:00:00Z", {}});

  const auto h200 = find_tuned(k, db, "sm_90a");
  REQUIRE(h200);
  CHECK(h200->entry.config.at("num_warps") == 8);
  CHECK(h200->candidates == 2);
  CHECK(h200->comment().find(key.hash()) != std::string::npos);
  CHECK(h200->comment().find("0.0492 ms") != std::string::npos);
  CHECK(find_tuned(k, db, "sm_80")->entry.config.at("num_warps") == 4);
  CHECK(!find_tuned(k, db, "sm_90a", "x:f32"));
  CHECK(!find_tuned(fixture("softmax.json", "float"), db, "sm_90a"));
  std::filesystem::remove(path);
}
