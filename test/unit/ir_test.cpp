// Tile IR: hand-built kernels through the verifier, the serialized form and
// config validation (no Clang needed).
#include <catch2/catch.hpp>

#include "translator/config/config.hpp"
#include "translator/codegen/emit_cuda.hpp"
#include "translator/ir/printer.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/ir/verifier.hpp"

namespace ir = tilecc::ir;

namespace {

/// for (t : tile(x.size(0))) out[t] = exp(x[t]) -- built by hand.
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
  e->fval = -std::numeric_limits<double>::infinity();  // odd on purpose: must round-trip
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

std::shared_ptr<ir::Stmt> mutable_store(ir::Kernel& k) {
  auto loop = std::const_pointer_cast<ir::Stmt>(k.body[0]);
  auto store = std::make_shared<ir::Stmt>(*loop->body[0]);
  loop->body[0] = store;
  return store;
}

}  // namespace

TEST_CASE("a scan keeps its operand's shape; an atomic max round-trips with its operation", "[ir]") {
  ir::Kernel k = exp_kernel();
  auto store = mutable_store(k);
  auto scan = std::make_shared<ir::Expr>(*store->expr);
  scan->kind = ir::Expr::Kind::Reduce;
  scan->op = ir::Op::Cumsum;
  scan->ival = 0;
  scan->args = {store->expr};
  store->expr = scan;
  store->kind = ir::Stmt::Kind::AtomicAdd;
  store->op = ir::Op::Maximum;
  ir::Module m;
  m.kernels.push_back(k);
  REQUIRE_NOTHROW(ir::verify(m));
  const std::string text = ir::serialize(m);
  const ir::Module back = ir::deserialize(text);
  CHECK(ir::serialize(back) == text);
  CHECK(ir::to_string(back).find("atomic_max out[t] = cumsum(exp(load x[t]), dim=0)") != std::string::npos);
  store->op = ir::Op::Mul;
  CHECK_THROWS_WITH(ir::verify(k), Catch::Contains("an atomic update by 'mul'"));
}

TEST_CASE("a well-formed kernel verifies and round-trips through JSON exactly", "[ir]") {
  ir::Module m;
  m.kernels.push_back(exp_kernel());
  REQUIRE_NOTHROW(ir::verify(m));
  const std::string text = ir::serialize(m);
  const ir::Module back = ir::deserialize(text);
  CHECK(ir::serialize(back) == text);
  CHECK(ir::to_string(back) == ir::to_string(m));
  CHECK(text.find("\"-inf\"") != std::string::npos);
}

TEST_CASE("the verifier names what is wrong", "[ir]") {
  SECTION("store into a const tensor") {
    ir::Kernel k = exp_kernel();
    mutable_store(k)->name = "x";
    CHECK_THROWS_WITH(ir::verify(k), Catch::Contains("const tensor 'x'"));
  }
  SECTION("wrong number of indices") {
    ir::Kernel k = exp_kernel();
    auto s = mutable_store(k);
    ir::Index all;  // (not a braced init: GCC 12 -Wrestrict false positive on "")
    all.kind = ir::Index::Kind::All;
    s->indices.push_back(all);
    CHECK_THROWS_WITH(ir::verify(k), Catch::Contains("rank 1 but is indexed with 2"));
  }
  SECTION("undefined variable") {
    ir::Kernel k = exp_kernel();
    mutable_store(k)->expr = ir::make_var("nowhere", ir::DType::f32);
    CHECK_THROWS_WITH(ir::verify(k), Catch::Contains("'nowhere' is used before it is defined"));
  }
  SECTION("block size slot out of range") {
    ir::Kernel k = exp_kernel();
    k.block_slots.clear();
    CHECK_THROWS_WITH(ir::verify(k), Catch::Contains("block_sizes[0]"));
  }
}

TEST_CASE("malformed serialized IR is rejected with the field named", "[ir]") {
  CHECK_THROWS_AS(ir::deserialize("not json"), ir::SerializeError);
  CHECK_THROWS_WITH(ir::deserialize("{\"format\": \"other\"}"), Catch::Contains("tilecc-ir"));
  CHECK_THROWS_WITH(ir::deserialize("{\"format\": \"tilecc-ir\", \"version\": 99, \"kernels\": []}"),
                    Catch::Contains("version 99"));
}

TEST_CASE("configs are validated field by field", "[config]") {
  const ir::Kernel k = exp_kernel();
  using tilecc::config::parse_config;
  CHECK_NOTHROW(parse_config(R"({"block_sizes":[256],"num_warps":4})", k));
  CHECK_THROWS_WITH(parse_config(R"({"block_sizes":[100]})", k), Catch::Contains("'block_sizes[0]'"));
  CHECK_THROWS_WITH(parse_config(R"({"block_sizes":[64, 64]})", k), Catch::Contains("'block_sizes'"));
  CHECK_THROWS_WITH(parse_config(R"({"num_warps":3})", k), Catch::Contains("'num_warps'"));
  CHECK_THROWS_WITH(parse_config(R"({"pid":"spiral"})", k), Catch::Contains("'pid'"));
  CHECK_THROWS_WITH(parse_config(R"({"num_warps":"four"})", k), Catch::Contains("'num_warps'"));
  CHECK_THROWS_WITH(parse_config(R"({"colour":1})", k), Catch::Contains("unknown field 'colour'"));
  CHECK_THROWS_WITH(parse_config(R"({"num_warps":32,"min_blocks_per_sm":4})", k),
                    Catch::Contains("'min_blocks_per_sm'"));
}

TEST_CASE("codegen output is deterministic and masks the edge tile", "[codegen]") {
  const ir::Kernel k = exp_kernel();
  const auto config = tilecc::config::default_config(k);
  const auto a = tilecc::codegen::emit_kernel(k, config, {});
  const auto b = tilecc::codegen::emit_kernel(k, config, {});
  CHECK(a.global_function == b.global_function);
  CHECK(a.launcher == b.launcher);
  CHECK(a.global_function.find("const int t_size = int(min(") != std::string::npos);
  CHECK(a.global_function.find("tilecc::dev::load(") != std::string::npos);
}
