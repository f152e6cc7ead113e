#include "translator/codegen/arch_select.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "translator/codegen/names.hpp"

namespace tilecc::codegen {

namespace {

/// "sm_90a": compute capability 90, arch-specific features.
struct ArchName {
  int cc = 0;
  bool specific = false;
};

ArchName parse_arch(const std::string& arch) {
  ArchName a;
  std::size_t end = 3;
  if (arch.rfind("sm_", 0) != 0) throw std::invalid_argument(fmt::format("arch '{}': not of the form sm_XY", arch));
  while (end < arch.size() && arch[end] >= '0' && arch[end] <= '9') ++end;
  if (end == 3 || end - 3 > 3) throw std::invalid_argument(fmt::format("arch '{}': not of the form sm_XY", arch));
  a.cc = std::stoi(arch.substr(3, end - 3));
  a.specific = end + 1 == arch.size() && arch[end] == 'a';
  if (end != arch.size() && !a.specific)
    throw std::invalid_argument(fmt::format("arch '{}': not of the form sm_XY or sm_XYa", arch));
  return a;
}

/// The device-pass condition under which code for `arch` runs (arch-specific features only on
/// their own generation, where nvcc defines __CUDA_ARCH_FEAT_SM<XY>_ALL).
std::string runs_condition(const std::string& arch) {
  const ArchName a = parse_arch(arch);
  if (a.specific) return fmt::format("(__CUDA_ARCH__ == {}0 && defined(__CUDA_ARCH_FEAT_SM{}_ALL))", a.cc, a.cc);
  return fmt::format("__CUDA_ARCH__ >= {}0", a.cc);
}

/// The host-side test that a device of compute capability `cc` (10 * major + minor) runs `arch`.
std::string runs_on_cc(const std::string& arch) {
  const ArchName a = parse_arch(arch);
  return a.specific ? fmt::format("cc == {}", a.cc) : fmt::format("cc >= {}", a.cc);
}

std::string macro_name(const std::vector<std::string>& arches) {
  std::string out = "TILECC_ARCH_SELECT";
  for (const std::string& a : arches) {
    out += '_';
    for (char c : arch_tag(a)) out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

}  // namespace

std::vector<std::string> ordered_arches(const std::vector<std::string>& arches) {
  if (arches.empty()) throw std::invalid_argument("no arch given");
  std::vector<std::string> out = arches;
  for (std::size_t i = 0; i < out.size(); ++i) {
    parse_arch(out[i]);
    for (std::size_t j = 0; j < i; ++j)
      if (out[i] == out[j]) throw std::invalid_argument(fmt::format("arch '{}' is named twice", out[i]));
  }
  std::stable_sort(out.begin(), out.end(), [](const std::string& x, const std::string& y) {
    const ArchName a = parse_arch(x), b = parse_arch(y);
    return a.cc != b.cc ? a.cc > b.cc : a.specific > b.specific;
  });
  return out;
}

std::string arch_tag(const std::string& arch) {
  std::string out;
  for (char c : arch)
    if (c != '_') out += c;
  return out;
}

std::string arch_device_guard(const std::vector<std::string>& arches, std::size_t index) {
  std::string preferred;
  for (std::size_t j = 0; j < index; ++j) preferred += fmt::format(" && !{}", runs_condition(arches[j]));
  return fmt::format("!defined(__CUDA_ARCH__) || ({}{})", runs_condition(arches.at(index)), preferred);
}

std::string arch_launcher_name(const ir::Kernel& kernel, const std::string& arch) {
  const std::string suffix = instance_suffix(kernel);
  return kernel.name + (suffix.empty() ? "" : "_" + suffix) + "_" + arch_tag(arch);
}

std::string arch_select_preamble(const std::vector<std::string>& arches) {
  const std::string guard = macro_name(arches);
  std::string names, held, runs;
  for (std::size_t i = 0; i < arches.size(); ++i) {
    names += i ? ", " : "";
    names += arches[i];
    held +=
        fmt::format("#{} defined(__CUDA_ARCH__) && {}\n    {};\n", i ? "elif" : "if", runs_condition(arches[i]), i + 1);
    runs += i ? ", " : "";
    runs += runs_on_cc(arches[i]);
  }
  return fmt::format(
      R"(// tilecc: kernels for {names} in one file. Each nvcc device pass compiles the kernel bodies of
// the first of these arches its target runs; the public launchers run that arch's kernels.
#ifndef {guard}
#define {guard}
#include <atomic>
namespace {{
// Which arch's kernel bodies this device code holds: 1 + its index in ({names}); 0: none.
__device__ int tilecc_arch_held =
{held}#else
    0;
#endif
// Per device, the arch its launches run (1 + its index, -1: none); 0: not asked yet.
std::atomic<int> tilecc_arch_of_device[64];
// The index of the arch the current device's launches run, asked once per device: the one whose
// bodies the device code the CUDA runtime loaded for this device holds (it picks the binary's
// best code for the device's compute capability: sm_90a's on an H100 built for both, sm_80's
// JIT-compiled PTX on a GPU the binary has no cubin for), provided the compute capability runs
// it. cudaErrorNoKernelImageForDevice: the binary holds no code this device runs.
cudaError_t tilecc_select_arch(int& arch) {{
  int device = 0;
  if (const cudaError_t e = cudaGetDevice(&device); e != cudaSuccess) return e;
  std::atomic<int>* cached = device >= 0 && device < 64 ? &tilecc_arch_of_device[device] : nullptr;
  int chosen = cached ? cached->load(std::memory_order_relaxed) : 0;
  if (chosen == 0) {{
    int major = 0, minor = 0, held = 0;
    if (const cudaError_t e = cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device); e != cudaSuccess)
      return e;
    if (const cudaError_t e = cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device); e != cudaSuccess)
      return e;
    const int cc = 10 * major + minor;
    // Read from the device code the runtime loaded for this device.
    if (const cudaError_t e = cudaMemcpyFromSymbol(&held, tilecc_arch_held, sizeof held); e != cudaSuccess) return e;
    const bool runs[] = {{{runs}}};
    chosen = held > 0 && held <= {count} && runs[held - 1] ? held : -1;
    if (cached) cached->store(chosen, std::memory_order_relaxed);
  }}
  if (chosen < 0) return cudaErrorNoKernelImageForDevice;
  arch = chosen - 1;
  return cudaSuccess;
}}
}}  // namespace
#endif  // {guard}

)",
      fmt::arg("names", names), fmt::arg("guard", guard), fmt::arg("held", held), fmt::arg("runs", runs),
      fmt::arg("count", arches.size()));
}

std::string emit_arch_launcher(const ir::Kernel& k, const std::vector<std::string>& arches, const std::string& params) {
  std::string args;
  for (const ir::Param& p : k.params) args += p.name + ", ";
  args += "stream";
  std::string out = fmt::format("// tilecc: {} picks the arch by the device it runs on\n", k.name);
  if (k.instance.empty())
    out += fmt::format("cudaError_t {}({}{}cudaStream_t stream) {{\n", k.name, params, params.empty() ? "" : ", ");
  else
    out += fmt::format("template <>\ncudaError_t {}<{}>({}{}cudaStream_t stream) {{\n", k.name, k.instance, params,
                       params.empty() ? "" : ", ");
  out += "  int arch = 0;\n";
  out += "  if (const cudaError_t e = tilecc_select_arch(arch); e != cudaSuccess) return e;\n";
  for (std::size_t i = 0; i + 1 < arches.size(); ++i)
    out += fmt::format("  if (arch == {}) return {}({});\n", i, arch_launcher_name(k, arches[i]), args);
  out += fmt::format("  return {}({});\n}}\n", arch_launcher_name(k, arches.back()), args);
  return out;
}

}  // namespace tilecc::codegen
