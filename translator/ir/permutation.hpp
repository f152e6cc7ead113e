// The dimension order of tl::permute of a tile of rank 3 or 4, kept in its Transpose node's
// ival; ival 0 is the rank-2 transpose (tl::trans, dimensions {1, 0}).
#pragma once

#include <cstdint>
#include <vector>

#include "ir.hpp"

namespace tilecc::ir {

/// The ival of a Transpose whose dimension d is its operand's dimension dims[d].
inline std::int64_t encode_permutation(const std::vector<int>& dims) {
  if (dims.size() == 2 && dims[0] == 1) return 0;
  std::int64_t code = 0;
  for (std::size_t d = dims.size(); d-- > 0;) code = code * 8 + dims[d];
  return code * 8 + static_cast<std::int64_t>(dims.size());  // the lowest octal digit: the rank
}

/// The dimension order of a Transpose node: dimension d of it is its operand's dims[d].
inline std::vector<int> permutation(const Expr& transpose) {
  if (transpose.ival == 0) return {1, 0};
  std::vector<int> out;
  std::int64_t code = transpose.ival / 8;
  for (std::int64_t d = 0; d < transpose.ival % 8; ++d, code /= 8) out.push_back(static_cast<int>(code % 8));
  return out;
}

}  // namespace tilecc::ir
