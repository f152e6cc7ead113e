#include "translator/codegen/names.hpp"

#include <fmt/format.h>

#include <cctype>

namespace tilecc::codegen {

std::string instance_suffix(const ir::Kernel& k) {
  std::string s = k.instance;
  for (const char* drop : {"tilecc::", "tl::", "std::"})
    for (std::size_t p; (p = s.find(drop)) != std::string::npos;) s.erase(p, std::string(drop).size());
  std::string out;
  for (char ch : s) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  if (out == "float") out = "f32";
  if (out == "double") out = "f64";
  return out;
}

std::string kernel_symbol(const ir::Kernel& k, const std::string& suffix) {
  const std::string instance = instance_suffix(k);
  return k.name + (instance.empty() ? "" : "_" + instance) + "_kernel" + (suffix.empty() ? "" : "_" + suffix);
}

std::string joined_suffix(const std::string& outer, const std::string& inner) {
  return outer.empty() ? inner : outer + "_" + inner;
}

std::string launcher_param_type(const ir::Param& p) {
  if (!p.cpp_type.empty()) return p.cpp_type;
  const std::string n = ir::name(p.dtype);  // "f32", "bf16", "i32", "bool", ...
  const std::string t = n == "f32"    ? "float"
                        : n == "f64"  ? "double"
                        : n == "bool" ? "bool"
                        : n[0] == 'i' ? "std::int" + n.substr(1) + "_t"
                                      : "tilecc::" + n;
  return fmt::format("tilecc::Tensor<{}{}, {}>", p.is_const ? "const " : "", t, p.rank);
}

}  // namespace tilecc::codegen
