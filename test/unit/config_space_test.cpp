// The config space (autotune/config_space.hpp) of a hand-built kernel: fragments
// derived from its structure, decode/encode, seeded sampling, neighbours, check() with the
// field named, and knobs that really change the emitted code. No Clang, no CUDA.
#include <catch2/catch.hpp>

#include <limits>
#include <random>
#include <set>

#include "translator/config/config.hpp"
#include "autotune/config_space.hpp"
#include "translator/codegen/emit_cuda.hpp"

namespace ir = tilecc::ir;
namespace cg = tilecc::codegen;
namespace config = tilecc::config;
namespace autotune = tilecc::autotune;

namespace {

/// for (t : tile(x.size(0))) out[t] = exp(x[t]) -- built by hand (as in ir_test.cpp).
ir::Kernel exp_kernel() {
  ir::Kernel k;
  k.name = "exp";
  k.params = {{"x", true, ir::DType::f32, 1, true, ""}, {"out", true, ir::DType::f32, 1, false, ""}};
  k.block_slots = {{"block_size_t", 1, 1024}};
  auto size = std::make_shared<ir::Expr>();
  size->kind = ir::Expr::Kind::TensorSize;
  size->name = "x";
  auto load = std::make_shared<ir::Expr>();
  load->kind = ir::Expr::Kind::Load;
  load->name = "x";
  load->dtype = ir::DType::f32;
  load->indices = {{ir::Index::Kind::Tile, "t", nullptr}};
  load->shape = {{ir::Dim::Kind::Tile, "t", 0, nullptr}};
  auto e = std::make_shared<ir::Expr>();
  e->kind = ir::Expr::Kind::Unary;
  e->op = ir::Op::Exp;
  e->dtype = ir::DType::f32;
  e->shape = load->shape;
  e->args = {load};
  auto store = std::make_shared<ir::Stmt>();
  store->kind = ir::Stmt::Kind::Store;
  store->name = "out";
  store->indices = load->indices;
  store->expr = e;
  auto loop = std::make_shared<ir::Stmt>();
  loop->kind = ir::Stmt::Kind::Loop;
  loop->is_launch = true;
  loop->dims = {{"t", ir::make_const_int(0), size, {ir::BlockSpec::Kind::Tunable, 0, 1}}};
  loop->body = {store};
  k.body = {loop};
  return k;
}

std::set<std::string> names(const autotune::ConfigSpace& s) {
  std::set<std::string> out;
  for (const autotune::Fragment& f : s.fragments()) out.insert(f.name);
  return out;
}

std::string code_of(const ir::Kernel& k, const std::string& json) {
  return cg::emit_kernel(k, config::parse_config(json, k), {}).global_function;
}

}  // namespace

TEST_CASE("the space of a 1-D elementwise kernel has one fragment per structural element", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const autotune::ConfigSpace space(k);
  const std::set<std::string> n = names(space);
  for (const char* want :
       {"block_sizes[0]", "num_warps", "min_blocks_per_sm", "threads_per_row", "pid", "programs_per_sm", "prefetch",
        "load_vectors[0]", "load_hints[0]", "store_vectors[0]", "store_hints[0]"})
    CHECK(n.count(want));
  // One launch dim: no xyz, no L2 grouping, no loop order.
  CHECK_FALSE(n.count("l2_grouping"));
  CHECK_FALSE(n.count("loop_orders[0]"));
  for (const autotune::Fragment& f : space.fragments())
    if (f.name == "pid")
      CHECK(f.choices == std::vector<std::string>{"flat", "persistent_blocked", "persistent_interleaved"});
  CHECK(space.fingerprint().size() == 16);
  CHECK(space.fingerprint() == autotune::ConfigSpace(k).fingerprint());
  CHECK(space.to_json()["fragments"].size() == space.fragments().size());
}

TEST_CASE("decode and encode are inverse; the default point decodes to the default config", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const autotune::ConfigSpace space(k);
  CHECK(space.decode(space.default_point()).to_json() == config::default_config(k).to_json());
  std::mt19937_64 rng(7);
  for (int i = 0; i < 50; ++i) {
    const autotune::Point p = space.random_point(rng);
    CHECK(space.encode(space.decode(p)) == p);
  }
  autotune::Point short_point = space.default_point();
  short_point.pop_back();
  CHECK_THROWS_AS(space.decode(short_point), config::ConfigError);
}

