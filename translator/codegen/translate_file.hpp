// Source-to-source assembly: the original file with each kernel replaced in
// place by its generated CUDA and launcher, everything else passed through.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tilecc::codegen {

/// Replace `length` bytes at `offset` of the source with `text`.
struct SourceEdit {
  std::size_t offset = 0, length = 0;
  std::string text;
};

/// Applies non-overlapping edits (any order) and swaps the language header
/// for the CUDA one. Throws std::invalid_argument on overlapping edits.
std::string apply_edits(const std::string& source, std::vector<SourceEdit> edits);

}  // namespace tilecc::codegen
