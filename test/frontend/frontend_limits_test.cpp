// The frontend stops where Clang's output stops: after a fatal error (the error limit
// included) nothing more of the file is read, and arguments Clang's driver refuses fail the
// parse instead of being reported and ignored.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "translator/frontend/frontend.hpp"

namespace {

using tilecc::frontend::Options;
using tilecc::frontend::parse;
using tilecc::frontend::Result;

bool read_file_ending_in(const Result& r, const std::string& tail) {
  return std::any_of(r.files.begin(), r.files.end(), [&](const std::string& f) {
    return f.size() >= tail.size() && f.compare(f.size() - tail.size(), tail.size(), tail) == 0;
  });
}

Result parse_text(const std::string& text, std::vector<std::string> extra_args = {}) {
  Options options;
  options.contents = text;
  options.extra_args = std::move(extra_args);
  return parse("/tilecc-test/input.tile.cpp", options);
}

const char* const kKernel =
    "#include <tilecc/tile.hpp>\n"
    "TILECC_KERNEL void k(tilecc::Tensor<const float, 1> x, tilecc::Tensor<float, 1> out) {\n"
    "  for (auto t : tilecc::tile(x.size(0))) out[t] = x[t];\n"
    "}\n";

}  // namespace

TEST_CASE("a kernel given as text parses", "[frontend]") {
  const Result r = parse_text(kKernel);
  CHECK(r.ok);
  CHECK(r.module.kernels.size() == 1);
  CHECK(read_file_ending_in(r, "tilecc/tile.hpp"));
}

TEST_CASE("after too many errors the rest of the file is not read", "[frontend]") {
  std::string garbage;
  for (int i = 0; i < 40; ++i) garbage += "int x" + std::to_string(i) + " = ;\n";
  const Result r = parse_text(garbage + kKernel);
  CHECK_FALSE(r.ok);
  // The include after the garbage is never entered (it was, and parsed to the end, before).
  CHECK_FALSE(read_file_ending_in(r, "tilecc/tile.hpp"));
}

TEST_CASE("a few errors do not stop the parse", "[frontend]") {
  const Result r = parse_text(std::string("int x = ;\n") + kKernel);
  CHECK_FALSE(r.ok);
  CHECK(read_file_ending_in(r, "tilecc/tile.hpp"));
}

TEST_CASE("an argument Clang's driver refuses fails the parse", "[frontend]") {
  CHECK_FALSE(parse_text(kKernel, {"-fbogus-flag"}).ok);
  CHECK_FALSE(parse_text(kKernel, {"-std=c++99x"}).ok);
  CHECK(parse_text(kKernel, {"-DTILECC_TEST_MACRO=4", "-Wall"}).ok);
}

TEST_CASE("a file name without a C++ extension is refused before Clang sees it", "[frontend]") {
  Options options;
  options.contents = kKernel;
  CHECK_FALSE(parse("/tilecc-test/input", options).ok);
  CHECK_FALSE(parse("/tilecc-test/input.txt", options).ok);
  CHECK(parse("/tilecc-test/input.cc", options).ok);
}
