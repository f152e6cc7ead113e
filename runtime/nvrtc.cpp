#include "nvrtc.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <memory>

#ifdef TILECC_RUNTIME_HAVE_NVRTC
#include <nvrtc.h>
#endif

namespace tilecc::runtime {

std::string cuda_include_dir() {
  if (const char* env = std::getenv("TILECC_CUDA_INCLUDE_DIR"); env && *env) return env;
#ifdef TILECC_CUDA_INCLUDE_DIR
  return TILECC_CUDA_INCLUDE_DIR;
#else
  return "/usr/local/cuda/include";
#endif
}

std::vector<std::string> nvrtc_options(const CompileOptions& options) {
  std::vector<std::string> out = {"-arch=" + options.arch, "--std=c++20", "-default-device", "-I" + cuda_include_dir()};
  for (const std::string& dir : options.include_dirs) out.push_back("-I" + dir);
  for (const std::string& o : options.extra) out.push_back(o);
  return out;
}

namespace {

/// $TILECC_NO_NVRTC (set, not "0"): every compile throws, so a test can show that a launch
/// ran without NVRTC (shipped cubins, the disk cache).
void refuse_if_disabled(const std::string& name, const std::string& arch) {
  if (const char* env = std::getenv("TILECC_NO_NVRTC"); env && *env && std::string(env) != "0")
    throw CompileError(
        fmt::format("tilecc runtime: NVRTC is disabled ($TILECC_NO_NVRTC is set): {} for {} would "
                    "have been compiled",
                    name, arch));
}

}  // namespace

#ifdef TILECC_RUNTIME_HAVE_NVRTC

namespace {

void check(nvrtcResult r, const char* call) {
  if (r != NVRTC_SUCCESS)
    throw CompileError(fmt::format("tilecc runtime: {} failed: {}", call, nvrtcGetErrorString(r)));
}

}  // namespace

CompileOutput nvrtc_compile(const std::string& source, const CompileOptions& options, const std::string& name) {
  refuse_if_disabled(name, options.arch);
  nvrtcProgram program = nullptr;
  check(nvrtcCreateProgram(&program, source.c_str(), name.c_str(), 0, nullptr, nullptr), "nvrtcCreateProgram");
  std::unique_ptr<nvrtcProgram, void (*)(nvrtcProgram*)> guard(&program,
                                                               [](nvrtcProgram* p) { nvrtcDestroyProgram(p); });
  for (const std::string& e : options.name_expressions)
    check(nvrtcAddNameExpression(program, e.c_str()), "nvrtcAddNameExpression");
  const std::vector<std::string> opts = nvrtc_options(options);
  std::vector<const char*> argv;
  for (const std::string& o : opts) argv.push_back(o.c_str());
  const nvrtcResult status = nvrtcCompileProgram(program, static_cast<int>(argv.size()), argv.data());
  CompileOutput out;
  std::size_t size = 0;
  check(nvrtcGetProgramLogSize(program, &size), "nvrtcGetProgramLogSize");
  out.log.resize(size);
  check(nvrtcGetProgramLog(program, out.log.data()), "nvrtcGetProgramLog");
  while (!out.log.empty() && (out.log.back() == '\0' || out.log.back() == '\n')) out.log.pop_back();
  if (status != NVRTC_SUCCESS)
    throw CompileError(fmt::format("tilecc runtime: NVRTC could not compile {} for {}: {}\n{}", name, options.arch,
                                   nvrtcGetErrorString(status), out.log));
  check(nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize");
  if (size == 0)
    throw CompileError(fmt::format("tilecc runtime: NVRTC gave no cubin for {} (arch '{}' must be a real sm_XX target)",
                                   name, options.arch));
  out.cubin.resize(size);
  check(nvrtcGetCUBIN(program, out.cubin.data()), "nvrtcGetCUBIN");
  for (const std::string& e : options.name_expressions) {
    const char* lowered = nullptr;
    check(nvrtcGetLoweredName(program, e.c_str(), &lowered), "nvrtcGetLoweredName");
    out.lowered_names.emplace_back(lowered);  // copied before the program is destroyed
  }
  return out;
}

std::string nvrtc_version() {
  int major = 0, minor = 0;
  check(nvrtcVersion(&major, &minor), "nvrtcVersion");
  return fmt::format("{}.{}", major, minor);
}

#else

CompileOutput nvrtc_compile(const std::string&, const CompileOptions& options, const std::string& name) {
  refuse_if_disabled(name, options.arch);
  throw CompileError("tilecc runtime: built without NVRTC (no CUDA toolkit found at configure time)");
}

std::string nvrtc_version() {
  throw CompileError("tilecc runtime: built without NVRTC (no CUDA toolkit found at configure time)");
}

#endif

}  // namespace tilecc::runtime