TEST_CASE("seeded sampling gives the same valid configs every time", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const autotune::ConfigSpace space(k);
  std::mt19937_64 a(42), b(42);
  std::set<std::string> distinct;
  for (int i = 0; i < 20; ++i) {
    const autotune::Point p = space.random_valid(a, "sm_90a");
    CHECK(p == space.random_valid(b, "sm_90a"));
    const config::Config c = space.decode(p);
    CHECK_FALSE(space.check(c, "sm_90a").has_value());
    distinct.insert(c.to_json());
  }
  CHECK(distinct.size() >= 15);
  // draw() is the only randomness: fixed values for a fixed seed on every platform.
  std::mt19937_64 r(1);
  CHECK(autotune::ConfigSpace::draw(r, 10) == autotune::ConfigSpace::draw(*std::make_unique<std::mt19937_64>(1), 10));
}

TEST_CASE("neighbours differ in exactly one fragment and stay inside it", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const autotune::ConfigSpace space(k);
  const autotune::Point p = space.default_point();
  const auto ns = space.neighbors(p);
  CHECK(ns.size() >= space.fragments().size());
  for (const autotune::Point& q : ns) {
    int differ = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (!(p[i] == q[i])) {
        ++differ;
        CHECK(space.fragments()[i].contains(q[i]));
      }
    CHECK(differ == 1);
  }
}

TEST_CASE("check() rejects what cannot work and names the field", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const autotune::ConfigSpace space(k);
  auto why = [&](const std::string& json) {
    const auto r = space.check(config::apply_config_json(json, space.base()), "sm_90a");
    return r ? *r : std::string("ok");
  };
  CHECK(why("{}") == "ok");
  CHECK_THAT(why(R"({"num_warps": 64})"), Catch::Contains("'num_warps'"));
  CHECK_THAT(why(R"({"min_blocks_per_sm": 4, "num_warps": 32})"), Catch::Contains("'min_blocks_per_sm'"));
  CHECK_THAT(why(R"({"l2_grouping": 8})"), Catch::Contains("'l2_grouping'"));  // no 2-D grid
  CHECK_THAT(why(R"({"pid": "xyz", "loop_orders": [[0]]})"), Catch::Contains("loop_orders"));
  // 64 elements on 64 threads of a row: one float per thread, no vector access to make.
  CHECK_THAT(why(R"({"block_sizes": [64], "threads_per_row": 64, "load_vectors": [true]})"),
             Catch::Contains("'load_vectors[0]'"));
  CHECK(why(R"({"block_sizes": [64], "threads_per_row": 64, "load_vectors": [false], "store_vectors": [false]})") ==
        "ok");
  CHECK_THAT(why(R"({"reduction_loops": [64]})"), Catch::Contains("reduction_loops"));
  CHECK_THROWS_WITH(config::apply_config_json(R"({"load_hints": ["evict_sometimes"]})", space.base()),
                    Catch::Contains("'load_hints[0]'"));
  CHECK_THROWS_WITH(config::apply_config_json(R"({"pid": "spiral"})", space.base()), Catch::Contains("'pid'"));
  CHECK_THROWS_WITH(config::apply_config_json(R"({"bogus": 1})", space.base()), Catch::Contains("'bogus'"));
  CHECK_THROWS_WITH(space.encode(config::apply_config_json(R"({"programs_per_sm": 99})", space.base())),
                    Catch::Contains("programs_per_sm"));
}

TEST_CASE("each knob changes the emitted code", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const std::string base = code_of(k, "{}");
  CHECK_THAT(base, Catch::Contains("tilecc::dev::load(") && Catch::Contains("tilecc::dev::store("));
  CHECK_THAT(code_of(k, R"({"load_hints": ["evict_first"]})"),
             Catch::Contains("tilecc::dev::load_hinted<tilecc::dev::LoadHint::evict_first, true>("));
  CHECK_THAT(code_of(k, R"({"load_hints": ["cg"], "load_vectors": [false]})"),
             Catch::Contains("load_hinted<tilecc::dev::LoadHint::cg, false>("));
  CHECK_THAT(code_of(k, R"({"store_hints": ["cs"]})"),
             Catch::Contains("tilecc::dev::store_hinted<tilecc::dev::StoreHint::cs, true>("));
  CHECK_THAT(code_of(k, R"({"store_vectors": [false]})"),
             Catch::Contains("store_hinted<tilecc::dev::StoreHint::none, false>("));
  CHECK_THAT(code_of(k, R"({"pid": "persistent_blocked"})"), Catch::Contains("programs_per_block"));
  CHECK_THAT(code_of(k, R"({"pid": "persistent_interleaved"})"), Catch::Contains("program += gridDim.x"));
  CHECK_THAT(code_of(k, R"({"min_blocks_per_sm": 2})"), Catch::Contains("__launch_bounds__(256, 2)"));
  // Sampled configs that differ in their JSON differ in their code (threads_per_row 0 means
  // "codegen chooses" and may choose what another config names: allow a few coincidences).
  const autotune::ConfigSpace space(k);
  std::mt19937_64 rng(3);
  std::set<std::string> configs, codes;
  for (int i = 0; i < 30; ++i) {
    const config::Config c = space.decode(space.random_valid(rng));
    if (!configs.insert(c.to_json()).second) continue;
    const std::string code = cg::emit_kernel(k, c, {}).global_function + cg::emit_kernel(k, c, {}).launcher;
    codes.insert(code);
  }
  CHECK(codes.size() * 10 >= configs.size() * 9);
}

