// The host evaluator the runtime and the tuner share (translator/launch/host_eval.hpp):
// each operation gives what the generated C++ would, for integers, floats and their mix,
// and the conversions a cast asks for are kept where they change the value (the evaluator
// leaves out only those that cannot).
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "translator/launch/host_eval.hpp"
#include "translator/ir/ir.hpp"

namespace launch = tilecc::launch;
namespace ir = tilecc::ir;
using ir::DType;

namespace {

ir::ExprPtr node(ir::Expr::Kind kind, DType dtype, std::string op, std::vector<ir::ExprPtr> args) {
  auto e = std::make_shared<ir::Expr>();
  e->kind = kind;
  e->dtype = dtype;
  if (!op.empty()) e->op = ir::parse_op(op).value();
  e->args = std::move(args);
  return e;
}
ir::ExprPtr param(const std::string& name, DType dtype) {
  auto e = std::make_shared<ir::Expr>();
  e->kind = ir::Expr::Kind::Param;
  e->dtype = dtype;
  e->name = name;
  return e;
}
ir::ExprPtr size(int dim) {
  auto e = std::make_shared<ir::Expr>();
  e->kind = ir::Expr::Kind::TensorSize;
  e->name = "x";
  e->ival = dim;
  return e;
}
ir::ExprPtr bin(const std::string& op, DType dtype, ir::ExprPtr a, ir::ExprPtr b) {
  return node(ir::Expr::Kind::Binary, dtype, op, {std::move(a), std::move(b)});
}
ir::ExprPtr cmp(const std::string& op, ir::ExprPtr a, ir::ExprPtr b) {
  return node(ir::Expr::Kind::Compare, DType::b1, op, {std::move(a), std::move(b)});
}
ir::ExprPtr un(const std::string& op, DType dtype, ir::ExprPtr a) {
  return node(ir::Expr::Kind::Unary, dtype, op, {std::move(a)});
}
ir::ExprPtr cast(DType dtype, ir::ExprPtr a) { return node(ir::Expr::Kind::Cast, dtype, "", {std::move(a)}); }
ir::ExprPtr i64(std::int64_t v) { return ir::make_const_int(v); }
ir::ExprPtr f32(double v) { return ir::make_const_float(v); }

/// add(x: f32 rank-2 tensor, n: i64, s: f32) with x 7 x 12, n and s as given.
struct Fixture {
  ir::Kernel kernel;
  launch::HostValue scalars[3] = {};
  std::int64_t x_sizes[2] = {7, 12}, x_strides[2] = {12, 1};
  const std::int64_t* sizes[3] = {x_sizes, nullptr, nullptr};
  const std::int64_t* strides[3] = {x_strides, nullptr, nullptr};
  launch::HostEnv env;

  Fixture(std::int64_t n, double s) {
    kernel.name = "k";
    kernel.source_file = "k.tile.cpp";
    kernel.params = {{"x", true, DType::f32, 2, false, ""},
                     {"n", false, DType::i64, 0, false, ""},
                     {"s", false, DType::f32, 0, false, ""}};
    scalars[1] = {n, 0, false};
    scalars[2] = {0, s, true};
    env.scalars = scalars;
    env.sizes = sizes;
    env.strides = strides;
  }
  launch::HostValue eval(const ir::ExprPtr& e) const { return launch::HostExpr::compile(e, kernel, {}).eval(env); }
};

}  // namespace

TEST_CASE("host evaluator: integer arithmetic as C++ gives it, division by zero gives 0", "[host_eval]") {
  const Fixture f(9, 2.5);
  const ir::ExprPtr n = param("n", DType::i64);
  CHECK(f.eval(bin("div", DType::i64, bin("add", DType::i64, n, i64(7)), i64(3))).i == 5);
  CHECK(f.eval(bin("rem", DType::i64, un("neg", DType::i64, n), i64(4))).i == -1);
  CHECK(f.eval(bin("div", DType::i64, n, i64(0))).i == 0);
  CHECK(f.eval(bin("rem", DType::i64, n, i64(0))).i == 0);
  CHECK(f.eval(bin("maximum", DType::i64, size(0), size(1))).i == 12);
  CHECK(f.eval(bin("minimum", DType::i64, size(0), un("abs", DType::i64, i64(-3)))).i == 3);
  CHECK(f.eval(bin("mul", DType::i64, size(1), n)).i == 108);
  CHECK_FALSE(f.eval(bin("sub", DType::i64, size(0), n)).is_float);
}

