// --arg parsing, the specialization text of the database key, and parameter packing (as the
// runtime packs: both go through translator/launch/arg_pack.hpp).
#include "autotune/launch.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <iterator>
#include <limits>
#include <string>

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
  k.params = {{"x", true, ir::DType::f32, 2, true, ""},
              {"n", false, ir::DType::i64, 0, false, ""},
              {"out", true, ir::DType::f32, 2, false, ""}};
  const std::vector<ArgSpec> specs = {parse_arg("out=f32[3,48]"), parse_arg("n=7"), parse_arg("x=f32[3,48]")};
  const std::vector<ArgSpec> bound = bind_args(k, specs);
  REQUIRE(bound.size() == 3);
  CHECK(bound[0].name == "x");
  CHECK(bound[2].name == "out");
  CHECK(spec_key(bound) ==
        "x:f32[3,48]{aligned16,contiguous,div16(1)};n:i64=7;out:f32[3,48]{aligned16,contiguous,div16(1)}");
  tilecc::launch::ArgPack packed;
  pack_params(k, bound, {0x1000, 0, 0x2000}, packed);
  REQUIRE(packed.count() == 3);
  std::int64_t v[5];
  std::memcpy(v, packed.arg(0), sizeof v);  // TensorArg<T, 2>: data, sizes[2], strides[2]
  CHECK(v[0] == 0x1000);
  CHECK(v[1] == 3);
  CHECK(v[2] == 48);
  CHECK(v[3] == 48);
  CHECK(v[4] == 1);
  std::int64_t n;
  std::memcpy(&n, packed.arg(1), 8);
  CHECK(n == 7);
  CHECK(packed.arg(2) - packed.arg(1) == 8);  // an i64 takes 8 bytes
  CHECK_THROWS_WITH(bind_args(k, {parse_arg("x=f32[3,48]")}), Catch::Contains("no --arg for parameter 'n'"));
  CHECK_THROWS_WITH(bind_args(k, {parse_arg("x=bf16[3,48]"), parse_arg("n=1"), parse_arg("out=f32[3,48]")}),
                    Catch::Contains("is f32 of rank 2"));
  CHECK_THROWS_WITH(bind_args(k, {parse_arg("x=f32[3,48]"), parse_arg("n=1"), parse_arg("out=f32[3,48]"),
                                  parse_arg("y=f32[1]")}),
                    Catch::Contains("no parameter 'y'"));
}

TEST_CASE("the tuner packs every scalar dtype as the runtime does, f16 and bf16 included", "[launch]") {
  // One kernel with a scalar of each dtype: the tuner once refused f16 / bf16 scalars that the
  // runtime launches with, so a kernel taking one could not be tuned.
  ir::Kernel k;
  k.name = "scalars";
  const ir::DType dtypes[] = {ir::DType::f16, ir::DType::bf16, ir::DType::f32, ir::DType::f64,
                              ir::DType::i8,  ir::DType::i32,  ir::DType::i64, ir::DType::b1};
  std::vector<ArgSpec> specs;
  for (std::size_t i = 0; i < std::size(dtypes); ++i) {
    const std::string name = "s" + std::to_string(i);
    k.params.push_back({name, false, dtypes[i], 0, false, ""});
    specs.push_back(parse_arg(name + "=1.5"));
  }
  const std::vector<ArgSpec> bound = bind_args(k, specs);
  tilecc::launch::ArgPack tuner;
  REQUIRE_NOTHROW(pack_params(k, bound, {}, tuner));
  REQUIRE(tuner.count() == static_cast<int>(std::size(dtypes)));

  // What the runtime packs for the same values (runtime/kernel.cpp binds a floating
  // parameter's value as a float, an integer parameter's as an integer).
  tilecc::launch::ArgPack runtime;
  for (ir::DType t : dtypes) {
    tilecc::launch::HostValue v{};
    if (ir::is_floating(t)) {
      v.is_float = true;
      v.f = 1.5;
    } else {
      v.i = 1;
    }
    tilecc::launch::pack_scalar(runtime, t, v);
  }
  REQUIRE(runtime.count() == tuner.count());
  for (int i = 0; i < tuner.count(); ++i) {
    INFO("parameter s" << i);
    const int bytes = ir::size_bytes(dtypes[i]);
    CHECK(std::memcmp(tuner.arg(i), runtime.arg(i), static_cast<std::size_t>(bytes)) == 0);
  }
  std::uint16_t half;
  std::memcpy(&half, tuner.arg(0), 2);
  CHECK(half == 0x3e00);  // 1.5 in f16
  std::memcpy(&half, tuner.arg(1), 2);
  CHECK(half == 0x3fc0);  // 1.5 in bf16
}

TEST_CASE("f16 and bf16 scalar bits round to nearest even", "[launch]") {
  using tilecc::launch::bf16_bits;
  using tilecc::launch::f16_bits;
  CHECK(bf16_bits(1.0f) == 0x3f80);
  CHECK(bf16_bits(-2.0f) == 0xc000);
  CHECK(bf16_bits(1.00390625f) == 0x3f80);   // halfway (1 + 2^-8): to the even 1.0
  CHECK(bf16_bits(1.01171875f) == 0x3f82);   // halfway (1 + 3 x 2^-8): to the even 1 + 2^-6
  CHECK(bf16_bits(std::numeric_limits<float>::quiet_NaN()) == 0x7fc0);
  CHECK(f16_bits(1.0f) == 0x3c00);
  CHECK(f16_bits(-2.0f) == 0xc000);
  CHECK(f16_bits(1.00048828125f) == 0x3c00);  // halfway (1 + 2^-11): to the even 1.0
  CHECK(f16_bits(65520.0f) == 0x7c00);         // past the largest f16: infinity
  CHECK(f16_bits(5.9604645e-08f) == 0x0001);   // the smallest subnormal
  CHECK(f16_bits(std::numeric_limits<float>::infinity()) == 0x7c00);
}
