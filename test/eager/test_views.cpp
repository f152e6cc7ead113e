// Eager tests of the language's views: tl::trans, tiles shifted by an offset, and single
// elements read as numbers (loop bounds, index arithmetic).
#include <tilecc/tile.hpp>

#include "helpers.hpp"

namespace tl = tilecc;

TEST_CASE("trans: swaps the two dimensions of a tile", "[eager][language]") {
  tl::Tile<float> t(tl::Shape{2, 3});
  for (int i = 0; i < 6; ++i) t.set(i, float(i));
  const tl::Tile<float> u = tl::trans(t);
  REQUIRE(u.shape()[0] == 3);
  REQUIRE(u.shape()[1] == 2);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) CHECK(u.at(j * 2 + i) == t.at(i * 3 + j));
  CHECK_THROWS_AS(tl::trans(tl::Tile<float>(tl::Shape{4})), tl::ShapeError);
}

TEST_CASE("a shifted tile reads and writes the columns after the offset", "[eager][language]") {
  std::vector<float> x = {1, 2, 3, 4, 5, 6}, out(6, 0.0f);
  const auto in = th::in<1>(x, {6});
  auto o = th::out<1>(out, {6});
  for (auto t : tl::tile(3)) {
    o[t + 3] = in[t];   // out[3:6] = x[0:3]
    o[t] = in[t + 3];   // out[0:3] = x[3:6]
  }
  CHECK(out == std::vector<float>{4, 5, 6, 1, 2, 3});
  // A shift past the end is an index error, as any out-of-range index.
  CHECK_THROWS(([&] {
    for (auto t : tl::tile(3)) o[t + 4] = in[t];
  }()));
}

TEST_CASE("a single element reads as a number: loop bounds from an offsets tensor", "[eager][language]") {
  const std::vector<std::int64_t> offsets = {0, 2, 2, 5};
  const auto off = th::in<1>(offsets, {4});
  std::vector<std::int64_t> lengths;
  for (std::int64_t b = 0; b < 3; ++b) {
    const std::int64_t begin = off[b], end = off[b + 1];
    std::int64_t n = 0;
    for (auto t : tl::tile(tl::range(begin, end))) n += t.size();
    lengths.push_back(n);
  }
  CHECK(lengths == std::vector<std::int64_t>{2, 0, 3});
  // A tile of several elements is not a number.
  CHECK_THROWS_AS((void)static_cast<std::int64_t>(off[tl::all]), tl::ShapeError);
}
