// Where the tilecc command finds its own headers: the language header (Clang parses kernels
// against it) and the device templates (--standalone inlines them; tune compiles with them).
//
// An installed tilecc finds them relative to its own executable (P/bin/tilecc ->
// P/include, P/include/tilecc-templates), so an install prefix may be moved or copied; a
// tilecc run from its build folder uses the source tree it was built from.
#pragma once

#include <string>

namespace tilecc::cli {

struct HeaderDirs {
  std::string include;    // holds tilecc/tile.hpp and tilecc/cuda.hpp
  std::string templates;  // holds tilecc/device.cuh
};

const HeaderDirs& header_dirs();

}  // namespace tilecc::cli
