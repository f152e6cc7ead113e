// Counter-based random numbers: tl::rand and tl::randn.
//
// Each element is a pure function of (seed, offset) through Philox4x32-10: the 64-bit seed is
// the key (low word first), the element's offset the counter (low word, high word, 0, 0). The
// same seed and offsets give the same values under any config, block size or thread mapping;
// different offsets give independent values. The device library draws the same words
// (templates/tilecc/philox.hpp; the unit tests compare the two bit for bit).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "tilecc/lang/tile_value.hpp"

namespace tilecc {

namespace rng {
struct Words {
  std::uint32_t w[4];
};

/// Philox4x32 with 10 rounds (Salmon et al., SC11): counter c, key (k0, k1).
constexpr Words philox4x32_10(Words c, std::uint32_t k0, std::uint32_t k1) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c.w[0];
    const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c.w[2];
    c = Words{{static_cast<std::uint32_t>(p1 >> 32) ^ c.w[1] ^ k0, static_cast<std::uint32_t>(p1),
               static_cast<std::uint32_t>(p0 >> 32) ^ c.w[3] ^ k1, static_cast<std::uint32_t>(p0)}};
  }
  return c;
}

/// The four words drawn for `offset` under `seed`.
constexpr Words draw(std::uint64_t seed, std::uint64_t offset) {
  return philox4x32_10(Words{{static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(offset >> 32), 0, 0}},
                       static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

/// Top 24 bits times 2^-24: [0, 1), exact.
constexpr float uniform(std::uint32_t bits) { return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f); }
/// (top 24 bits + 1) times 2^-24: (0, 1], for a logarithm.
constexpr float uniform_open0(std::uint32_t bits) {
  return static_cast<float>((bits >> 8) + 1u) * (1.0f / 16777216.0f);
}
}  // namespace rng

namespace detail {
template <class O> Tile<float> draw_each(std::int64_t seed, const Tile<O>& offsets, float (*f)(const rng::Words&)) {
  static_assert(is_integer_v<O>, "tilecc::rand/randn: offsets must be an integer tile (e.g. t.index())");
  Tile<float> out(offsets.shape());
  for (std::int64_t i = 0; i < out.numel(); ++i)
    out.set(i, f(rng::draw(static_cast<std::uint64_t>(seed),
                           static_cast<std::uint64_t>(static_cast<std::int64_t>(offsets.at(i))))));
  return out;
}
}  // namespace detail

/// Uniform floats in [0, 1), one per offset: the first Philox word's top 24 bits times 2^-24
/// (so every value is a multiple of 2^-24 and identical on the CPU and the GPU).
template <class O> Tile<float> rand(std::int64_t seed, const Tile<O>& offsets) {
  return detail::draw_each(seed, offsets, [](const rng::Words& r) { return rng::uniform(r.w[0]); });
}

/// Standard normal floats, one per offset: Box-Muller on the first two Philox words,
/// sqrt(-2 log u1) * cos(2 pi u2) with u1 in (0, 1] and u2 in [0, 1), in float. The words are
/// the GPU's bit for bit; the float logarithm and cosine may differ from the GPU's by a few ulp.
template <class O> Tile<float> randn(std::int64_t seed, const Tile<O>& offsets) {
  return detail::draw_each(seed, offsets, [](const rng::Words& r) {
    const float u1 = rng::uniform_open0(r.w[0]), u2 = rng::uniform(r.w[1]);
    return std::sqrt(-2.0f * std::log(u1)) * std::cos(6.28318530717958647692f * u2);
  });
}

}  // namespace tilecc