TEST_CASE("TMA loads and stores are choices of the sm_90 spaces only, and rejected before sm_90", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const std::set<std::string> hopper = names(autotune::ConfigSpace(k, config::default_config(k), "sm_90a"));
  CHECK(hopper.count("load_tma[0]"));
  CHECK(hopper.count("store_tma[0]"));
  CHECK(names(autotune::ConfigSpace(k, config::default_config(k), "sm_90")).count("load_tma[0]"));
  const autotune::ConfigSpace ampere(k, config::default_config(k), "sm_80");
  CHECK_FALSE(names(ampere).count("load_tma[0]"));
  CHECK_FALSE(names(ampere).count("store_tma[0]"));
  CHECK(ampere.fingerprint() != autotune::ConfigSpace(k).fingerprint());

  const config::Config tma =
      config::parse_config(R"({"block_sizes": [256], "load_tma": [true], "store_tma": [true]})", k);
  CHECK_FALSE(ampere.check(tma, "sm_90a").has_value());
  const auto why = ampere.check(tma, "sm_80");
  REQUIRE(why.has_value());
  CHECK_THAT(*why, Catch::Contains("config field 'load_tma[0]'") && Catch::Contains("sm_90"));
  CHECK_THROWS_AS(config::parse_config(R"({"load_tma": [true, false]})", k), config::ConfigError);  // one load

  // The code: a stage per site at kernel scope, the accesses through it.
  cg::EmitOptions hopper_options;
  hopper_options.arch = "sm_90a";
  const std::string code = cg::emit_kernel(k, tma, hopper_options).global_function;
  CHECK_THAT(code, Catch::Contains("__shared__ tilecc::dev::TmaStage<float, 1, 256> tma_load_0;") &&
                       Catch::Contains("tilecc::dev::tma_init<L>(tma_store_0);") &&
                       Catch::Contains("tilecc::dev::load_tma<tilecc::dev::LoadHint::none, true>(x_0, tma_load_0, "
                                       "tma_load_0_phase,") &&
                       Catch::Contains("tilecc::dev::store_tma<tilecc::dev::StoreHint::none, true>(tma_store_0,"));
  // A row under 16 bytes holds no bulk copy: the knob does not apply, in registers instead.
  config::Config narrow = tma;
  narrow.block_sizes = {2};
  const std::string small = cg::emit_kernel(k, narrow, hopper_options).global_function;
  CHECK_THAT(small, Catch::Contains("load_tma[0] does not apply here: rows of the load of x"));
  CHECK_THAT(small, !Catch::Contains("TmaStage"));
}

TEST_CASE("a sample can cover every value of a fragment, whatever the seed", "[config_space]") {
  const ir::Kernel k = exp_kernel();
  const autotune::ConfigSpace space(k);
  const std::vector<const autotune::ConfigSpace*> spaces = {&space};
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<config::Config> sample = autotune::sample_configs(spaces, 8, seed, "sm_90a", {"pid"});
    REQUIRE(sample.size() == 8);
    CHECK(sample[0].pid == config::Pid::Flat);
    CHECK(sample[1].pid == config::Pid::PersistentBlocked);
    CHECK(sample[2].pid == config::Pid::PersistentInterleaved);
    for (const config::Config& c : sample) CHECK_FALSE(space.check(c, "sm_90a").has_value());
    // The same seed, the same sample.
    CHECK(autotune::sample_configs(spaces, 8, seed, "sm_90a", {"pid"})[5].to_json() == sample[5].to_json());
  }
  CHECK_THROWS_WITH(autotune::sample_configs(spaces, 4, 1, "sm_90a", {"no_such_knob"}),
                    Catch::Contains("no_such_knob"));

  // Fragment::values lists what random draws can give.
  for (const autotune::Fragment& f : space.fragments()) {
    if (f.kind == autotune::Fragment::Kind::Permutation) continue;
    const std::vector<autotune::Value> values = f.values();
    CHECK(static_cast<std::int64_t>(values.size()) == f.cardinality());
    for (const autotune::Value& v : values) CHECK(f.contains(v));
  }
}
