// Eager tests of tl::rand / tl::randn (include/tilecc/lang/random.hpp): Philox4x32-10 against
// the Random123 known-answer vectors, the device library's generator (templates/tilecc/philox.hpp,
// compiled here as plain C++) against the eager one bit for bit, and the kernel of
// test/kernels/random.tile.cpp under every eager block configuration.
#include "test/kernels/random.tile.cpp"

#include <bit>
#include <cmath>
#include <cstdint>

#include "helpers.hpp"
#include "templates/tilecc/philox.hpp"

namespace {
using th::Index;

struct Kat {
  std::uint32_t ctr[4], key[2], out[4];
};
// Random123's kat_vectors for philox4x32 with 10 rounds.
constexpr Kat kKats[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};
}  // namespace

TEST_CASE("Philox4x32-10 gives the Random123 known answers, in eager mode and in the device library",
          "[eager][random]") {
  for (const Kat& k : kKats) {
    const auto eager = tl::rng::philox4x32_10({{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}}, k.key[0], k.key[1]);
    const auto device = tilecc::philox::philox4x32_10({{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}}, k.key[0], k.key[1]);
    for (int i = 0; i < 4; ++i) {
      CHECK(eager.w[i] == k.out[i]);
      CHECK(device.w[i] == k.out[i]);
    }
  }
  // Constant-evaluated too (both are constexpr).
  STATIC_REQUIRE(tl::rng::philox4x32_10({{0, 0, 0, 0}}, 0, 0).w[0] == 0x6627e8d5u);
}

TEST_CASE("rand(seed, offset) is the first Philox word of counter (offset, offset >> 32, 0, 0) under key seed",
          "[eager][random]") {
  // Seed 0, offset 0: the all-zero known answer; its top 24 bits times 2^-24.
  const auto r = tl::rand(0, tl::Tile<tl::i64>(tl::Shape{1}, 0));
  CHECK(r.at(0) == static_cast<float>(0x6627e8d5u >> 8) / 16777216.0f);
  // Seed and offset split into words, low word first.
  const std::uint64_t seed = 0x299f31d0a4093822ull;
  const auto words = tl::rng::philox4x32_10({{0x85a308d3u, 0x243f6a88u, 0, 0}}, 0xa4093822u, 0x299f31d0u);
  const auto t = tl::rand(static_cast<std::int64_t>(seed), tl::Tile<tl::i64>(tl::Shape{1}, 0x243f6a8885a308d3ll));
  CHECK(t.at(0) == static_cast<float>(words.w[0] >> 8) / 16777216.0f);
}

TEST_CASE("the device library draws the eager words bit for bit, and the same floats", "[eager][random]") {
  std::mt19937_64 rng(31);
  for (int i = 0; i < 20000; ++i) {
    const std::uint64_t seed = i < 100 ? static_cast<std::uint64_t>(i) : rng(), offset = i % 3 ? rng() >> (i % 64) : rng();
    const auto e = tl::rng::draw(seed, offset);
    const auto d = tilecc::philox::draw(seed, offset);
    for (int w = 0; w < 4; ++w) REQUIRE(e.w[w] == d.w[w]);
    REQUIRE(std::bit_cast<std::uint32_t>(tl::rng::uniform(e.w[0])) ==
            std::bit_cast<std::uint32_t>(tilecc::philox::uniform(d.w[0])));
    REQUIRE(std::bit_cast<std::uint32_t>(tl::rng::uniform_open0(e.w[1])) ==
            std::bit_cast<std::uint32_t>(tilecc::philox::uniform_open0(d.w[1])));
  }
  CHECK(tl::rng::uniform(0xffffffffu) < 1.0f);
  CHECK(tl::rng::uniform(0u) == 0.0f);
  CHECK(tl::rng::uniform_open0(0u) > 0.0f);
  CHECK(tl::rng::uniform_open0(0xffffffffu) == 1.0f);
}

TEST_CASE("the random kernel's values do not depend on block sizes and look uniform and normal", "[eager][random]") {
  const Index m = 67, n = 129;
  const auto size = static_cast<std::size_t>(m * n);
  std::vector<float> first_u, first_n;
  for (const auto& blocks : th::block_configs()) {
    INFO("eager block sizes " << th::join(blocks));
    tl::eager::BlockSizeScope scope(blocks);
    auto u = th::poisoned<float>(size), g = th::poisoned<float>(size);
    draw_random(1234, th::out<2>(u, {m, n}), th::out<2>(g, {m, n}));
    if (first_u.empty()) {
      first_u = u;
      first_n = g;
    }
    for (std::size_t i = 0; i < size; ++i) {
      REQUIRE(std::bit_cast<std::uint32_t>(u[i]) == std::bit_cast<std::uint32_t>(first_u[i]));
      REQUIRE(std::bit_cast<std::uint32_t>(g[i]) == std::bit_cast<std::uint32_t>(first_n[i]));
    }
  }
  // Element i is rand(1234, i), whatever its tile.
  for (std::size_t i = 0; i < size; i += 97)
    CHECK(first_u[i] == tl::rng::uniform(tl::rng::draw(1234, i).w[0]));
  double su = 0, sn = 0, sn2 = 0;
  for (std::size_t i = 0; i < size; ++i) {
    REQUIRE(first_u[i] >= 0.0f);
    REQUIRE(first_u[i] < 1.0f);
    su += first_u[i];
    sn += first_n[i];
    sn2 += static_cast<double>(first_n[i]) * first_n[i];
  }
  const double count = static_cast<double>(size);
  CHECK(su / count == Approx(0.5).margin(0.02));  // 8643 draws: the mean's sd is 0.003
  CHECK(sn / count == Approx(0.0).margin(0.05));
  CHECK(sn2 / count == Approx(1.0).margin(0.05));
  // Another seed gives other values.
  auto other = th::poisoned<float>(size), g = th::poisoned<float>(size);
  draw_random(1235, th::out<2>(other, {m, n}), th::out<2>(g, {m, n}));
  CHECK(other != first_u);
}
