// Eager tests of the language's views: tl::trans, tl::permute, tl::reshape, tl::cat, tl::split, tiles
// shifted by an offset, and single elements read as numbers (loop bounds, index arithmetic).
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

namespace {
/// A tile of the given shape holding 0, 1, 2, ... in row-major order.
tl::Tile<float> counting(tl::Shape s) {
  tl::Tile<float> t(s);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.set(i, float(i));
  return t;
}
}  // namespace

TEST_CASE("permute: dimension d of the result is dimension dims[d] of the tile", "[eager][language]") {
  const tl::Tile<float> t = counting(tl::Shape{2, 3, 4});  // t[i, j, k] = 12 i + 4 j + k
  const tl::Tile<float> u = tl::permute(t, {2, 0, 1});      // u[k, i, j] = t[i, j, k]
  REQUIRE(u.shape() == tl::Shape{4, 2, 3});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) CHECK(u.at((k * 2 + i) * 3 + j) == float(12 * i + 4 * j + k));
  // Rank 2: the transpose.
  const tl::Tile<float> m = counting(tl::Shape{2, 3});
  const tl::Tile<float> mt = tl::permute(m, {1, 0}), tr = tl::trans(m);
  for (int i = 0; i < 6; ++i) CHECK(mt.at(i) == tr.at(i));
  CHECK_THROWS_AS(tl::permute(t, {0, 1}), tl::ShapeError);
  CHECK_THROWS_AS(tl::permute(t, {0, 0, 1}), tl::ShapeError);
}

TEST_CASE("reshape: the same elements in row-major order, one extent inferred", "[eager][language]") {
  const tl::Tile<float> t = counting(tl::Shape{2, 3, 4});
  const tl::Tile<float> merged = tl::reshape(t, {2, 12});
  REQUIRE(merged.shape() == tl::Shape{2, 12});
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) CHECK(merged.at(i * 12 + j * 4 + k) == float(12 * i + 4 * j + k));
  const tl::Tile<float> split = tl::reshape(t, {2, 3, 2, -1});
  REQUIRE(split.shape() == tl::Shape{2, 3, 2, 2});
  CHECK(split.at(23) == 23.0f);
  CHECK_THROWS_AS(tl::reshape(t, {5, 5}), tl::ShapeError);
  CHECK_THROWS_AS(tl::reshape(t, {-1, -1}), tl::ShapeError);
  CHECK_THROWS_AS(tl::reshape(t, {7, -1}), tl::ShapeError);
}

TEST_CASE("cat and split: joined along a dimension, and halved again", "[eager][language]") {
  const tl::Tile<float> a = counting(tl::Shape{2, 3});  // a[i, j] = 3 i + j
  tl::Tile<float> b(tl::Shape{2, 2});
  for (int i = 0; i < 4; ++i) b.set(i, 100.0f + float(i));  // b[i, j] = 100 + 2 i + j
  const tl::Tile<float> c = tl::cat(a, b, 1);
  REQUIRE(c.shape() == tl::Shape{2, 5});
  const std::vector<float> want = {0, 1, 2, 100, 101, 3, 4, 5, 102, 103};
  for (int i = 0; i < 10; ++i) CHECK(c.at(i) == want[static_cast<std::size_t>(i)]);
  const tl::Tile<float> rows = tl::cat(a, a, 0);  // [4, 3]: a's rows twice
  REQUIRE(rows.shape() == tl::Shape{4, 3});
  for (int i = 0; i < 12; ++i) CHECK(rows.at(i) == float(i % 6));
  CHECK_THROWS_AS(tl::cat(a, b, 0), tl::ShapeError);

  const tl::Tile<float> t = counting(tl::Shape{3, 4});  // t[i, j] = 4 i + j
  const auto [lo, hi] = tl::split(t, 1);
  REQUIRE(lo.shape() == tl::Shape{3, 2});
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) {
      CHECK(lo.at(i * 2 + j) == float(4 * i + j));
      CHECK(hi.at(i * 2 + j) == float(4 * i + j + 2));
    }
  const auto [top, bottom] = tl::split(tl::cat(a, a, 0), 0);
  for (int i = 0; i < 6; ++i) CHECK(top.at(i) == bottom.at(i));
  CHECK_THROWS_AS(tl::split(t, 0), tl::ShapeError);  // 3 rows: odd
}
