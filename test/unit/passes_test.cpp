// The lowering passes on kernels built by hand (ir::Builder): each decision lands on the IR
// where the printer reads it, and what the backend cannot express is refused with the line.
#include <catch2/catch.hpp>

#include "translator/config/config.hpp"
#include "translator/ir/builder.hpp"
#include "translator/ir/printer.hpp"
#include "translator/ir/visitor.hpp"
#include "translator/passes/dot_rules.hpp"
#include "translator/passes/pipeline.hpp"
#include "translator/passes/resources.hpp"

namespace ir = tilecc::ir;
namespace passes = tilecc::passes;
namespace config = tilecc::config;
namespace dot_rules = tilecc::passes::dot_rules;

namespace {

/// out[tm, all] = x / sum(x) * max(x): two straight-line row reductions, then a store.
ir::Kernel rows(ir::DType t = ir::DType::f32) {
  ir::Builder b("rows");
  b.tensor("x", t, 2, true);
  b.tensor("out", t, 2);
  const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 0));
  auto v = b.let("v", b.cast(ir::DType::f32, b.load("x", {b.tile("tm"), b.all()})));
  auto s = b.let("s", b.reduce(ir::Op::Sum, b.var("v"), 1, true));
  auto m = b.let("m", b.reduce(ir::Op::Max, b.var("v"), 1, true));
  auto st = b.store("out", {b.tile("tm"), b.all()},
                    b.cast(t, b.binary(ir::Op::Mul, b.binary(ir::Op::Div, b.var("v"), b.var("s")), b.var("m"))));
  return b.finish({}, {b.launch_loop({tm}, {v, s, m, st})});
}

/// acc = zeros; for tk: acc = dot(x[tm, tk], y[tk, tn], acc); out[tm, tn] = cast(acc).
ir::Kernel matmul(ir::DType t) {
  ir::Builder b("mm");
  b.tensor("x", t, 2, true);
  b.tensor("y", t, 2, true);
  b.tensor("out", t, 2);
  const ir::LoopDim tk = b.dim("tk", b.constant(0), b.size("x", 1));
  const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 0));
  const ir::LoopDim tn = b.dim("tn", b.constant(0), b.size("y", 1));
  auto acc = b.let("acc", b.zeros({ir::Builder::tile_dim("tm"), ir::Builder::tile_dim("tn")}));
  auto loop = b.loop({tk}, {b.assign("acc", b.dot(b.load("x", {b.tile("tm"), b.tile("tk")}),
                                                  b.load("y", {b.tile("tk"), b.tile("tn")}), b.var("acc")))});
  auto st = b.store("out", {b.tile("tm"), b.tile("tn")}, b.cast(t, b.var("acc")));
  return b.finish({}, {b.launch_loop({tm, tn}, {acc, loop, st})});
}

/// out[tm] = sum over tn of x[tm, tn] (op Add) or its max (op Maximum): a row reduction walked
/// in column tiles, each folded into acc. `also_read`: the loop stores acc too.
ir::Kernel looped_rows(ir::Op op = ir::Op::Add, bool also_read = false, ir::DType acc_type = ir::DType::f32) {
  ir::Builder b("looped");
  b.tensor("x", ir::DType::bf16, 2, true);
  b.tensor("out", acc_type, 1);
  const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 0));
  const ir::LoopDim tn = b.dim("tn", b.constant(0), b.size("x", 1));
  auto acc = b.let("acc", b.zeros({ir::Builder::tile_dim("tm")}, acc_type));
  auto tile = b.cast(acc_type, b.load("x", {b.tile("tm"), b.tile("tn")}));
  const ir::Op red = op == ir::Op::Add ? ir::Op::Sum : ir::Op::Max;
  std::vector<ir::StmtPtr> steps{b.assign("acc", b.binary(op, b.var("acc"), b.reduce(red, tile, 1)))};
  if (also_read) steps.push_back(b.store("out", {b.tile("tm")}, b.var("acc")));
  auto st = b.store("out", {b.tile("tm")}, b.var("acc"));
  return b.finish({}, {b.launch_loop({tm}, {acc, b.loop({tn}, steps), st})});
}

