// Philox4x32-10, the counter-based generator tl::rand and tl::randn draw from, for the device
// library and for host code (the unit tests compare it with the eager one, bit for bit).
//
// Plain C++17, no includes; under a CUDA compiler the functions are also __device__. A draw is
// a pure function of (seed, offset): the 64-bit seed is the key (low word first), the offset
// the counter (low word, high word, 0, 0), so a value never depends on block sizes or on which
// thread computes it. For offsets below 2^32 this is the counter and key Triton's tl.rand uses.
#pragma once

#if defined(__CUDACC__)
#define TILECC_PHILOX_FN __host__ __device__ __forceinline__ constexpr
#else
#define TILECC_PHILOX_FN constexpr
#endif

namespace tilecc {
namespace philox {

static_assert(sizeof(unsigned) == 4 && sizeof(unsigned long long) == 8, "32- and 64-bit words");

struct Words {
  unsigned w[4];
};

// The multipliers and key increments of Philox4x32 (Salmon et al., SC11).
inline constexpr unsigned kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
inline constexpr unsigned kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;

TILECC_PHILOX_FN Words philox4x32_10(Words c, unsigned k0, unsigned k1) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    const unsigned long long p0 = static_cast<unsigned long long>(kM0) * c.w[0];
    const unsigned long long p1 = static_cast<unsigned long long>(kM1) * c.w[2];
    c = Words{{static_cast<unsigned>(p1 >> 32) ^ c.w[1] ^ k0, static_cast<unsigned>(p1),
               static_cast<unsigned>(p0 >> 32) ^ c.w[3] ^ k1, static_cast<unsigned>(p0)}};
  }
  return c;
}

/// The four words drawn for `offset` under `seed`.
TILECC_PHILOX_FN Words draw(unsigned long long seed, unsigned long long offset) {
  return philox4x32_10(Words{{static_cast<unsigned>(offset), static_cast<unsigned>(offset >> 32), 0u, 0u}},
                       static_cast<unsigned>(seed), static_cast<unsigned>(seed >> 32));
}

/// A word as a float in [0, 1): its top 24 bits times 2^-24 (exact, so the same everywhere).
TILECC_PHILOX_FN float uniform(unsigned bits) { return static_cast<float>(bits >> 8) * (1.0f / 16777216.0f); }

/// A word as a float in (0, 1]: (top 24 bits + 1) times 2^-24, for a logarithm.
TILECC_PHILOX_FN float uniform_open0(unsigned bits) {
  return static_cast<float>((bits >> 8) + 1u) * (1.0f / 16777216.0f);
}

}  // namespace philox
}  // namespace tilecc
