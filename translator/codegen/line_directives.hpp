// `tilecc translate --line-directives`: `#line` directives so that nvcc's errors, the line
// table of -lineinfo (compute-sanitizer, Nsight Compute) and debuggers name the .tile.cpp line a
// piece of generated code comes from, and the generated file's own line everywhere else.
//
// The printer and the file assembly write `#line N "<source>"` before code that comes from
// source line N, and line_generated_marker where the code that follows is tilecc's own (a
// launcher, the library's headers). The file's lines are known only once it is whole (after
// --standalone inlining), so resolve_line_directives turns each marker into
// `#line <its own line + 1> "<generated file>"` at the end.
#pragma once

#include <string>

namespace tilecc::codegen {

/// Where the following lines are the generated file's own (resolved by resolve_line_directives).
inline constexpr const char* line_generated_marker = "#line tilecc-generated";

/// `#line N "file"`, the file name escaped as a string literal.
std::string line_directive(int line, const std::string& file);

/// Replaces each marker by the directive giving the generated file's own line; inside headers
/// inlined by --standalone (between their begin and end comments) the lines are the generated
/// file's, and after one the mapping in force before it continues. Drops markers that change
/// nothing.
std::string resolve_line_directives(const std::string& text, const std::string& generated_file);

}  // namespace tilecc::codegen