std::vector<const ir::Expr*> reductions(const ir::Kernel& k) {
  struct Find : ir::Visitor {
    std::vector<const ir::Expr*> out;
    void visit_reduce(const ir::Expr& e) override {
      visit_children(e);
      out.push_back(&e);
    }
  } find;
  find.visit(k);
  return find.out;
}

config::Config config_of(const ir::Kernel& k, const std::string& json) { return config::parse_config(json, k); }

}  // namespace

TEST_CASE("straight-line reductions alternate scratch buffers; the last one outside loops keeps no barrier",
          "[passes]") {
  const ir::Kernel k = rows();
  const ir::Kernel lowered = passes::lower(k, config_of(k, R"({"block_sizes":[4],"num_warps":8})"), {"sm_90a"});
  const auto reds = reductions(lowered);
  REQUIRE(reds.size() == 2);
  CHECK(reds[0]->scratch.planned);
  CHECK(reds[0]->scratch.buffer == 0);
  CHECK_FALSE(reds[0]->scratch.barrier);  // the next reduction runs right after it
  CHECK(reds[1]->scratch.buffer == 1);
  CHECK_FALSE(reds[1]->scratch.barrier);  // the kernel's last, outside every loop
  CHECK(lowered.second_scratch);
}

TEST_CASE("persistent programs loop over the body: the last reduction keeps its barrier", "[passes]") {
  const ir::Kernel k = rows();
  const ir::Kernel lowered =
      passes::lower(k, config_of(k, R"({"block_sizes":[4],"num_warps":8,"pid":"persistent_blocked"})"), {"sm_90a"});
  const auto reds = reductions(lowered);
  REQUIRE(reds.size() == 2);
  CHECK(reds[1]->scratch.barrier);
  CHECK(lowered.programs.persistent());
}

TEST_CASE("chunked rows: reductions become ChunkReduce statements before their use, the store a ChunkLoop",
          "[passes]") {
  const ir::Kernel k = rows();
  const ir::Kernel lowered =
      passes::lower(k, config_of(k, R"({"block_sizes":[4],"num_warps":8,"reduction_loops":[256]})"), {"sm_90a"});
  const std::vector<ir::StmtPtr>& body = lowered.body[0]->body;
  std::vector<ir::Stmt::Kind> kinds;
  for (const ir::StmtPtr& s : body) kinds.push_back(s->kind);
  using K = ir::Stmt::Kind;
  // v is a whole row: deferred; s and m are computed by chunked reductions first.
  REQUIRE(kinds == std::vector<K>{K::Let, K::ChunkReduce, K::Let, K::ChunkReduce, K::Let, K::ChunkLoop});
  CHECK(body[0]->deferred);
  CHECK(body[1]->chunk == 256);
  CHECK(ir::to_string(body[1]->whole) == "x.size(1)");
  CHECK(body[1]->expr->chunked == 0);
  CHECK(body[3]->expr->chunked == 1);
  CHECK(body[5]->whole.var == "out");
}

TEST_CASE("defer_loop_reductions: a loop's tiles add elementwise into a partial accumulator reduced once after it",
          "[passes]") {
  using K = ir::Stmt::Kind;
  for (const ir::Op op : {ir::Op::Add, ir::Op::Maximum}) {
    const ir::Kernel k = looped_rows(op);
    const ir::Kernel lowered = passes::lower(k, config_of(k, R"({"block_sizes":[2,1024],"num_warps":8})"), {"sm_90a"});
    const std::vector<ir::StmtPtr>& body = lowered.body[0]->body;
    std::vector<K> kinds;
    for (const ir::StmtPtr& s : body) kinds.push_back(s->kind);
    REQUIRE(kinds == std::vector<K>{K::Let, K::Let, K::Loop, K::Assign, K::Store});
    // Before the loop: the reduction's identity over one whole tile of the loop.
    CHECK(body[1]->name == "acc_part");
    CHECK(ir::to_string(*body[1]->expr) ==
          (op == ir::Op::Add ? "full<f32>(0:f32; tm, tn)" : "full<f32>(-inf:f32; tm, tn)"));
    // In the loop: no reduction, the tile combined elementwise where it is valid.
    const ir::Stmt& step = *body[2]->body.at(0);
    CHECK(step.name == "acc_part");
    CHECK(step.expr->accumulate);
    CHECK(step.expr->op == op);
    CHECK(ir::to_string(*step.expr)
              .rfind(op == ir::Op::Add ? "accumulate_add(acc_part, " : "accumulate_maximum(acc_part, ", 0) == 0);
    // After it: the accumulator takes the partial one's reduction.
    CHECK(body[3]->name == "acc");
    CHECK(ir::to_string(*body[3]->expr).find(op == ir::Op::Add ? "sum(acc_part, dim=1" : "max(acc_part, dim=1") !=
          std::string::npos);
  }
}

