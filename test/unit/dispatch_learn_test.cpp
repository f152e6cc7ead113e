// The shape dispatch learned from tuned shapes (autotune/dispatch_learn.hpp), from synthetic
// tuning records: which configs a launcher carries, which extents take which, where the
// default runs; and the printed launcher says the same. No GPU, no Clang.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autotune/dispatch_learn.hpp"
#include "translator/codegen/emit_dispatch.hpp"
#include "translator/ir/serialize.hpp"

namespace ir = tilecc::ir;
namespace config = tilecc::config;
namespace codegen = tilecc::codegen;
using namespace tilecc::autotune;

namespace {

ir::Kernel softmax_bf16() {
  std::ifstream in(std::filesystem::path(TILECC_TEST_DATA_DIR) / "ir" / "softmax.json");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  for (const ir::Kernel& k : ir::deserialize(ss.str()).kernels)
    if (k.instance == "tilecc::bf16") return k;
  FAIL("no bf16 softmax in softmax.json");
  return {};
}

/// A tuned config: the tuner fits full_extent to the shape's rows (the next power of two).
nlohmann::json cfg(int rows, int warps, int full_extent = 0) {
  nlohmann::json c = {{"block_sizes", {rows}}, {"num_warps", warps}};
  if (full_extent) c["full_extent"] = full_extent;
  return c;
}

TunedShape shape(const ir::Kernel& k, long rows, long cols, const nlohmann::json& best, double ms,
                 double default_ms = 0) {
  TunedShape t;
  const std::string size = "[" + std::to_string(rows) + "," + std::to_string(cols) + "]";
  t.args = bind_args(k, {parse_arg("x=bf16" + size), parse_arg("out=bf16" + size)});
  t.best_config = best;
  t.best_ms = ms;
  t.default_ms = default_ms;
  return t;
}

/// The config a shape runs: the row's config index, or -1 for the default.
int runs(const config::ShapeDispatch& d, std::int64_t rows, std::int64_t cols) {
  const int r = d.row_for({rows, cols});
  return r < 0 ? -1 : d.rows[static_cast<std::size_t>(r)].config;
}

/// Which of the table's configs `c` is (-2: none).
int index_of(const config::ShapeDispatch& d, const ir::Kernel& k, const nlohmann::json& c) {
  const nlohmann::json want = nlohmann::json::parse(config::parse_config(c.dump(), k).to_json());
  for (std::size_t i = 0; i < d.configs.size(); ++i)
    if (nlohmann::json::parse(d.configs[i].config.to_json()) == want) return static_cast<int>(i);
  return -2;
}

/// Rows {1024, 8192} x columns {512, 4096, 16384}, three winners, full_extent fitted to the
/// columns as the tuner fits it.
std::vector<TunedShape> grid(const ir::Kernel& k) {
  return {
      shape(k, 1024, 512, cfg(4, 4, 512), 0.010, 0.012),      shape(k, 8192, 512, cfg(4, 4, 512), 0.030, 0.040),
      shape(k, 1024, 4096, cfg(2, 8, 4096), 0.020, 0.025),    shape(k, 8192, 4096, cfg(2, 8, 4096), 0.090, 0.100),
      shape(k, 1024, 16384, cfg(1, 16, 16384), 0.050, 0.090), shape(k, 8192, 16384, cfg(1, 16, 16384), 0.350, 0.400)};
}

}  // namespace

TEST_CASE("a grid of tuned shapes: one extent per distinct column, each shape runs its best", "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  const config::ShapeDispatch d = learn_dispatch(k, grid(k), {});
  // out's sizes repeat x's in every shape: tested once.
  CHECK(d.features == std::vector<std::string>{"x.size(0)", "x.size(1)"});
  REQUIRE(d.configs.size() == 3);
  CHECK(d.configs[0].note == "best at 1024x512 (0.0100 ms), 8192x512 (0.0300 ms)");
  // Rows of the same config along the row extent merge: one row per column bucket.
  // Between the buckets, columns the next holder would fill less than half are walked in the
  // 512 chunks (1025..2048 and 4097..8192).
  REQUIRE(d.rows.size() == 5);
  CHECK(d.rows[0].comment ==
        "1024x512: 0.0100 ms, default 0.0120 ms; 8192x512: 0.0300 ms, default 0.0400 ms; between tuned shapes, rows "
        "up to 512 held whole");
  for (const TunedShape& t : grid(k)) {
    const int want = t.best_config == cfg(4, 4, 512) ? 0 : t.best_config == cfg(2, 8, 4096) ? 1 : 2;
    CHECK(runs(d, t.args[0].sizes[0], t.args[0].sizes[1]) == want);
  }
  // Untuned shapes: the columns go to the config that holds them whole with the least to
  // spare (the default holds 1024), or where it would idle half its lanes, to the shortest
  // chunks walking them.
  CHECK(runs(d, 4096, 512) == 0);
  CHECK(runs(d, 4096, 513) == -1);
  CHECK(runs(d, 2000, 1000) == -1);
  CHECK(runs(d, 2000, 1024) == -1);
  CHECK(runs(d, 2000, 1025) == 0);
  CHECK(runs(d, 4096, 1448) == 0);
  CHECK(runs(d, 4096, 2049) == 1);
  CHECK(runs(d, 4096, 4096) == 1);
  CHECK(runs(d, 3000, 4097) == 0);
  CHECK(runs(d, 3000, 6000) == 0);
  CHECK(runs(d, 3000, 8193) == 2);
  // Beyond what any config holds: the nearest tuned shape's pick (its looped variant).
  CHECK(runs(d, 500, 20000) == 2);
  // Far from every tuned shape (4x beyond the extremes): the default.
  CHECK(runs(d, 1024, 100) == -1);
  CHECK(runs(d, 100000, 4096) == -1);
  CHECK(runs(d, 32768, 4096) == -1);
  CHECK(runs(d, 32767, 4096) == 1);
  CHECK(runs(d, 255, 4096) == -1);
  CHECK(runs(d, 256, 4096) == 1);
}

