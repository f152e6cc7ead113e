// --arg parsing, the specialization text of the database key, and parameter packing.
#include "autotune/launch.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace tilecc::autotune;
namespace ir = tilecc::ir;

TEST_CASE("--arg parses tensors and scalars and says what is wrong", "[launch]") {
  const ArgSpec x = parse_arg("x=bf16[8192,4096]");
  CHECK(x.is_tensor);
  CHECK(x.dtype == ir::DType::bf16);
  CHECK(x.sizes == std::vector<std::int64_t>{8192, 4096});
  CHECK(x.strides == std::vector<std::int64_t>{4096, 1});
  CHECK(x.bytes() == 8192LL * 4096 * 2);
  CHECK(x.to_string() == "x=bf16[8192,4096]");
  const ArgSpec n = parse_arg("n=4096");
  CHECK_FALSE(n.is_tensor);
  CHECK(n.value == 4096);
  CHECK_THROWS_WITH(parse_arg("x"), Catch::Contains("NAME=DTYPE"));
  CHECK_THROWS_WITH(parse_arg("x=bf17[4]"), Catch::Contains("unknown dtype"));
  CHECK_THROWS_WITH(parse_arg("x=f32[4,0]"), Catch::Contains("bad size"));
  CHECK_THROWS_WITH(parse_arg("x=f32[4"), Catch::Contains("missing ']'"));
}

TEST_CASE("arguments bind to parameters by name and pack as the kernel takes them", "[launch]") {
  ir::Kernel k;
  k.name = "scale";
  k.params = {{"x", true, ir::DType::f32, 2, true, ""}, {"n", false, ir::DType::i64, 0, false, ""},
              {"out", true, ir::DType::f32, 2, false, ""}};
  const std::vector<ArgSpec> specs = {parse_arg("out=f32[3,48]"), parse_arg("n=7"), parse_arg("x=f32[3,48]")};
  const std::vector<ArgSpec> bound = bind_args(k, specs);
  REQUIRE(bound.size() == 3);
  CHECK(bound[0].name == "x");
  CHECK(bound[2].name == "out");
  CHECK(spec_key(bound) == "x:f32[3,48]{aligned16,contiguous,div16(1)};n:i64=7;out:f32[3,48]{aligned16,contiguous,div16(1)}");
  const auto packed = pack_params(k, bound, {0x1000, 0, 0x2000});
  REQUIRE(packed.size() == 3);
  CHECK(packed[0].bytes.size() == 8 + 2 * 8 + 2 * 8);  // TensorArg<T, 2>: data, sizes[2], strides[2]
  std::int64_t v[5];
  std::memcpy(v, packed[0].bytes.data(), sizeof v);
  CHECK(v[0] == 0x1000);
  CHECK(v[1] == 3);
  CHECK(v[2] == 48);
  CHECK(v[3] == 48);
  CHECK(v[4] == 1);
  CHECK(packed[1].bytes.size() == 8);
  CHECK_THROWS_WITH(bind_args(k, {parse_arg("x=f32[3,48]")}), Catch::Contains("no --arg for parameter 'n'"));
  CHECK_THROWS_WITH(bind_args(k, {parse_arg("x=bf16[3,48]"), parse_arg("n=1"), parse_arg("out=f32[3,48]")}),
                    Catch::Contains("is f32 of rank 2"));
  CHECK_THROWS_WITH(bind_args(k, {parse_arg("x=f32[3,48]"), parse_arg("n=1"), parse_arg("out=f32[3,48]"),
                                  parse_arg("y=f32[1]")}),
                    Catch::Contains("no parameter 'y'"));
}