TEST_CASE("defer_loop_reductions leaves an accumulator read in the loop, a 16-bit one and one too big for registers",
          "[passes]") {
  // Whether the loop still folds each tile's reduction into acc.
  auto loop_reduces = [](const ir::Kernel& k, const char* json) {
    const ir::Kernel lowered = passes::lower(k, config_of(k, json), {"sm_90a"});
    for (const ir::StmtPtr& s : lowered.body[0]->body)
      if (s->kind == ir::Stmt::Kind::Loop)
        return s->body[0]->name == "acc" && s->body[0]->expr->args[1]->kind == ir::Expr::Kind::Reduce;
    return false;
  };
  CHECK(loop_reduces(looped_rows(ir::Op::Add, true), R"({"block_sizes":[2,1024],"num_warps":8})"));
  CHECK(loop_reduces(looped_rows(ir::Op::Add, false, ir::DType::bf16), R"({"block_sizes":[2,1024],"num_warps":8})"));
  // 64 x 1024 floats on 256 threads: 256 a thread, past the 32 a partial accumulator may take.
  CHECK(loop_reduces(looped_rows(), R"({"block_sizes":[64,1024],"num_warps":8})"));
  CHECK_FALSE(loop_reduces(looped_rows(), R"({"block_sizes":[4,1024],"num_warps":8})"));
}

TEST_CASE("default configs of streaming kernels give every thread a 16-byte vector of each loop tile", "[passes]") {
  // bf16 rows walked in column tiles: 256 threads x 8 elements = the widest column tile (1024)
  // and two rows.
  const ir::Kernel k = looped_rows();
  CHECK(config::default_config(k, "sm_90a").block_sizes == std::vector<std::int64_t>{2, 1024});
}

TEST_CASE("default configs of 2-D elementwise tiles give every thread a 16-byte vector, except under a grid loop",
          "[passes]") {
  auto kernel = [](bool under_grid) {
    ir::Builder b("elementwise");
    b.tensor("x", ir::DType::bf16, 2, true);
    b.tensor("out", ir::DType::bf16, 2);
    const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 0));
    const ir::LoopDim tn = b.dim("tn", b.constant(0), b.size("x", 1));
    auto st = b.store("out", {b.tile("tm"), b.tile("tn")}, b.load("x", {b.tile("tm"), b.tile("tn")}));
    ir::StmtPtr loops = b.launch_loop({tm, tn}, {st});
    if (under_grid) loops = b.grid_loop({b.dim("g", b.constant(0), b.constant(4), {})}, {loops}, /*launch=*/true);
    return b.finish({}, {loops});
  };
  // A warp's width of 8-element vectors along the row (256), the rest of 2048 elements as rows.
  CHECK(config::default_config(kernel(false), "sm_90a").block_sizes == std::vector<std::int64_t>{8, 256});
  // Under a grid loop the tiles are an item's own dimensions (heads x head dimension): unchanged.
  CHECK(config::default_config(kernel(true), "sm_90a").block_sizes == std::vector<std::int64_t>{32, 32});
}

