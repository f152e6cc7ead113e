#include "cli/header_dirs.hpp"

#include <filesystem>
#include <system_error>

namespace tilecc::cli {

namespace {

namespace fs = std::filesystem;

HeaderDirs find_header_dirs() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // TILECC_INSTALL_BIN_TO_INCLUDE: the install's include folder relative to its bin folder.
    const fs::path include = (exe.parent_path() / TILECC_INSTALL_BIN_TO_INCLUDE).lexically_normal();
    const fs::path templates = include / "tilecc-templates";
    if (fs::exists(include / "tilecc" / "tile.hpp", ec) && fs::exists(templates / "tilecc" / "device.cuh", ec))
      return {include.string(), templates.string()};
  }
  return {TILECC_HEADERS_INCLUDE_DIR, TILECC_HEADERS_TEMPLATES_DIR};
}

}  // namespace

const HeaderDirs& header_dirs() {
  static const HeaderDirs dirs = find_header_dirs();
  return dirs;
}

}  // namespace tilecc::cli
