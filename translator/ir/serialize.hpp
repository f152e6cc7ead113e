// The serialized form of tile IR: JSON that round-trips exactly, so a kernel
// parsed by the frontend on a machine with Clang can be translated, compiled
// and tuned on one without it.
#pragma once

#include <stdexcept>
#include <string>

#include "ir.hpp"

namespace tilecc::ir {

/// Raised when serialized IR is malformed; the message names the field.
struct SerializeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int kSerializedVersion = 1;

std::string serialize(const Module& m);
Module deserialize(const std::string& text);

}  // namespace tilecc::ir