TEST_CASE("default configs of tensor-core dots whose product a device loop walks: 128 x 128 tiles on 8 warps",
          "[passes]") {
  // Grouped problems: one launch tile of columns, the rows walked by a device loop.
  ir::Builder b("grouped");
  b.tensor("a", ir::DType::bf16, 2, true);
  b.tensor("w", ir::DType::bf16, 2, true);
  b.tensor("out", ir::DType::bf16, 2);
  const ir::LoopDim tn = b.dim("tn", b.constant(0), b.size("w", 1));
  const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("a", 0));
  const ir::LoopDim tk = b.dim("tk", b.constant(0), b.size("a", 1));
  auto acc = b.let("acc", b.zeros({ir::Builder::tile_dim("tm"), ir::Builder::tile_dim("tn")}));
  auto step = b.assign("acc", b.dot(b.load("a", {b.tile("tm"), b.tile("tk")}),
                                    b.load("w", {b.tile("tk"), b.tile("tn")}), b.var("acc")));
  auto st = b.store("out", {b.tile("tm"), b.tile("tn")}, b.cast(ir::DType::bf16, b.var("acc")));
  const ir::Kernel k = b.finish({}, {b.launch_loop({tn}, {b.loop({tm}, {acc, b.loop({tk}, {step}), st})})});
  const config::Config c = config::default_config(k, "sm_80");
  CHECK(c.block_sizes == std::vector<std::int64_t>{128, 128, 32});
  CHECK(c.num_warps == 8);
  // sm_90a: a k block of 64 for wgmma, and 128 (not 256) columns: grouped problems need programs.
  const config::Config h = config::default_config(k, "sm_90a");
  CHECK(h.block_sizes == std::vector<std::int64_t>{128, 128, 64});
  CHECK(h.num_warps == 8);
  CHECK(h.dot_operand_load == config::DotOperandLoad::Auto);
}

TEST_CASE("a bf16 dot k-loop and its store become one dot_loop_store on wgmma (sm_90a) or mma.sync (sm_80)",
          "[passes]") {
  const ir::Kernel k = matmul(ir::DType::bf16);
  const std::string json = R"({"block_sizes":[64,128,256],"num_warps":8})";
  const ir::Kernel hopper = passes::lower(k, config_of(k, json), {"sm_90a"});
  const ir::Stmt& s = *hopper.body[0]->body[0];
  REQUIRE(s.kind == ir::Stmt::Kind::DotLoopStore);
  CHECK(s.dot.wgmma);
  CHECK(s.dot.stages >= 2);
  CHECK(s.dot.dynamic_bytes > 48 * 1024);
  CHECK(passes::analyze_resources(hopper).dynamic_shared_bytes == s.dot.dynamic_bytes);
  const ir::Kernel ampere = passes::lower(k, config_of(k, R"({"block_sizes":[32,128,128],"num_warps":4})"), {"sm_80"});
  CHECK_FALSE(ampere.body[0]->body[0]->dot.wgmma);
  // wgmma asked for where it cannot run: refused with the reason, before anything is printed.
  CHECK_THROWS_WITH(
      passes::lower(k, config_of(k, R"({"block_sizes":[32,128,128],"num_warps":4,"dot_instruction":"wgmma"})"),
                    {"sm_90a"}),
      Catch::Contains("config field 'dot_instruction'") && Catch::Contains("k block of 64"));
}

/// out[tm, tn] = where(mask, x[tm, tn], 0) for the mask `make(b, rows, cols)` builds from the
/// unsqueezed index tiles of tm (rows) and tn (cols) and the scalar parameter s.
template <class Make> ir::Kernel masked(Make make) {
  ir::Builder b("masked");
  b.tensor("x", ir::DType::f32, 2, true);
  b.tensor("out", ir::DType::f32, 2);
  b.scalar("s", ir::DType::i64);
  const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 0));
  const ir::LoopDim tn = b.dim("tn", b.constant(0), b.size("x", 1));
  const ir::ExprPtr rows = b.unsqueeze(b.tile_index("tm"), 1), cols = b.unsqueeze(b.tile_index("tn"), 0);
  auto st = b.store("out", {b.tile("tm"), b.tile("tn")},
                    b.select(make(b, rows, cols), b.load("x", {b.tile("tm"), b.tile("tn")}), b.constant_float(0)));
  return b.finish({}, {b.launch_loop({tm, tn}, {st})});
}

/// The mask of masked()'s store after lowering.
const ir::Expr& mask_of(const ir::Kernel& lowered) { return *lowered.body[0]->body[0]->expr->args[0]; }

