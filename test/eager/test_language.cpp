// Focused eager tests of the tile language itself (include/tilecc/*): loops,
// indexing, broadcasting, promotion, f16/bf16 rounding, reductions, selection,
// dot, gathers, atomics and checks. The examples' tests build on all of this.
#include <tilecc/tile.hpp>

#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include "helpers.hpp"

namespace tl = tilecc;
using th::Index;

namespace {

template <class T>
tl::Tile<T> make_tile(tl::Shape shape, const std::vector<double>& values) {
  REQUIRE(static_cast<Index>(values.size()) == shape.numel());
  tl::Tile<T> t(shape);
  for (Index i = 0; i < shape.numel(); ++i) t.set(i, tl::convert<T>(values[static_cast<std::size_t>(i)]));
  return t;
}

template <class T>
std::vector<double> values(const tl::Tile<T>& t) {
  std::vector<double> v;
  for (Index i = 0; i < t.numel(); ++i) v.push_back(tl::convert<double>(t.at(i)));
  return v;
}

std::vector<Index> dims(const tl::Shape& s) { return {s.dims.begin(), s.dims.begin() + s.rank}; }

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Bits of a float, to spell exact test values.
float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

}  // namespace

// ---- loops -------------------------------------------------------------------

TEST_CASE("tile(n) visits every index once, in order, with only the last tile smaller", "[eager][language]") {
  for (const Index n : {0, 1, 5, 16, 17, 100}) {
    for (const Index bs : {1, 3, 7, 16, 64, 200}) {
      INFO("n " << n << ", block size " << bs);
      tl::eager::BlockSizeScope scope({bs});
      std::vector<int> seen(static_cast<std::size_t>(n), 0);
      Index next_begin = 0, next_id = 0;
      for (auto t : tl::tile(n)) {
        REQUIRE(t.begin() == next_begin);
        REQUIRE(t.id() == next_id);
        REQUIRE(t.block_size() == bs);
        REQUIRE(t.size() == std::min(bs, n - t.begin()));
        REQUIRE(t.size() >= 1);
        const auto idx = t.index();
        REQUIRE(idx.rank() == 1);
        REQUIRE(idx.size(0) == t.size());
        for (Index i = 0; i < t.size(); ++i) {
          REQUIRE(idx.at(i) == t.begin() + i);
          ++seen.at(static_cast<std::size_t>(t.begin() + i));
        }
        next_begin = t.end();
        ++next_id;
      }
      CHECK(next_begin == n);
      CHECK(next_id == (n + bs - 1) / bs);
      CHECK(std::count(seen.begin(), seen.end(), 1) == n);
    }
  }
}

TEST_CASE("tile(10) with block size 4 gives tiles of 4, 4 and 2", "[eager][language]") {
  tl::eager::BlockSizeScope scope({4});
  std::vector<std::pair<Index, Index>> got;
  for (auto t : tl::tile(10)) got.emplace_back(t.begin(), t.size());
  CHECK(got == std::vector<std::pair<Index, Index>>{{0, 4}, {4, 4}, {8, 2}});
}

TEST_CASE("tile(m, n) covers the grid once, first dimension outermost", "[eager][language]") {
  for (const auto& blocks : th::block_configs()) {
    for (const auto& [m, n] : std::vector<std::pair<Index, Index>>{{1, 1}, {17, 5}, {3, 40}, {70, 33}}) {
      INFO(th::context<float>({m, n}, blocks));
      tl::eager::BlockSizeScope scope(blocks);
      std::vector<int> seen(static_cast<std::size_t>(m * n), 0);
      std::pair<Index, Index> last{-1, -1};
      Index bm = -1, bn = -1;
      for (auto [tm, tn] : tl::tile(m, n)) {
        if (bm < 0) bm = tm.block_size(), bn = tn.block_size();
        REQUIRE(tm.block_size() == bm);  // one block size per dimension for the whole loop
        REQUIRE(tn.block_size() == bn);
        const std::pair<Index, Index> ids{tm.id(), tn.id()};
        REQUIRE(ids > last);  // lexicographic: tm outermost
        last = ids;
        REQUIRE(tm.size() == std::min(bm, m - tm.begin()));
        REQUIRE(tn.size() == std::min(bn, n - tn.begin()));
        for (Index i = tm.begin(); i < tm.end(); ++i)
          for (Index j = tn.begin(); j < tn.end(); ++j) ++seen.at(static_cast<std::size_t>(i * n + j));
      }
      // Dimensions take the scope's sizes in turn: {16, 3, 5} gives tm 16 and tn 3.
      CHECK(bm == blocks[0]);
      CHECK(bn == blocks[1 % blocks.size()]);
      CHECK(std::count(seen.begin(), seen.end(), 1) == m * n);
    }
  }
}

TEST_CASE("tile(m, n, k) with explicit blocks covers a 3-D grid once", "[eager][language]") {
  const Index m = 5, n = 7, k = 9;
  std::vector<int> seen(static_cast<std::size_t>(m * n * k), 0);
  for (auto [ta, tb, tc] : tl::tile(m, n, k, tl::block(2, 3, 4))) {
    CHECK((ta.block_size() == 2 && tb.block_size() == 3 && tc.block_size() == 4));
    for (Index i = ta.begin(); i < ta.end(); ++i)
      for (Index j = tb.begin(); j < tb.end(); ++j)
        for (Index l = tc.begin(); l < tc.end(); ++l) ++seen.at(static_cast<std::size_t>((i * n + j) * k + l));
  }
  CHECK(std::count(seen.begin(), seen.end(), 1) == m * n * k);
}

