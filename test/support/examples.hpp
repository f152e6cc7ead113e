// The bundled example kernels (examples/*.tile.cpp), sorted, for tests that walk them all.
#pragma once

#include <algorithm>
#include <filesystem>
#include <vector>

namespace tilecc::test {

inline std::vector<std::filesystem::path> example_files() {
  const std::filesystem::path examples = std::filesystem::path(TILECC_SOURCE_DIR) / "examples";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(examples))
    if (entry.path().string().ends_with(".tile.cpp")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace tilecc::test