TEST_CASE("select_index_compares marks row-versus-column index compares with their offsets, either side first",
          "[passes]") {
  using ir::Op;
  auto lowered = [](const ir::Kernel& k) {
    return passes::lower(k, config_of(k, R"({"block_sizes":[32,32],"num_warps":4})"), {"sm_90a"});
  };
  // rows + s >= cols
  const ir::Kernel ge = lowered(masked([](ir::Builder& b, ir::ExprPtr r, ir::ExprPtr c) {
    return b.binary(Op::Ge, b.binary(Op::Add, r, b.param("s")), c);
  }));
  CHECK(ir::to_string(mask_of(ge)) == "index_compare ge(rows tm.index() + s, columns tn.index())");
  // cols - s > rows: the column term first, so the operator is mirrored
  const ir::Kernel mirrored = lowered(masked([](ir::Builder& b, ir::ExprPtr r, ir::ExprPtr c) {
    return b.binary(Op::Gt, b.binary(Op::Sub, c, b.param("s")), r);
  }));
  const ir::IndexCompare& m = mask_of(mirrored).index_compare;
  CHECK(m.op == Op::Lt);
  CHECK(m.row_offset.empty());
  REQUIRE(m.column_offset.size() == 1);
  CHECK(m.column_offset[0].minus);
  CHECK(ir::to_string(*m.column_offset[0].value) == "s");
  // s - rows counts the indices down, and rows against rows is no row-versus-column compare.
  const ir::Kernel down = lowered(masked([](ir::Builder& b, ir::ExprPtr r, ir::ExprPtr c) {
    return b.binary(Op::Lt, b.binary(Op::Sub, b.param("s"), r), c);
  }));
  CHECK(mask_of(down).index_compare.op == Op::None);
  const ir::Kernel same = lowered(masked([](ir::Builder& b, ir::ExprPtr r, ir::ExprPtr) {
    return b.binary(Op::Lt, r, b.binary(Op::Add, r, b.param("s")));
  }));
  CHECK(mask_of(same).index_compare.op == Op::None);
}

TEST_CASE("an fp8 dot k-loop runs on wgmma for sm_90a and on mma.sync with the 16-bit staging elsewhere", "[passes]") {
  const ir::Kernel k = matmul(ir::DType::fp8e4m3);
  const std::string json = R"({"block_sizes":[32,128,128],"num_warps":4})";
  auto store_of = [](const ir::Kernel& lowered) -> const ir::Stmt& {
    const ir::Stmt& s = *lowered.body[0]->body[0];
    REQUIRE(s.kind == ir::Stmt::Kind::DotLoopStore);
    return s;
  };
  // sm_90a: wgmma in its own k steps of 128 whatever the k block (32 here), 4 cp.async stages
  // in dynamic shared memory, which also holds the mma.sync fallback's staging (a row-major b).
  const ir::Kernel hopper = passes::lower(k, config_of(k, json), {"sm_90a"});
  const ir::Stmt& h = store_of(hopper);
  CHECK(h.dot.wgmma);
  CHECK_FALSE(h.dot.tma);
  const std::int64_t mma_bytes = dot_rules::mma_loop_bytes(128, 128, dot_rules::mma_k_step(128, 128, 32));
  CHECK(h.dot.dynamic_bytes ==
        std::max(dot_rules::wgmma_bytes(128, 128, 4, dot_rules::arch_shared_limit("sm_90a")), mma_bytes));
  // sm_80: mma.sync, fp8 operands staged in dot_loop_mma's buffer laid out for 16-bit ones (not
  // in SIMT's float staging).
  const ir::Kernel ampere = passes::lower(k, config_of(k, json), {"sm_80"});
  CHECK_FALSE(store_of(ampere).dot.wgmma);
  CHECK(passes::analyze_resources(ampere).shared_bytes == mma_bytes);
  // Asked for: mma_sync keeps it there; tensor maps do not apply (a note); wgmma needs sm_90a.
  const std::string mma_sync = R"({"block_sizes":[32,128,128],"num_warps":4,"dot_instruction":"mma_sync"})";
  CHECK_FALSE(store_of(passes::lower(k, config_of(k, mma_sync), {"sm_90a"})).dot.wgmma);
  const std::string tma = R"({"block_sizes":[32,128,128],"num_warps":4,"dot_operand_load":"tma"})";
  const ir::Kernel mapped = passes::lower(k, config_of(k, tma), {"sm_90a"});
  CHECK(store_of(mapped).dot.wgmma);
  CHECK_FALSE(store_of(mapped).dot.tma);
  REQUIRE(store_of(mapped).notes.size() == 1);
  CHECK_THAT(store_of(mapped).notes[0], Catch::Contains("fp8 operands are copied with cp.async"));
  CHECK_THROWS_WITH(
      passes::lower(k, config_of(k, R"({"block_sizes":[64,128,128],"num_warps":4,"dot_instruction":"wgmma"})"),
                    {"sm_80"}),
      Catch::Contains("config field 'dot_instruction'") && Catch::Contains("needs --arch sm_90a"));
}