TEST_CASE("tile(range(b, e)) covers [b, e) once; an empty range runs no tile", "[eager][language]") {
  for (const auto& blocks : th::block_configs()) {
    tl::eager::BlockSizeScope scope(blocks);
    std::vector<int> seen(40, 0);
    Index tiles = 0;
    for (auto t : tl::tile(tl::range(3, 37))) {
      REQUIRE(t.begin() >= 3);
      REQUIRE(t.end() <= 37);
      REQUIRE(t.begin() == 3 + t.id() * t.block_size());
      for (Index i = t.begin(); i < t.end(); ++i) ++seen.at(static_cast<std::size_t>(i));
      ++tiles;
    }
    INFO(th::join(blocks));
    CHECK(tiles == (34 + blocks[0] - 1) / blocks[0]);
    for (Index i = 0; i < 40; ++i) CHECK(seen[static_cast<std::size_t>(i)] == (i >= 3 && i < 37 ? 1 : 0));
    int empty = 0;
    for (auto t : tl::tile(tl::range(5, 5))) empty += static_cast<int>(t.size());
    for (auto t : tl::tile(tl::range(6, 2))) empty += static_cast<int>(t.size());
    CHECK(empty == 0);
  }
}

TEST_CASE("tile(n, BlockSize) and tile(n, block(b)) use the given block size", "[eager][language]") {
  tl::eager::BlockSizeScope scope({7});
  const auto bs = tl::register_block_size(1, 64);
  CHECK(bs.value == 7);
  Index tiles = 0;
  for (auto t : tl::tile(20, bs)) {
    CHECK(t.block_size() == 7);
    ++tiles;
  }
  CHECK(tiles == 3);
  std::vector<Index> sizes;
  for (auto t : tl::tile(tl::range(2, 13), tl::block(5))) sizes.push_back(t.size());
  CHECK(sizes == std::vector<Index>{5, 5, 1});
  std::vector<std::pair<Index, Index>> sizes2;
  for (auto [tm, tn] : tl::tile(3, 10, tl::block(bs, 4))) sizes2.emplace_back(tm.size(), tn.size());
  CHECK(sizes2 == std::vector<std::pair<Index, Index>>{{3, 4}, {3, 4}, {3, 2}});
  CHECK_THROWS_AS(tl::tile(10, tl::block(0)), tl::ShapeError);
}

TEST_CASE("grid(...) yields every index once, in order", "[eager][language]") {
  std::vector<Index> got;
  for (auto b : tl::grid(5)) got.push_back(b);
  CHECK(got == std::vector<Index>{0, 1, 2, 3, 4});
  got.clear();
  for (auto b : tl::grid(tl::range(3, 6))) got.push_back(b);
  CHECK(got == std::vector<Index>{3, 4, 5});
  std::vector<std::pair<Index, Index>> pairs;
  for (auto [i, j] : tl::grid(2, 3)) pairs.emplace_back(i, j);
  CHECK(pairs == std::vector<std::pair<Index, Index>>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}});
  int count = 0;
  for (auto [i, j, l] : tl::grid(2, 0, 3)) count += static_cast<int>(i + j + l + 1);
  CHECK(count == 0);
}

TEST_CASE("BlockSizeScope: sizes cycle, nest, restore, and must be positive", "[eager][language]") {
  using tl::eager::BlockSizeScope;
  CHECK(BlockSizeScope::next() == 64);  // the default outside any scope
  {
    BlockSizeScope outer({16, 3, 5});
    CHECK(BlockSizeScope::next() == 16);
    CHECK(BlockSizeScope::next() == 3);
    {
      BlockSizeScope inner({2});
      CHECK(BlockSizeScope::next() == 2);
      CHECK(BlockSizeScope::next() == 2);
    }
    CHECK(BlockSizeScope::next() == 16);  // restored (and restarted)
  }
  CHECK(BlockSizeScope::next() == 64);
  CHECK_THROWS_AS(BlockSizeScope({4, 0}), tl::ShapeError);
  CHECK(BlockSizeScope::next() == 64);
}

TEST_CASE("register_block_size clamps the eager size into [min, max]", "[eager][language]") {
  {
    tl::eager::BlockSizeScope scope({7});
    CHECK(tl::register_block_size(16, 64).value == 16);
    CHECK(tl::register_block_size(1, 64).value == 7);
  }
  {
    tl::eager::BlockSizeScope scope({1000});
    CHECK(tl::register_block_size(16, 64).value == 64);
  }
  CHECK_THROWS_AS(tl::register_block_size(0, 4), tl::ShapeError);
  CHECK_THROWS_AS(tl::register_block_size(8, 4), tl::ShapeError);
}

// ---- tensors and indexing ----------------------------------------------------------

TEST_CASE("indexing a tensor with tiles, integers and all gives tiles of those extents", "[eager][language]") {
  std::vector<float> data(2 * 5 * 7);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = float(i);
  const tl::Tensor<const float, 3> x(data.data(), {2, 5, 7});
  CHECK(x.size(0) == 2);
  CHECK(x.size(-1) == 7);
  CHECK(x.stride(0) == 35);
  CHECK(x.stride(2) == 1);
  CHECK(x.numel() == 70);
  tl::eager::BlockSizeScope scope({4});
  for (auto [tm, tn] : tl::tile(5, 7)) {
    const auto t = x[1, tm, tn];
    REQUIRE(dims(t.shape()) == std::vector<Index>{tm.size(), tn.size()});
    for (Index i = 0; i < tm.size(); ++i)
      for (Index j = 0; j < tn.size(); ++j)
        REQUIRE(t.at(i * tn.size() + j) == float(35 + (tm.begin() + i) * 7 + tn.begin() + j));
    const auto row = x[tl::all, tm, 6];
    REQUIRE(dims(row.shape()) == std::vector<Index>{2, tm.size()});
    REQUIRE(row.at(row.numel() - 1) == float(35 + (tm.end() - 1) * 7 + 6));
  }
  const auto scalar = x[1, 2, 3];
  CHECK(scalar.rank() == 0);
  CHECK(scalar.item() == float(35 + 14 + 3));
}

