// Tile IR infrastructure: op kinds, the visitor and mutator, the builder (no Clang needed).
#include <catch2/catch.hpp>

#include "translator/ir/builder.hpp"
#include "translator/ir/printer.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/ir/verifier.hpp"
#include "translator/ir/visitor.hpp"

namespace ir = tilecc::ir;

namespace {

/// softmax over rows, built by hand: the shape a row kernel's IR has.
ir::Kernel softmax() {
  ir::Builder b("softmax");
  b.tensor("x", ir::DType::bf16, 2, true);
  b.tensor("out", ir::DType::bf16, 2);
  const ir::LoopDim tm = b.dim("tm", b.constant(0), b.size("x", 0));
  auto v = b.let("v", b.cast(ir::DType::f32, b.load("x", {b.tile("tm"), b.all()})));
  auto e =
      b.let("e", b.unary(ir::Op::Exp, b.binary(ir::Op::Sub, b.var("v"), b.reduce(ir::Op::Max, b.var("v"), 1, true))));
  auto store =
      b.store("out", {b.tile("tm"), b.all()},
              b.cast(ir::DType::bf16, b.binary(ir::Op::Div, b.var("e"), b.reduce(ir::Op::Sum, b.var("e"), 1, true))));
  auto check = b.check(b.binary(ir::Op::Eq, b.size("x", 1), b.size("out", 1)), "x.size(1) == out.size(1)");
  return b.finish({check}, {b.launch_loop({tm}, {v, e, store})});
}

struct CountKinds : ir::Visitor {
  int loads = 0, reduces = 0, stores = 0, loops = 0;
  void visit_load(const ir::Expr& e) override {
    ++loads;
    visit_children(e);
  }
  void visit_reduce(const ir::Expr& e) override {
    ++reduces;
    visit_children(e);
  }
  void visit_store(const ir::Stmt& s) override {
    ++stores;
    visit_children(s);
  }
  void visit_loop(const ir::Stmt& s) override {
    ++loops;
    visit_children(s);
  }
};

/// Replaces exp by exp2 and leaves every other node as it was.
struct ExpToExp2 : ir::Mutator {
  ir::ExprPtr mutate_unary(const ir::ExprPtr& e) override {
    ir::ExprPtr m = mutate_children(e);
    if (m->op != ir::Op::Exp) return m;
    auto out = std::make_shared<ir::Expr>(*m);
    out->op = ir::Op::Exp2;
    return out;
  }
};

}  // namespace

TEST_CASE("every op has one name, and the name parses back to it", "[ir]") {
  for (int i = 1; i <= static_cast<int>(ir::Op::Cummax); ++i) {
    const auto op = static_cast<ir::Op>(i);
    INFO(ir::name(op));
    REQUIRE(ir::parse_op(ir::name(op)) == op);
    CHECK(ir::op_kind(op) != ir::Expr::Kind::Const);
  }
  CHECK(ir::op_kind(ir::Op::Neg) == ir::Expr::Kind::Unary);
  CHECK(ir::op_kind(ir::Op::Or) == ir::Expr::Kind::Binary);
  CHECK(ir::op_kind(ir::Op::Ne) == ir::Expr::Kind::Compare);
  CHECK(ir::op_kind(ir::Op::Argmin) == ir::Expr::Kind::Reduce);
  CHECK(ir::op_kind(ir::Op::BlockSize) == ir::Expr::Kind::TileAttr);
  CHECK(ir::op_kind(ir::Op::Floor) == ir::Expr::Kind::Unary);
  CHECK(ir::op_kind(ir::Op::BitNot) == ir::Expr::Kind::Unary);
  CHECK(ir::op_kind(ir::Op::BitAnd) == ir::Expr::Kind::Binary);
  CHECK(ir::op_kind(ir::Op::Randn) == ir::Expr::Kind::Binary);
  CHECK(ir::op_kind(ir::Op::Cumsum) == ir::Expr::Kind::Reduce);
  CHECK(ir::is_scan(ir::Op::Cummax));
  CHECK_FALSE(ir::is_scan(ir::Op::Sum));
  CHECK(ir::op_arity(ir::Op::Fma) == 3);
  CHECK(ir::op_arity(ir::Op::Shl) == 2);
  CHECK(ir::op_arity(ir::Op::Sin) == 1);
  CHECK_FALSE(ir::parse_op("expp").has_value());
  CHECK_FALSE(ir::parse_op("").has_value());
}

TEST_CASE("the builder's kernel verifies and round-trips through JSON", "[ir]") {
  const ir::Kernel k = softmax();
  REQUIRE_NOTHROW(ir::verify(k));
  ir::Module m;
  m.source_file = k.source_file;
  m.kernels = {k};
  const ir::Module back = ir::deserialize(ir::serialize(m));
  CHECK(ir::to_string(back) == ir::to_string(m));
  CHECK(ir::to_string(k).find("max(v, dim=1, keepdim)") != std::string::npos);
}

TEST_CASE("the verifier refuses an op that does not belong to its expression kind", "[ir]") {
  ir::Kernel k = softmax();
  auto loop = std::const_pointer_cast<ir::Stmt>(k.body[0]);
  auto let_e = std::make_shared<ir::Stmt>(*loop->body[1]);
  auto exp = std::make_shared<ir::Expr>(*let_e->expr);
  exp->op = ir::Op::Sum;  // a reduction's op on a unary expression
  let_e->expr = exp;
  loop->body[1] = let_e;
  CHECK_THROWS_WITH(ir::verify(k), Catch::Contains("op 'sum' is not an operation of this expression kind"));
  exp->op = ir::Op::Exp;
  CHECK_NOTHROW(ir::verify(k));
}

TEST_CASE("serialized IR with an unknown op is refused, naming the op", "[ir]") {
  ir::Module m;
  m.kernels = {softmax()};
  std::string json = ir::serialize(m);
  const std::string from = "\"op\": \"exp\"";
  const auto at = json.find(from);
  REQUIRE(at != std::string::npos);
  json.replace(at, from.size(), "\"op\": \"expp\"");
  CHECK_THROWS_WITH(ir::deserialize(json), Catch::Contains("unknown op 'expp'"));
}

TEST_CASE("the visitor reaches every node kind it overrides, through prologue and body", "[ir]") {
  CountKinds count;
  count.visit(softmax());
  CHECK(count.loads == 1);
  CHECK(count.reduces == 2);
  CHECK(count.stores == 1);
  CHECK(count.loops == 1);
}

TEST_CASE("the mutator rebuilds only what changed", "[ir]") {
  const ir::Kernel k = softmax();
  ExpToExp2 pass;
  const ir::Kernel out = pass.mutate(k);
  CHECK(ir::to_string(out).find("exp2(") != std::string::npos);
  CHECK(ir::to_string(k).find("exp2(") == std::string::npos);  // the input is untouched
  CHECK(out.host[0] == k.host[0]);                              // no exp in the check: shared
  const auto& in_body = k.body[0]->body;
  const auto& out_body = out.body[0]->body;
  CHECK(out_body[0] == in_body[0]);  // the let of v has no exp: the same node
  CHECK(out_body[1] != in_body[1]);  // the let of e was rebuilt
  CHECK(out_body[2] == in_body[2]);  // the store reads e by name: unchanged
  // A mutator that changes nothing returns the very same statements.
  ir::Mutator identity;
  CHECK(identity.mutate(k.body) == k.body);
}