TEST_CASE("host evaluator: floats, and integers mixed with floats, compute in double", "[host_eval]") {
  const Fixture f(9, 2.5);
  const ir::ExprPtr n = param("n", DType::i64), s = param("s", DType::f32);
  const launch::HostValue sum = f.eval(bin("add", DType::f32, n, s));
  CHECK(sum.is_float);
  CHECK(sum.f == 11.5);
  CHECK(f.eval(bin("div", DType::f32, s, f32(0.5))).f == 5.0);
  CHECK(f.eval(bin("rem", DType::f32, f32(7.5), s)).f == 0.0);
  CHECK(f.eval(cast(DType::i64, bin("mul", DType::f32, s, f32(3)))).i == 7);  // 7.5 truncated
  CHECK(f.eval(cmp("lt", s, n)).i == 1);
  CHECK(f.eval(cmp("ge", s, f32(2.5))).i == 1);
}

TEST_CASE("host evaluator: comparisons, logic and select; casts change what they must", "[host_eval]") {
  const Fixture f(7, 0.0);
  const ir::ExprPtr n = param("n", DType::i64), s = param("s", DType::f32);
  // A TILECC_CHECK as the frontend writes it: y.size(0) == m && ... (bools cast to b1).
  const ir::ExprPtr check =
      node(ir::Expr::Kind::Binary, DType::b1, "and", {cmp("eq", size(0), n), cmp("gt", size(1), i64(3))});
  CHECK(f.eval(check).i == 1);
  CHECK(Fixture(8, 0.0).eval(check).i == 0);
  CHECK(f.eval(node(ir::Expr::Kind::Binary, DType::b1, "or", {cmp("ne", size(0), n), s})).i == 0);
  CHECK(f.eval(un("not", DType::b1, s)).i == 1);
  // A cast to bool of a size or a difference is 0 or 1, not the value.
  CHECK(f.eval(cast(DType::b1, size(1))).i == 1);
  CHECK(f.eval(cast(DType::b1, bin("sub", DType::i64, n, i64(7)))).i == 0);
  CHECK(f.eval(cast(DType::b1, bin("sub", DType::i64, n, i64(5)))).i == 1);
  // A cast to float of a comparison is floating.
  const launch::HostValue one = f.eval(cast(DType::f32, cmp("le", n, i64(7))));
  CHECK(one.is_float);
  CHECK(one.f == 1.0);
  // select(n > 3, s + 1, n): the branch taken, converted to the select's dtype.
  const ir::ExprPtr pick =
      node(ir::Expr::Kind::Select, DType::f32, "", {cmp("gt", n, i64(3)), bin("add", DType::f32, s, f32(1)), n});
  CHECK(f.eval(pick).f == 1.0);
  CHECK(Fixture(2, 0.0).eval(pick).f == 2.0);
  CHECK(Fixture(2, 0.0).eval(pick).is_float);
}

TEST_CASE("host evaluator: bit operations and shifts of integers", "[host_eval]") {
  const Fixture f(9, 2.5);
  const ir::ExprPtr n = param("n", DType::i64);
  CHECK(f.eval(bin("bit_and", DType::i64, n, i64(12))).i == 8);
  CHECK(f.eval(bin("bit_or", DType::i64, n, i64(6))).i == 15);
  CHECK(f.eval(bin("bit_xor", DType::i64, n, size(1))).i == 5);
  CHECK(f.eval(un("bit_not", DType::i64, n)).i == -10);
  CHECK(f.eval(bin("shl", DType::i64, n, i64(40))).i == 9895604649984);
  CHECK(f.eval(bin("shr", DType::i64, un("neg", DType::i64, n), i64(1))).i == -5);  // arithmetic
  CHECK(f.eval(bin("shr", DType::i64, n, i64(64))).i == 0);
}