TEST_CASE("out-of-range indices and dimensions raise ShapeError", "[eager][language]") {
  std::vector<float> data(12, 1.0f);
  const tl::Tensor<float, 2> x(data.data(), {3, 4});
  CHECK_THROWS_AS((x[3, 0]), tl::ShapeError);
  CHECK_THROWS_AS((x[0, 4]), tl::ShapeError);
  CHECK_THROWS_AS((x[-1, 0]), tl::ShapeError);
  CHECK_NOTHROW((x[2, 3]));
  Index tiles = 0;
  for (auto t : tl::tile(5)) {  // a loop longer than the tensor
    if (t.end() > 3) CHECK_THROWS_AS((x[t, tl::all]), tl::ShapeError);
    else CHECK_NOTHROW((x[t, tl::all]));
    ++tiles;
  }
  CHECK(tiles > 0);
  CHECK_THROWS_AS(x.size(2), tl::ShapeError);
  CHECK_THROWS_AS(x.stride(-3), tl::ShapeError);
  CHECK_THROWS_AS((tl::Tensor<float, 2>(data.data(), {-1, 4})), tl::ShapeError);
}

TEST_CASE("stores into a strided (non-contiguous) tensor touch exactly its elements", "[eager][language]") {
  // A 3x4 view of every other row and every third column of an 6x12 buffer.
  const float sentinel = -999.0f;
  std::vector<float> buffer(6 * 12, sentinel);
  const tl::Tensor<float, 2> view(buffer.data() + 1, {3, 4}, {24, 3});
  std::vector<float> src(12);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = float(i) + 0.5f;
  const tl::Tensor<const float, 2> x(src.data(), {3, 4});
  for (const auto& blocks : th::block_configs()) {
    INFO(th::join(blocks));
    std::fill(buffer.begin(), buffer.end(), sentinel);
    tl::eager::BlockSizeScope scope(blocks);
    for (auto [tm, tn] : tl::tile(3, 4)) view[tm, tn] = x[tm, tn] * 2.0f;
    for (Index r = 0; r < 6; ++r)
      for (Index c = 0; c < 12; ++c) {
        const float got = buffer[static_cast<std::size_t>(r * 12 + c)];
        const bool in_view = r % 2 == 0 && c % 3 == 1;
        INFO("buffer[" << r << ", " << c << "]");
        if (in_view) CHECK(got == (float((r / 2) * 4 + (c - 1) / 3) + 0.5f) * 2.0f);
        else CHECK(got == sentinel);
      }
  }
  // A transposed view reads x^T; a reversed view (negative stride) reads backwards.
  const tl::Tensor<const float, 2> xt(src.data(), {4, 3}, {1, 4});
  CHECK(values(xt[tl::all, tl::all]) ==
        std::vector<double>{0.5, 4.5, 8.5, 1.5, 5.5, 9.5, 2.5, 6.5, 10.5, 3.5, 7.5, 11.5});
  const tl::Tensor<const float, 1> rev(src.data() + 11, {12}, {-1});
  CHECK(rev[0].item() == 11.5f);
  CHECK(rev[11].item() == 0.5f);
}

TEST_CASE("a store broadcasts the value to the region; a scalar fills it", "[eager][language]") {
  std::vector<float> data(12, 0.0f);
  const tl::Tensor<float, 2> x(data.data(), {3, 4});
  x[tl::all, tl::all] = make_tile<float>({4}, {1, 2, 3, 4});  // every row
  CHECK(data == std::vector<float>{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4});
  x[1, tl::all] = 7;
  CHECK(data == std::vector<float>{1, 2, 3, 4, 7, 7, 7, 7, 1, 2, 3, 4});
  x[tl::all, 0] = make_tile<double>({3, 1}, {1, 2, 3}).at(0) + 0.25;  // a double scalar converts
  CHECK(data[8] == 1.25f);
  CHECK_THROWS_AS((x[tl::all, tl::all] = make_tile<float>({3}, {1, 2, 3})), tl::ShapeError);
  CHECK_THROWS_AS((x[1, tl::all] = make_tile<float>({2, 4}, std::vector<double>(8, 0.0))), tl::ShapeError);
  // A store converts to the tensor's dtype (bf16 rounds to nearest even).
  std::vector<tl::bf16> low(2);
  const tl::Tensor<tl::bf16, 1> y(low.data(), {2});
  y[tl::all] = make_tile<float>({2}, {1.0 + 1.0 / 256, 1.0 + 3.0 / 256});
  CHECK(low[0].bits == 0x3f80);
  CHECK(low[1].bits == 0x3f82);
}

TEST_CASE("compound assignment to a tensor region reads, computes and stores", "[eager][language]") {
  std::vector<float> data = {1, 2, 3, 4};
  const tl::Tensor<float, 1> x(data.data(), {4});
  for (auto t : tl::tile(4)) x[t] += make_tile<float>({1}, {10});
  CHECK(data == std::vector<float>{11, 12, 13, 14});
  for (auto t : tl::tile(4)) x[t] *= x[t];
  CHECK(data == std::vector<float>{121, 144, 169, 196});
}

// ---- broadcasting -------------------------------------------------------------------