TEST_CASE("between tuned shapes: the tightest whole-row config, the nearest winner among equals", "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  // Two configs hold 16384 columns; one won at few rows, the other at many. A third won at
  // 4096 columns by looping over rows of a full_extent of 2048 (what the tuner found fastest):
  // it holds up to the rows it won at, no further.
  const nlohmann::json few = cfg(1, 16, 16384), many = cfg(2, 16, 16384), looped = cfg(4, 8, 2048);
  const std::vector<TunedShape> s = {shape(k, 1024, 16384, few, 0.050), shape(k, 8192, 16384, many, 0.350),
                                     shape(k, 1024, 4096, looped, 0.020), shape(k, 8192, 4096, looped, 0.090)};
  const config::ShapeDispatch d = learn_dispatch(k, s, {});
  REQUIRE(d.configs.size() == 3);
  auto index = [&](const nlohmann::json& c) { return index_of(d, k, c); };
  CHECK(runs(d, 1024, 4096) == index(looped));
  CHECK(runs(d, 1024, 3000) == index(looped));
  // 4097..8192 columns: the 16384 configs would idle half their lanes; the 2048 chunks walk.
  CHECK(runs(d, 6000, 6000) == index(looped));
  CHECK(runs(d, 1500, 6000) == index(looped));
  CHECK(runs(d, 6000, 8193) == index(many));  // 8193..16384 columns: only the 16384 configs hold them
  CHECK(runs(d, 1500, 12000) == index(few));
  CHECK(runs(d, 6000, 12000) == index(many));
  // The comment of a part between tuned shapes says why it runs what it runs.
  bool said = false;
  for (const auto& row : d.rows)
    said = said || row.comment.find(
                       "8192x4096: 0.0900 ms; between tuned shapes, rows up to 4096 held whole; rows "
                       "walked in chunks of 2048") != std::string::npos;
  CHECK(said);
}

TEST_CASE("rows a holding config would fill less than half are walked in the shortest chunks, keeping loads cached",
          "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  // Two 512-wide configs: `first` marks its load evict-first and won at 8192x512, nearer to
  // 3000x6000 than `keeps`, which won at 1024x512. A row walked is read twice: `keeps` walks.
  nlohmann::json first = cfg(4, 4, 512), keeps = cfg(8, 4, 512);
  first["load_hints"] = {"evict_first"};
  const std::vector<TunedShape> s = {shape(k, 1024, 512, keeps, 0.010), shape(k, 8192, 512, first, 0.030),
                                     shape(k, 1024, 16384, cfg(1, 16, 16384), 0.050),
                                     shape(k, 8192, 16384, cfg(1, 16, 16384), 0.350)};
  const config::ShapeDispatch d = learn_dispatch(k, s, {});
  REQUIRE(d.configs.size() == 3);
  auto index = [&](const nlohmann::json& c) { return index_of(d, k, c); };
  CHECK(runs(d, 3000, 6000) == index(keeps));
  CHECK(runs(d, 12000, 6000) == index(keeps));
  CHECK(runs(d, 3000, 8192) == index(keeps));
  CHECK(runs(d, 3000, 8193) == index(cfg(1, 16, 16384)));  // half full or more: held whole
  bool said = false;
  for (const auto& row : d.rows) said = said || row.comment.find("rows walked in chunks of 512") != std::string::npos;
  CHECK(said);
}

TEST_CASE("the table does not depend on the order the shapes come in", "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  std::vector<TunedShape> shapes = grid(k);
  const config::ShapeDispatch a = learn_dispatch(k, shapes, {});
  std::reverse(shapes.begin(), shapes.end());
  std::rotate(shapes.begin(), shapes.begin() + 2, shapes.end());
  const config::ShapeDispatch b = learn_dispatch(k, shapes, {});
  REQUIRE(a.rows.size() == b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    CHECK(a.rows[i].config == b.rows[i].config);
    CHECK(a.rows[i].comment == b.rows[i].comment);
    for (std::size_t f = 0; f < a.features.size(); ++f) {
      CHECK(a.rows[i].ranges[f].lo == b.rows[i].ranges[f].lo);
      CHECK(a.rows[i].ranges[f].hi == b.rows[i].ranges[f].hi);
    }
  }
}

