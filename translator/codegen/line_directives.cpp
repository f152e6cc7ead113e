#include "line_directives.hpp"

#include <fmt/format.h>

#include <optional>
#include <sstream>
#include <vector>

#include "translator/codegen/standalone.hpp"

namespace tilecc::codegen {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

/// What a line of the output is attributed to: a source file's line, or (nullopt) the
/// generated file's own.
struct Mapped {
  std::string file;
  int next = 0;  // the line the next output line has
};

/// `#line N "file"` as line_directive prints it, read back.
std::optional<Mapped> parse_directive(const std::string& line) {
  if (!starts_with(line, "#line ")) return std::nullopt;
  std::size_t pos = 6, end = pos;
  while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
  if (end == pos || end - pos > 9 || line.size() < end + 3 || line[end] != ' ' || line[end + 1] != '"' ||
      line.back() != '"')
    return std::nullopt;
  Mapped m;
  m.next = std::stoi(line.substr(pos, end - pos));
  for (std::size_t i = end + 2; i + 1 < line.size(); ++i) {
    if (line[i] == '\\' && i + 2 < line.size()) ++i;
    m.file += line[i];
  }
  return m;
}

}  // namespace

std::string line_directive(int line, const std::string& file) {
  std::string escaped;
  for (char c : file) {
    if (c == '\\' || c == '"') escaped += '\\';
    escaped += c;
  }
  return fmt::format("#line {} \"{}\"", line, escaped);
}

std::string resolve_line_directives(const std::string& text, const std::string& generated_file) {
  std::istringstream in(text);
  std::string out;
  int lines = 0;                  // lines written so far
  std::optional<Mapped> mapped;   // nullopt: the generated file's own lines
  std::vector<std::optional<Mapped>> around;  // the mapping outside each inlined header
  auto emit = [&](const std::string& line) {
    out += line;
    out += '\n';
    ++lines;
    if (mapped) ++mapped->next;
  };
  auto to_generated = [&] {
    if (!mapped) return;
    mapped.reset();
    emit(line_directive(lines + 2, generated_file));  // names the line after itself
  };
  for (std::string line; std::getline(in, line);) {
    if (line == line_generated_marker) {
      to_generated();
    } else if (std::optional<Mapped> m = parse_directive(line)) {
      out += line + '\n';
      ++lines;
      mapped = std::move(m);
    } else if (starts_with(line, inlined_begin) && line.size() > std::string(inlined_begin_suffix).size() &&
               line.compare(line.size() - std::string(inlined_begin_suffix).size(), std::string::npos,
                            inlined_begin_suffix) == 0) {
      emit(line);  // in place of the #include line, which the mapping counted
      around.push_back(mapped);
      to_generated();
    } else if (starts_with(line, inlined_end) && !around.empty()) {
      emit(line);
      std::optional<Mapped> outside = std::move(around.back());
      around.pop_back();
      if (outside) {
        out += line_directive(outside->next, outside->file) + '\n';
        ++lines;
        mapped = std::move(outside);
      }
    } else {
      emit(line);
    }
  }
  return out;
}

}  // namespace tilecc::codegen
