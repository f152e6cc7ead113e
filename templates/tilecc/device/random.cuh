// tl::rand and tl::randn on fragments: Philox4x32-10 draws (tilecc/philox.hpp), one per element,
// keyed by the seed and counted by the element's offset, so values never depend on the layout.
// rand gives the eager values exactly; randn's float log and cos may differ by a few ulp.
#pragma once

#include "../philox.hpp"
#include "elementwise.cuh"

namespace tilecc {
namespace dev {
namespace detail {
struct op_rand {
  template <class S, class O> __device__ __forceinline__ float operator()(S seed, O offset) const {
    const philox::Words r = philox::draw(static_cast<unsigned long long>(static_cast<long long>(seed)),
                                         static_cast<unsigned long long>(static_cast<long long>(offset)));
    return philox::uniform(r.w[0]);
  }
};
struct op_randn {
  template <class S, class O> __device__ __forceinline__ float operator()(S seed, O offset) const {
    const philox::Words r = philox::draw(static_cast<unsigned long long>(static_cast<long long>(seed)),
                                         static_cast<unsigned long long>(static_cast<long long>(offset)));
    const float u1 = philox::uniform_open0(r.w[0]), u2 = philox::uniform(r.w[1]);
    return ::sqrtf(-2.0f * ::logf(u1)) * ::cosf(6.28318530717958647692f * u2);
  }
};
} // namespace detail

// rand<float>(seed, offsets): uniform in [0, 1); randn<float>(seed, offsets): standard normal.
template <class RT, class S, class O> __device__ __forceinline__ auto rand(const S &seed, const O &offsets) {
  return detail::map<float>(detail::op_rand{}, seed, offsets);
}
template <class RT, class S, class O> __device__ __forceinline__ auto randn(const S &seed, const O &offsets) {
  return detail::map<float>(detail::op_randn{}, seed, offsets);
}
template <class RT, class S, class O> __device__ __forceinline__ float scalar_rand(const S &seed, const O &offset) {
  return rand<RT>(seed, offset);
}
template <class RT, class S, class O> __device__ __forceinline__ float scalar_randn(const S &seed, const O &offset) {
  return randn<RT>(seed, offset);
}

} // namespace dev
} // namespace tilecc
