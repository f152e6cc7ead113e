// Row maps: where row r of a dot_loop_store's tile of `a` (its operand rows) or of its output
// lies in the tensor. dense_rows: row r itself (a plain tile). index_rows: row p[r * stride], read
// from a tensor of row indices (a gather of a's rows, a scatter of the output's: tokens routed to
// an expert, `a[ids, tk]` and `out[ids, tn]`). A map is only asked for rows inside the tile's
// extent, so p needs no more than that many entries.
#pragma once

#include "types.cuh"

namespace tilecc {
namespace dev {

struct dense_rows {
  static constexpr bool dense = true;
  __device__ __forceinline__ long long operator()(int r) const { return r; }
};

template <class I> struct index_rows {
  static constexpr bool dense = false;
  const I *p;
  long long stride;
  __device__ __forceinline__ long long operator()(int r) const {
    return static_cast<long long>(p[static_cast<long long>(r) * stride]);
  }
};

template <class I> __device__ __forceinline__ index_rows<I> gathered_rows(const I *p, long long stride) {
  return {p, stride};
}

} // namespace dev
} // namespace tilecc
