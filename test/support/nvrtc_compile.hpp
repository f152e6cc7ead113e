// NVRTC compile helper shared by the nvrtc-tier tests: source -> cubin + log.
#pragma once

#include <catch2/catch.hpp>
#include <nvrtc.h>

#include <string>
#include <vector>

// Include folders NVRTC needs; the build defines both (fallbacks for hand builds).
#ifndef TILECC_TEMPLATES_DIR
#define TILECC_TEMPLATES_DIR "templates"
#endif
#ifndef TILECC_CUDA_INCLUDE_DIR
#define TILECC_CUDA_INCLUDE_DIR "/usr/local/cuda/include"
#endif

namespace tilecc::test {

struct NvrtcOutput {
  nvrtcResult status = NVRTC_SUCCESS;
  std::string log;
  std::string cubin;  // empty unless status == NVRTC_SUCCESS
};

inline NvrtcOutput nvrtc_compile(const std::string& source, const std::vector<std::string>& options,
                                 const char* name = "kernel.cu") {
  nvrtcProgram program = nullptr;
  REQUIRE(nvrtcCreateProgram(&program, source.c_str(), name, 0, nullptr, nullptr) == NVRTC_SUCCESS);
  std::vector<const char*> argv;
  for (const std::string& option : options) argv.push_back(option.c_str());
  NvrtcOutput out;
  out.status = nvrtcCompileProgram(program, static_cast<int>(argv.size()), argv.data());
  std::size_t size = 0;
  REQUIRE(nvrtcGetProgramLogSize(program, &size) == NVRTC_SUCCESS);
  out.log.resize(size);
  REQUIRE(nvrtcGetProgramLog(program, out.log.data()) == NVRTC_SUCCESS);
  if (out.status == NVRTC_SUCCESS) {
    REQUIRE(nvrtcGetCUBINSize(program, &size) == NVRTC_SUCCESS);
    out.cubin.resize(size);
    REQUIRE(nvrtcGetCUBIN(program, out.cubin.data()) == NVRTC_SUCCESS);
  }
  nvrtcDestroyProgram(&program);
  return out;
}

}  // namespace tilecc::test