TEST_CASE("more winners than K: the configs that lose the least time over the shapes, by cross times", "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  // Four shapes, four winners. Config B is nearly as good at 512 columns as A, D nearly as
  // good at 16384 as C; with K = 2 the choice is B and D, whatever won where.
  const nlohmann::json A = cfg(8, 4), B = cfg(4, 4), C = cfg(1, 16), D = cfg(1, 8);
  std::vector<TunedShape> s = {shape(k, 1024, 512, A, 0.010), shape(k, 8192, 512, B, 0.030),
                               shape(k, 1024, 16384, C, 0.050), shape(k, 8192, 16384, D, 0.300)};
  s[0].measured = {{B, 0.0105}, {C, 0.030}, {D, 0.031}};
  s[1].measured = {{A, 0.040}, {C, 0.090}, {D, 0.095}};
  s[2].measured = {{A, 0.200}, {B, 0.150}, {D, 0.052}};
  s[3].measured = {{A, 0.900}, {B, 0.800}, {C, 0.400}};
  DispatchOptions o;
  o.max_configs = 2;
  const config::ShapeDispatch d = learn_dispatch(k, s, o);
  REQUIRE(d.configs.size() == 2);
  CHECK(nlohmann::json::parse(d.configs[0].config.to_json())["block_sizes"] == nlohmann::json{4});
  CHECK(nlohmann::json::parse(d.configs[1].config.to_json())["num_warps"] == 8);
  CHECK(runs(d, 1024, 512) == 0);   // B, 5% behind A
  CHECK(runs(d, 1024, 16384) == 1); // D, 4% behind C
  // The comment of a shape that runs another config than its best says both.
  bool said = false;
  for (const auto& row : d.rows)
    said = said || row.comment.find("1024x512: 0.0105 ms (its best 0.0100 ms)") != std::string::npos;
  CHECK(said);

  o.max_configs = 4;
  CHECK(learn_dispatch(k, s, o).configs.size() == 4);
}

TEST_CASE("where the default config was fastest, the shape runs the default", "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  const nlohmann::json def = nlohmann::json::parse(config::default_config(k).to_json());
  const config::ShapeDispatch d =
      learn_dispatch(k, {shape(k, 1024, 512, def, 0.010), shape(k, 8192, 4096, cfg(2, 8), 0.090)}, {});
  REQUIRE(d.configs.size() == 1);  // the default takes no slot
  CHECK(runs(d, 1024, 512) == -1);
  CHECK(runs(d, 8192, 4096) == 0);
}

TEST_CASE("the printed launcher is the table: a row per entry, distinct symbols, the default last", "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  const config::ShapeDispatch d = learn_dispatch(k, grid(k), {});
  codegen::EmitOptions eo;
  eo.arch = "sm_90a";
  const std::string text = codegen::emit_dispatch_text(k, d, eo, {});
  INFO(text);
  for (const char* symbol : {"softmax_bf16_kernel_cfg0(", "softmax_bf16_kernel_cfg1(", "softmax_bf16_kernel_cfg2(",
                             "softmax_bf16_kernel_default(", "static cudaError_t softmax_bf16_cfg0(",
                             "static cudaError_t softmax_bf16_default(", "cudaError_t softmax<tilecc::bf16>("})
    CHECK(text.find(symbol) != std::string::npos);
  CHECK(text.find("  if (in(e0,   256, 32768) && in(e1,   128,   513)) return softmax_bf16_cfg0(x, out, stream);"
                  "  // 1024x512") != std::string::npos);
  CHECK(text.find("  return softmax_bf16_default(x, out, stream);  // far from every tuned shape\n}") !=
        std::string::npos);
  // Each config's long rows run its own looped variant.
  CHECK(text.find("softmax_bf16_kernel_cfg0_looped") != std::string::npos);
}

TEST_CASE("a database entry without its arguments is refused with what to do", "[dispatch]") {
  const ir::Kernel k = softmax_bf16();
  DbEntry e;
  e.key.spec = "x:bf16[1024,512]";
  e.config = cfg(2, 8);
  e.details = {{"effort", "quick"}};
  CHECK_THROWS_WITH(tuned_shape_of(k, e),
                    Catch::Contains("cannot be read as a tuned shape") && Catch::Contains("tune the shape again"));
  e.details["args"] = {"x=bf16[1024,512]", "out=bf16[1024,512]"};
  e.details["measured"] = {{{"config", cfg(4, 4)}, {"ms", 0.5}}};
  const TunedShape t = tuned_shape_of(k, e);
  CHECK(t.args.size() == 2);
  CHECK(t.measured.size() == 1);
}
