#include "translate_file.hpp"

#include <algorithm>
#include <stdexcept>

namespace tilecc::codegen {

std::string apply_edits(const std::string& source, std::vector<SourceEdit> edits) {
  std::sort(edits.begin(), edits.end(), [](const SourceEdit& a, const SourceEdit& b) { return a.offset < b.offset; });
  std::string out;
  std::size_t pos = 0;
  for (const SourceEdit& e : edits) {
    if (e.offset < pos || e.offset + e.length > source.size())
      throw std::invalid_argument("tilecc: overlapping or out-of-range source edits");
    out.append(source, pos, e.offset - pos);
    out += e.text;
    pos = e.offset + e.length;
  }
  out.append(source, pos, std::string::npos);
  const std::string from = "#include <tilecc/tile.hpp>", to = "#include <tilecc/cuda.hpp>";
  for (std::size_t p = 0; (p = out.find(from, p)) != std::string::npos; p += to.size()) out.replace(p, from.size(), to);
  return out;
}

}  // namespace tilecc::codegen