TEST_CASE("broadcasting follows numpy rules", "[eager][language]") {
  const auto col = make_tile<float>({3, 1}, {10, 20, 30});
  const auto row = make_tile<float>({4}, {1, 2, 3, 4});
  const auto sum = col + row;
  CHECK(dims(sum.shape()) == std::vector<Index>{3, 4});
  CHECK(values(sum) == std::vector<double>{11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34});
  const auto m = make_tile<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  CHECK(values(m - make_tile<float>({3}, {1, 1, 1})) == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK(values(m * make_tile<float>({2, 1}, {1, -1})) == std::vector<double>{1, 2, 3, -4, -5, -6});
  CHECK(values(m + tl::Tile<float>::scalar(0.5f)) == std::vector<double>{1.5, 2.5, 3.5, 4.5, 5.5, 6.5});
  const auto cube = make_tile<float>({2, 1, 2}, {1, 2, 3, 4}) * make_tile<float>({3, 1}, {1, 10, 100});
  CHECK(dims(cube.shape()) == std::vector<Index>{2, 3, 2});
  CHECK(values(cube) == std::vector<double>{1, 2, 10, 20, 100, 200, 3, 4, 30, 40, 300, 400});
}

TEST_CASE("incompatible shapes raise ShapeError", "[eager][language]") {
  const auto a = make_tile<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto b = make_tile<float>({3, 2}, {1, 2, 3, 4, 5, 6});
  CHECK_THROWS_AS(a + b, tl::ShapeError);
  CHECK_THROWS_AS(a * make_tile<float>({2}, {1, 2}), tl::ShapeError);
  CHECK_THROWS_AS(make_tile<float>({3}, {1, 2, 3}) + make_tile<float>({4}, {1, 2, 3, 4}), tl::ShapeError);
  CHECK_THROWS_AS(a < b, tl::ShapeError);
  CHECK_THROWS_AS(tl::where(make_tile<bool>({2}, {1, 0}), a, 0.0f), tl::ShapeError);
  // Compound assignment may broadcast its operand but never grows the left side.
  auto r = make_tile<float>({3}, {1, 2, 3});
  CHECK_NOTHROW(r += tl::Tile<float>::scalar(1.0f));
  CHECK_THROWS_AS(r += a, tl::ShapeError);
  CHECK(values(r) == std::vector<double>{2, 3, 4});
}

// ---- promotion ------------------------------------------------------------------------

TEST_CASE("binary operations promote like torch", "[eager][language]") {
  using tl::bf16, tl::f16, tl::i32, tl::i64, tl::i8;
  const tl::Tile<bf16> b(tl::Shape{1}, bf16(1.0f));
  const tl::Tile<f16> h(tl::Shape{1}, f16(1.0f));
  const tl::Tile<float> f(tl::Shape{1}, 1.0f);
  const tl::Tile<i32> i(tl::Shape{1}, 3);
  const tl::Tile<i64> l(tl::Shape{1}, 3);
  const tl::Tile<i8> c(tl::Shape{1}, 3);
  const tl::Tile<bool> t(tl::Shape{1}, true);
  STATIC_REQUIRE(std::is_same_v<decltype(b + b), tl::Tile<bf16>>);
  STATIC_REQUIRE(std::is_same_v<decltype(b + h), tl::Tile<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(h * h), tl::Tile<f16>>);
  STATIC_REQUIRE(std::is_same_v<decltype(b * f), tl::Tile<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(f + tl::Tile<double>(tl::Shape{1})), tl::Tile<double>>);
  STATIC_REQUIRE(std::is_same_v<decltype(i + b), tl::Tile<bf16>>);
  STATIC_REQUIRE(std::is_same_v<decltype(i + l), tl::Tile<i64>>);
  STATIC_REQUIRE(std::is_same_v<decltype(c + i), tl::Tile<i32>>);
  STATIC_REQUIRE(std::is_same_v<decltype(t + c), tl::Tile<i8>>);
  STATIC_REQUIRE(std::is_same_v<decltype(i * 0.5), tl::Tile<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(2 * i), tl::Tile<i32>>);
  STATIC_REQUIRE(std::is_same_v<decltype(b * 2.0), tl::Tile<bf16>>);  // the tile's type wins
  STATIC_REQUIRE(std::is_same_v<decltype(f * 2.0), tl::Tile<float>>);
  STATIC_REQUIRE(std::is_same_v<decltype(t + 1), tl::Tile<i64>>);
  STATIC_REQUIRE(std::is_same_v<decltype(b < f), tl::Tile<bool>>);
  // Values: the arithmetic happens in float and rounds once to the result type.
  const tl::Tile<bf16> small(tl::Shape{1}, bf16(1.0f / 256));  // exact in bf16
  CHECK((b + small).item().bits == bf16(1.0f).bits);          // 1 + 2^-8 ties to even: 1
  CHECK((b + tl::Tile<f16>(tl::Shape{1}, f16(1.0f / 256))).item() == 1.0f + 1.0f / 256);  // float: exact
  CHECK((i * 0.5).item() == 1.5f);
  CHECK((i / 2).item() == 1);  // integer division stays integer
  CHECK((tl::Tile<i32>(tl::Shape{1}, -7) / 2).item() == -3);
  CHECK((t + 1).item() == 2);
}

TEST_CASE("cast converts every element (RNE for f16/bf16, truncation to integers)", "[eager][language]") {
  const auto x = make_tile<float>({5}, {1.0 + 1.0 / 256, 1.0 + 3.0 / 256, -2.7, 0.0, 3.5});
  const auto b = tl::cast<tl::bf16>(x);
  CHECK(b.at(0).bits == 0x3f80);
  CHECK(b.at(1).bits == 0x3f82);
  CHECK(values(tl::cast<tl::i32>(x)) == std::vector<double>{1, 1, -2, 0, 3});
  CHECK(values(tl::cast<bool>(x)) == std::vector<double>{1, 1, 1, 0, 1});
  CHECK(values(tl::cast<float>(tl::arange<tl::i32>(3))) == std::vector<double>{0, 1, 2});
}

// ---- f16 / bf16 ------------------------------------------------------------------

TEST_CASE("bf16 rounds to nearest even and keeps inf, nan, zeros and subnormals", "[eager][language]") {
  const auto bits = [](float f) { return tl::bf16(f).bits; };
  CHECK(bits(1.0f) == 0x3f80);
  CHECK(bits(-2.0f) == 0xc000);
  CHECK(bits(from_bits(0x3f808000)) == 0x3f80);  // tie, even below
  CHECK(bits(from_bits(0x3f818000)) == 0x3f82);  // tie, even above
  CHECK(bits(from_bits(0x3f808001)) == 0x3f81);  // just above the tie
  CHECK(bits(from_bits(0x3f807fff)) == 0x3f80);  // just below the tie
  CHECK(bits(from_bits(0xbf818000)) == 0xbf82);  // negative tie
  CHECK(bits(from_bits(0x3fff8000)) == 0x4000);  // carries into the exponent
  CHECK(bits(kInf) == 0x7f80);
  CHECK(bits(-kInf) == 0xff80);
  CHECK(bits(from_bits(0x7f7fffff)) == 0x7f80);  // FLT_MAX rounds up to inf
  CHECK(bits(from_bits(0x7f7f7fff)) == 0x7f7f);  // largest finite bf16 stays
  CHECK(std::isnan(float(tl::bf16(kNaN))));
  CHECK(std::isnan(float(tl::bf16(from_bits(0x7f800001)))));  // signalling nan must not become inf
  CHECK(std::isnan(float(tl::bf16(from_bits(0xffc00000)))));
  CHECK(bits(0.0f) == 0x0000);
  CHECK(bits(-0.0f) == 0x8000);
  CHECK(bits(from_bits(0x00010000)) == 0x0001);  // smallest bf16 subnormal
  CHECK(bits(from_bits(0x00008000)) == 0x0000);  // tie to even: 0
  CHECK(bits(from_bits(0x00018000)) == 0x0002);  // tie to even: 2
  CHECK(bits(from_bits(0x00008001)) == 0x0001);
  CHECK(float(tl::bf16(from_bits(0x00010000))) == from_bits(0x00010000));
  // Every bf16 converts to float and back unchanged (nan stays nan).
  for (std::uint32_t b = 0; b <= 0xffff; ++b) {
    tl::bf16 v;
    v.bits = static_cast<std::uint16_t>(b);
    const float f = float(v);
    if (std::isnan(f)) REQUIRE(std::isnan(float(tl::bf16(f))));
    else REQUIRE(tl::bf16(f).bits == b);
  }
}

TEST_CASE("f16 rounds to nearest even and handles overflow, subnormals, inf and nan", "[eager][language]") {
  const auto bits = [](float f) { return tl::f16(f).bits; };
  CHECK(bits(1.0f) == 0x3c00);
  CHECK(bits(-2.0f) == 0xc000);
  CHECK(bits(65504.0f) == 0x7bff);                  // largest finite
  CHECK(bits(65519.0f) == 0x7bff);                  // below the tie
  CHECK(bits(65520.0f) == 0x7c00);                  // tie rounds (to even) to inf
  CHECK(bits(1e6f) == 0x7c00);                      // overflow
  CHECK(bits(-1e6f) == 0xfc00);
  CHECK(bits(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);      // tie, even below
  CHECK(bits(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);  // tie, even above
  CHECK(bits(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)) == 0x3c01);
  CHECK(bits(std::ldexp(1.0f, -24)) == 0x0001);     // smallest subnormal
  CHECK(bits(std::ldexp(1.0f, -25)) == 0x0000);     // tie to even: 0
  CHECK(bits(std::nextafter(std::ldexp(1.0f, -25), 1.0f)) == 0x0001);
  CHECK(bits(3 * std::ldexp(1.0f, -25)) == 0x0002); // tie to even: 2
  CHECK(bits(std::ldexp(1.0f, -26)) == 0x0000);
  CHECK(bits(-std::ldexp(1.0f, -24)) == 0x8001);
  CHECK(bits(1023 * std::ldexp(1.0f, -24)) == 0x03ff);       // largest subnormal
  CHECK(bits(1023.5f * std::ldexp(1.0f, -24)) == 0x0400);    // tie carries into the normals
  CHECK(bits(std::ldexp(1.0f, -14)) == 0x0400);              // smallest normal
  CHECK(bits(from_bits(0x00000001)) == 0x0000);              // float subnormal flushes to 0
  CHECK(bits(-0.0f) == 0x8000);
  CHECK(bits(kInf) == 0x7c00);
  CHECK(bits(-kInf) == 0xfc00);
  CHECK(std::isnan(float(tl::f16(kNaN))));
  CHECK(std::isnan(float(tl::f16(from_bits(0x7f800001)))));
  CHECK(float(tl::f16::to_float(0x0001)) == std::ldexp(1.0f, -24));
  CHECK(float(tl::f16::to_float(0x8001)) == -std::ldexp(1.0f, -24));
  CHECK(std::signbit(tl::f16::to_float(0x8000)));
  CHECK(tl::f16::to_float(0x7bff) == 65504.0f);
  CHECK(tl::f16::to_float(0x3555) == 0.333251953125f);
  for (std::uint32_t h = 0; h <= 0xffff; ++h) {
    const float f = tl::f16::to_float(static_cast<std::uint16_t>(h));
    if (std::isnan(f)) REQUIRE(std::isnan(float(tl::f16(f))));
    else REQUIRE(tl::f16(f).bits == h);
  }
}

TEST_CASE("math on bf16 tiles runs in float and rounds once", "[eager][language]") {
  const auto x = make_tile<tl::bf16>({4}, {0.5, -1.25, 2.0, 3.0});
  const auto e = tl::exp(x);
  STATIC_REQUIRE(std::is_same_v<decltype(e), const tl::Tile<tl::bf16>>);
  for (Index i = 0; i < 4; ++i) CHECK(e.at(i).bits == tl::bf16(std::exp(float(x.at(i)))).bits);
  const auto f = make_tile<float>({3}, {-1.0, 0.0, 4.0});
  CHECK(values(tl::sqrt(make_tile<float>({2}, {4, 9}))) == std::vector<double>{2, 3});
  CHECK(values(tl::rsqrt(make_tile<float>({2}, {4, 0.25}))) == std::vector<double>{0.5, 2});
  CHECK(values(tl::abs(f)) == std::vector<double>{1, 0, 4});
  CHECK(values(tl::abs(make_tile<tl::i32>({2}, {-3, 3}))) == std::vector<double>{3, 3});
  CHECK(values(-f) == std::vector<double>{1, -0.0, -4});
  CHECK(values(tl::pow(make_tile<float>({2}, {2, 3}), 2)) == std::vector<double>{4, 9});
  CHECK(tl::sigmoid(make_tile<float>({1}, {0})).item() == 0.5f);
  CHECK(tl::tanh(make_tile<float>({1}, {0.5})).item() == std::tanh(0.5f));
  CHECK(tl::erf(make_tile<float>({1}, {0.5})).item() == std::erf(0.5f));
  CHECK(tl::log(make_tile<float>({1}, {1})).item() == 0.0f);
  CHECK(tl::exp2(make_tile<float>({1}, {3})).item() == 8.0f);
}

// ---- reductions ------------------------------------------------------------------

TEST_CASE("sum/mean/max/min reduce one dimension, with keepdim and negative dims", "[eager][language]") {
  std::vector<double> v(24);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = double(i);  // t[i, j, k] = 12 i + 4 j + k
  const auto t = make_tile<float>({2, 3, 4}, v);
  const auto s1 = tl::sum(t, 1);
  CHECK(dims(s1.shape()) == std::vector<Index>{2, 4});
  std::vector<double> want;
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 4; ++k) want.push_back(3 * (12 * i + k) + 12);
  CHECK(values(s1) == want);
  const auto s1k = tl::sum(t, -2, true);
  CHECK(dims(s1k.shape()) == std::vector<Index>{2, 1, 4});
  CHECK(values(s1k) == want);
  CHECK(values(tl::sum(t, -1)) == values(tl::sum(t, 2)));
  CHECK(values(tl::sum(t, 2)) == std::vector<double>{6, 22, 38, 54, 70, 86});
  CHECK(values(tl::sum(t, 0)) == [] {
    std::vector<double> w;
    for (int r = 0; r < 12; ++r) w.push_back(2 * r + 12);
    return w;
  }());
  CHECK(dims(tl::sum(t, 0, true).shape()) == std::vector<Index>{1, 3, 4});
  CHECK(values(tl::mean(t, 2)) == std::vector<double>{1.5, 5.5, 9.5, 13.5, 17.5, 21.5});
  CHECK(values(tl::max(t, 1)) == std::vector<double>{8, 9, 10, 11, 20, 21, 22, 23});
  CHECK(values(tl::min(t, -3)) == std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  CHECK(dims(tl::max(t, 2, true).shape()) == std::vector<Index>{2, 3, 1});
  const auto r0 = tl::sum(make_tile<float>({3}, {1, 2, 3}), 0);
  CHECK(r0.rank() == 0);
  CHECK(r0.item() == 6.0f);
  CHECK_THROWS_AS(tl::sum(t, 3), tl::ShapeError);
  CHECK_THROWS_AS(tl::max(t, -4), tl::ShapeError);
  CHECK_THROWS_AS(tl::sum(tl::zeros<float>(2, 0), 1), tl::ShapeError);
}

TEST_CASE("reductions of low-precision tiles accumulate in float", "[eager][language]") {
  // A bf16 accumulator would stall at 256 (256 + 1 rounds back to 256).
  const tl::Tile<tl::bf16> ones(tl::Shape{1, 300}, tl::bf16(1.0f));
  CHECK(float(tl::sum(ones, 1).item()) == 300.0f);
  CHECK(float(tl::mean(ones, 1).item()) == 1.0f);
  const auto big = tl::full<tl::f16>(tl::f16(1000.0f), 1, 100);  // sum overflows f16 only at the end
  CHECK(std::isinf(float(tl::sum(big, 1).item())));
  CHECK(float(tl::mean(big, 1).item()) == 1000.0f);
}

TEST_CASE("max/min handle infinities and propagate nan", "[eager][language]") {
  CHECK(tl::max(make_tile<float>({3}, {-kInf, -kInf, -kInf}), 0).item() == -kInf);
  CHECK(tl::min(make_tile<float>({2}, {kInf, kInf}), 0).item() == kInf);
  CHECK(tl::max(make_tile<double>({2}, {-kInf, -kInf}), 0).item() == -kInf);
  CHECK(float(tl::max(make_tile<tl::bf16>({2}, {-kInf, -kInf}), 0).item()) == -kInf);
  CHECK(tl::max(make_tile<float>({3}, {-kInf, 2, -kInf}), 0).item() == 2.0f);
  CHECK(std::isnan(tl::max(make_tile<float>({3}, {1, kNaN, 5}), 0).item()));
  CHECK(std::isnan(tl::min(make_tile<float>({3}, {1, 5, kNaN}), 0).item()));
  CHECK(tl::max(make_tile<tl::i64>({2}, {std::numeric_limits<Index>::lowest(), std::numeric_limits<Index>::lowest()}), 0)
            .item() == std::numeric_limits<Index>::lowest());
  CHECK(tl::min(make_tile<tl::i32>({3}, {4, -2, 9}), 0).item() == -2);
}

TEST_CASE("argmax/argmin return the first index of ties; nan wins", "[eager][language]") {
  const auto t = make_tile<float>({2, 4}, {3, 1, 3, 2, 1, 0, 5, 0});
  STATIC_REQUIRE(std::is_same_v<decltype(tl::argmax(t, 1)), tl::Tile<tl::i64>>);
  CHECK(values(tl::argmax(t, 1)) == std::vector<double>{0, 2});
  CHECK(values(tl::argmin(t, 1)) == std::vector<double>{1, 1});
  CHECK(values(tl::argmax(t, 0)) == std::vector<double>{0, 0, 1, 0});
  CHECK(values(tl::argmin(t, -2)) == std::vector<double>{1, 1, 0, 1});
  CHECK(dims(tl::argmax(t, 1, true).shape()) == std::vector<Index>{2, 1});
  CHECK(values(tl::argmax(make_tile<float>({4}, {-kInf, -kInf, -kInf, -kInf}), 0)) == std::vector<double>{0});
  CHECK(values(tl::argmin(make_tile<float>({3}, {kInf, kInf, kInf}), 0)) == std::vector<double>{0});
  CHECK(values(tl::argmax(make_tile<float>({4}, {1, kNaN, 7, kNaN}), 0)) == std::vector<double>{1});
  CHECK(values(tl::argmin(make_tile<float>({3}, {1, -4, kNaN}), 0)) == std::vector<double>{2});
  CHECK(values(tl::argmax(make_tile<tl::bf16>({3}, {2, 3, 3}), 0)) == std::vector<double>{1});
}

// ---- selection ---------------------------------------------------------------------

TEST_CASE("where, maximum and minimum broadcast and accept scalars", "[eager][language]") {
  const auto x = make_tile<float>({2, 3}, {-1, 2, -3, 4, -5, 6});
  const auto pos = x > 0;
  CHECK(values(tl::where(pos, x, 0)) == std::vector<double>{0, 2, 0, 4, 0, 6});
  CHECK(values(tl::where(pos, 1.5f, x)) == std::vector<double>{-1, 1.5, -3, 1.5, -5, 1.5});
  CHECK(values(tl::where(make_tile<bool>({3}, {1, 0, 1}), x, make_tile<float>({2, 1}, {10, 20}))) ==
        std::vector<double>{-1, 10, -3, 4, 20, 6});
  CHECK(values(tl::maximum(x, 0.0f)) == std::vector<double>{0, 2, 0, 4, 0, 6});
  CHECK(values(tl::minimum(0.0f, x)) == std::vector<double>{-1, 0, -3, 0, -5, 0});
  CHECK(values(tl::maximum(x, make_tile<float>({3}, {0, 3, -4}))) == std::vector<double>{0, 3, -3, 4, 3, 6});
  CHECK(values(tl::minimum(x, make_tile<float>({2, 1}, {0, 5}))) == std::vector<double>{-1, 0, -3, 4, -5, 5});
  STATIC_REQUIRE(std::is_same_v<decltype(tl::maximum(tl::arange(3), 0.5)), tl::Tile<float>>);
  CHECK(values(tl::maximum(tl::arange(3), 0.5)) == std::vector<double>{0.5, 1, 2});
  CHECK(std::isnan(tl::maximum(make_tile<float>({1}, {kNaN}), 1.0f).item()));
  CHECK(std::isnan(tl::minimum(1.0f, make_tile<float>({1}, {kNaN})).item()));
  CHECK(values(!pos) == std::vector<double>{1, 0, 1, 0, 1, 0});
  CHECK(values(pos & (x > 3)) == std::vector<double>{0, 0, 0, 1, 0, 1});
  CHECK(values(pos | (x < -4)) == std::vector<double>{0, 1, 0, 1, 1, 1});
  CHECK(values(x == -3) == std::vector<double>{0, 0, 1, 0, 0, 0});
  CHECK(values(2 >= x) == std::vector<double>{1, 1, 1, 0, 1, 0});
}

TEST_CASE("creation: full, zeros, arange, unsqueeze", "[eager][language]") {
  const tl::TileIndex t(10, 15, 8, 1);
  CHECK(dims(tl::zeros<float>(t, 3).shape()) == std::vector<Index>{5, 3});
  CHECK(values(tl::full<float>(2.5f, 2)) == std::vector<double>{2.5, 2.5});
  CHECK(tl::zeros<float>().rank() == 0);
  CHECK(values(tl::arange(4)) == std::vector<double>{0, 1, 2, 3});
  const auto u = tl::unsqueeze(tl::arange(3), 1);
  CHECK(dims(u.shape()) == std::vector<Index>{3, 1});
  CHECK(dims(tl::unsqueeze(tl::arange(3), -1).shape()) == std::vector<Index>{3, 1});
  CHECK(dims(tl::unsqueeze(tl::arange(3), 0).shape()) == std::vector<Index>{1, 3});
  CHECK_THROWS_AS(tl::unsqueeze(tl::arange(3), 2), tl::ShapeError);
  CHECK(values(u == tl::arange(3)) == std::vector<double>{1, 0, 0, 0, 1, 0, 0, 0, 1});
}

// ---- dot ---------------------------------------------------------------------------

TEST_CASE("dot multiplies rank-2 tiles into an fp32 accumulator", "[eager][language]") {
  const auto a = make_tile<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const auto b = make_tile<float>({3, 2}, {7, 8, 9, 10, 11, 12});
  CHECK(values(tl::dot(a, b)) == std::vector<double>{58, 64, 139, 154});
  CHECK(values(tl::dot(a, b, tl::full<float>(1.0f, 2, 2))) == std::vector<double>{59, 65, 140, 155});
  // bf16 inputs: products and sums in float (a bf16 sum would stall at 256).
  const tl::Tile<tl::bf16> ones_row(tl::Shape{1, 300}, tl::bf16(1.0f)), ones_col(tl::Shape{300, 1}, tl::bf16(1.0f));
  const auto acc = tl::dot(ones_row, ones_col);
  STATIC_REQUIRE(std::is_same_v<decltype(acc), const tl::Tile<float>>);
  CHECK(acc.item() == 300.0f);
  CHECK_THROWS_AS(tl::dot(a, a), tl::ShapeError);
  CHECK_THROWS_AS(tl::dot(a, b, tl::zeros<float>(3, 3)), tl::ShapeError);
  CHECK_THROWS_AS(tl::dot(make_tile<float>({3}, {1, 2, 3}), b), tl::ShapeError);
}

// ---- gather and atomics ---------------------------------------------------------------

TEST_CASE("an integer tile index gathers rows in its order, repeats allowed", "[eager][language]") {
  std::vector<float> w(5 * 3);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = float(i);
  const tl::Tensor<const float, 2> weight(w.data(), {5, 3});
  const auto ids = make_tile<tl::i64>({4}, {4, 0, 4, 2});
  const auto g = weight[ids, tl::all];
  CHECK(dims(g.shape()) == std::vector<Index>{4, 3});
  CHECK(values(g) == std::vector<double>{12, 13, 14, 0, 1, 2, 12, 13, 14, 6, 7, 8});
  for (auto tn : tl::tile(tl::range(1, 3), tl::block(1)))
    CHECK(values(weight[make_tile<tl::i32>({2}, {3, 1}), tn]) == std::vector<double>{double(9 + tn.begin()), double(3 + tn.begin())});
  CHECK(values(weight[ids, 2]) == std::vector<double>{14, 2, 14, 8});
  CHECK_THROWS_AS((weight[make_tile<tl::i64>({2}, {0, 5}), tl::all]), tl::ShapeError);
  CHECK_THROWS_AS((weight[make_tile<tl::i64>({2}, {-1, 0}), tl::all]), tl::ShapeError);
  CHECK_THROWS_AS((weight[make_tile<tl::i64>({1, 2}, {0, 1}), tl::all]), tl::ShapeError);
  // A gathered region can be stored to (a scatter).
  std::vector<float> o(5, 0.0f);
  const tl::Tensor<float, 1> out(o.data(), {5});
  out[make_tile<tl::i64>({2}, {3, 1})] = make_tile<float>({2}, {30, 10});
  CHECK(o == std::vector<float>{0, 10, 0, 30, 0});
}

TEST_CASE("atomic_add adds into memory, repeated indices included", "[eager][language]") {
  // Column sums of a 7x5 matrix by atomics from every row tile.
  std::vector<float> x(35);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i % 5) + 0.25f * float(i / 5);
  const tl::Tensor<const float, 2> xt(x.data(), {7, 5});
  for (const auto& blocks : th::block_configs()) {
    INFO(th::join(blocks));
    std::vector<float> o(5, 0.0f);
    const tl::Tensor<float, 1> out(o.data(), {5});
    tl::eager::BlockSizeScope scope(blocks);
    for (auto [tm, tn] : tl::tile(7, 5)) tl::atomic_add(out[tn], tl::sum(xt[tm, tn], 0));
    for (Index j = 0; j < 5; ++j) CHECK(o[static_cast<std::size_t>(j)] == float(7 * j) + 0.25f * 21.0f);
  }
  // A histogram: duplicates in a gathered index each add.
  std::vector<tl::i32> hist(4, 0);
  const tl::Tensor<tl::i32, 1> h(hist.data(), {4});
  tl::atomic_add(h[make_tile<tl::i64>({6}, {1, 3, 1, 1, 0, 3})], 1);
  CHECK(hist == std::vector<tl::i32>{1, 3, 0, 2});
  // A scalar region, and rounding to the target's dtype.
  std::vector<tl::bf16> acc(1, tl::bf16(256.0f));
  const tl::Tensor<tl::bf16, 1> a(acc.data(), {1});
  tl::atomic_add(a[0], 1.0f);
  CHECK(float(acc[0]) == 256.0f);  // 257 is not a bf16: rounds to even
  tl::atomic_add(a[0], 3.0f);
  CHECK(float(acc[0]) == 260.0f);
}

// ---- checks ------------------------------------------------------------------------

namespace {
void scale(tl::Tensor<const float, 1> x, tl::Tensor<float, 1> out) {
  TILECC_CHECK(x.size(0) == out.size(0));
  for (auto t : tl::tile(x.size(0))) out[t] = x[t] * 2.0f;
}
}  // namespace

TEST_CASE("TILECC_CHECK throws CheckError naming the condition", "[eager][language]") {
  std::vector<float> x(3, 1.0f), out(2, 0.0f);
  CHECK_THROWS_AS(scale(tl::Tensor<const float, 1>(x.data(), {3}), tl::Tensor<float, 1>(out.data(), {2})),
                  tl::CheckError);
  CHECK_THROWS_WITH(scale(tl::Tensor<const float, 1>(x.data(), {3}), tl::Tensor<float, 1>(out.data(), {2})),
                    Catch::Contains("TILECC_CHECK(x.size(0) == out.size(0)) failed") &&
                        Catch::Contains("test_language.cpp"));
  CHECK(out == std::vector<float>{0, 0});  // nothing ran
  std::vector<float> out3(3, 0.0f);
  CHECK_NOTHROW(scale(tl::Tensor<const float, 1>(x.data(), {3}), tl::Tensor<float, 1>(out3.data(), {3})));
  CHECK(out3 == std::vector<float>{2, 2, 2});
}
