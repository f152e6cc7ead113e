// The serialized form of tile IR: JSON that round-trips exactly, so a kernel
// parsed by the frontend on a machine with Clang can be translated, compiled
// and tuned on one without it.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "ir.hpp"

namespace tilecc::ir {

/// Raised when serialized IR is malformed; the message names the field.
struct SerializeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int kSerializedVersion = 1;

std::string serialize(const Module& m);
Module deserialize(const std::string& text);

/// The number in JSON `text` too large for a double (nlohmann's parse() rejects it without
/// saying where) and the key it belongs to, the last object key before it; {key, "?"} when
/// none overflows. Shared by the IR reader and the config reader for their messages.
std::pair<std::string, std::string> overflowing_json_number(const std::string& text);

}  // namespace tilecc::ir
