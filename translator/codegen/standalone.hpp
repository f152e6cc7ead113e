// --standalone: inlines tilecc's own headers (the CUDA host support and the
// device template library) into a translated file, so that it builds with
// plain nvcc and no tilecc include paths. Each header is inlined once, in
// dependency order; system and CUDA headers stay #includes.
#pragma once

#include <string>
#include <vector>

namespace tilecc::codegen {

/// The comment lines around each inlined header: "<begin><name> (inlined by tilecc --standalone)"
/// and "<end><name>" (resolve_line_directives finds the headers by them).
inline constexpr const char* inlined_begin = "// ---- begin ";
inline constexpr const char* inlined_begin_suffix = " (inlined by tilecc --standalone)";
inline constexpr const char* inlined_end = "// ---- end ";

/// Replaces every `#include <tilecc/...>` / `#include "..."` that resolves
/// under one of `roots` (searched in order; quoted includes first relative to
/// the including header) by the header's text. Throws std::runtime_error naming
/// a header that cannot be found.
std::string inline_headers(const std::string& source, const std::vector<std::string>& roots);

}  // namespace tilecc::codegen