TEST_CASE("select_accesses keeps a bf16 row packed and names TMA stages; TMA before sm_90 is refused", "[passes]") {
  const ir::Kernel k = rows(ir::DType::bf16);
  const std::string tma = R"({"block_sizes":[4],"num_warps":4,"store_tma":[true]})";
  const ir::Kernel lowered = passes::lower(k, config_of(k, tma), {"sm_90a"});
  const std::string text = ir::to_string(lowered);
  CHECK(text.find("widen<f32>(load {site 0, vector, packed} x[tm, all])") != std::string::npos);
  REQUIRE(lowered.tma_stages.size() == 1);
  CHECK(lowered.tma_stages[0].name == "tma_store_0");
  CHECK_FALSE(lowered.tma_stages[0].load);
  CHECK_THROWS_WITH(passes::lower(k, config_of(k, tma), {"sm_80"}),
                    Catch::Contains("store_tma[0]") && Catch::Contains("sm_90"));
}

TEST_CASE("check_supported and assign_layout refuse with the source position", "[passes]") {
  ir::Builder b("bad");
  b.tensor("x", ir::DType::f32, 2, true);
  b.tensor("out", ir::DType::f32, 2);
  const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 0));
  const ir::LoopDim tn = b.dim("tn", b.constant(0), b.size("x", 1));
  auto bad_check = b.check(b.binary(ir::Op::Gt, b.size("x", 0), b.constant(0)), "x.size(0) > 0");
  std::const_pointer_cast<ir::Stmt>(bad_check)->loc = {12, 7};
  const ir::Kernel k = b.finish({}, {b.launch_loop({tm, tn}, {bad_check})});
  CHECK_THROWS_WITH(passes::lower(k, config_of(k, R"({"block_sizes":[32,32]})"), {"sm_90a"}),
                    Catch::Contains("built.tile.cpp:12:7: error: TILECC_CHECK inside a tile loop"));

  // x[tm, tn] and x[tn, tm] in one kernel: tn is a column in one tile and a row in the other.
  ir::Builder t("transposed");
  t.tensor("x", ir::DType::f32, 2, true);
  t.tensor("out", ir::DType::f32, 2);
  const ir::LoopDim a = t.dim("tm", t.constant(0), t.size("x", 0));
  const ir::LoopDim c = t.dim("tn", t.constant(0), t.size("x", 1));
  auto st = t.store("out", {t.tile("tm"), t.tile("tn")},
                    t.binary(ir::Op::Add, t.load("x", {t.tile("tm"), t.tile("tn")}),
                             t.load("x", {t.tile("tn"), t.tile("tm")})));
  const ir::Kernel tk = t.finish({}, {t.launch_loop({a, c}, {st})});
  CHECK_THROWS_WITH(passes::lower(tk, config_of(tk, R"({"block_sizes":[32,32]})"), {"sm_90a"}),
                    Catch::Contains("a row dimension in one tile and a column dimension in another"));
}

TEST_CASE("resources: translate's limits refuse a tile whose registers cannot fit", "[passes]") {
  const ir::Kernel k = rows();
  // 64 rows of 1024 floats on 128 threads: 512 registers per thread for one fragment.
  const ir::Kernel lowered =
      passes::lower(k, config_of(k, R"({"block_sizes":[64],"num_warps":4,"full_extent":1024})"), {"sm_90a"});
  const passes::Resources r = passes::analyze_resources(lowered);
  CHECK(r.fragment_registers == 512);
  const auto why = passes::over_limits(lowered, r, config::arch_limits("sm_90a"));
  REQUIRE(why);
  CHECK_THAT(*why, Catch::Contains("registers: a 64 x 1024 f32 tile on 128 threads needs 512"));
}
