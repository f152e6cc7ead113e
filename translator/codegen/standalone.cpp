#include "standalone.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tilecc::codegen {

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Inliner {
 public:
  explicit Inliner(const std::vector<std::string>& roots) {
    for (const std::string& r : roots) roots_.emplace_back(r);
  }

  std::string run(const std::string& text, const fs::path& dir, bool top) {
    static const std::regex include(R"(^\s*#\s*include\s*([<"])([^>"]+)[>"].*$)");
    static const std::regex pragma_once(R"(^\s*#\s*pragma\s+once\s*$)");
    std::istringstream in(text);
    std::string out;
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (!top && std::regex_match(line, pragma_once)) continue;
      if (std::regex_match(line, m, include)) {
        const std::string name = m[2];
        const bool ours = name.rfind("tilecc/", 0) == 0 || m[1] == "\"";
        if (ours) {
          const fs::path found = find(name, m[1] == "\"" ? dir : fs::path());
          if (!found.empty()) {
            const std::string key = fs::weakly_canonical(found).string();
            if (done_.insert(key).second) {
              out += inlined_begin + name + inlined_begin_suffix + "\n";
              out += run(read(found), found.parent_path(), false);
              out += inlined_end + name + "\n";
            }
            continue;
          }
          if (name.rfind("tilecc/", 0) == 0)
            throw std::runtime_error("tilecc --standalone: cannot find <" + name + "> under the tilecc headers");
        }
      }
      out += line + "\n";
    }
    return out;
  }

 private:
  fs::path find(const std::string& name, const fs::path& dir) const {
    if (!dir.empty() && fs::exists(dir / name)) return dir / name;
    for (const fs::path& r : roots_)
      if (fs::exists(r / name)) return r / name;
    return {};
  }

  std::vector<fs::path> roots_;
  std::set<std::string> done_;
};

}  // namespace

std::string inline_headers(const std::string& source, const std::vector<std::string>& roots) {
  return Inliner(roots).run(source, {}, true);
}

}  // namespace tilecc::codegen
