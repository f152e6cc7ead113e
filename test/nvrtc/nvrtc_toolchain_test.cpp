// The NVRTC set-up every nvrtc-tier test relies on: the library loads on a machine with no
// GPU driver (it is linked without the libcuda stub), compiles straight to a cubin for each
// supported architecture, finds the CUDA headers, and reports errors with their line.
#include <catch2/catch.hpp>

#include <nvrtc.h>

#include "test/support/nvrtc_compile.hpp"

#include <string>
#include <vector>

namespace {

using Compiled = tilecc::test::NvrtcOutput;

Compiled compile(const char* source, const std::vector<std::string>& options) {
  return tilecc::test::nvrtc_compile(source, options);
}

constexpr const char* kScale = R"(
#include <cuda_bf16.h>
extern "C" __global__ void scale(const __nv_bfloat16* x, __nv_bfloat16* out, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = __float2bfloat16(__bfloat162float(x[i]) * s);
}
)";

} // namespace

TEST_CASE("NVRTC compiles a bf16 kernel to a cubin for each supported arch", "[nvrtc]") {
  const std::string arch = GENERATE(as<std::string>{}, "sm_80", "sm_90a");
  const Compiled result = compile(kScale, {"-arch=" + arch, "--std=c++20",
                                           std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
  INFO(arch << ":\n" << result.log);
  REQUIRE(result.status == NVRTC_SUCCESS);
  REQUIRE(result.cubin.size() > 4);
  CHECK(result.cubin.compare(0, 4, "\x7f" "ELF") == 0);
}

TEST_CASE("NVRTC reports a compile error with its line", "[nvrtc]") {
  const Compiled result = compile("__global__ void k(int* p) {\n  *p = undefined_name;\n}\n",
                                  {"-arch=sm_80"});
  INFO(result.log);
  CHECK(result.status == NVRTC_ERROR_COMPILATION);
  CHECK_THAT(result.log, Catch::Contains("kernel.cu(2)") && Catch::Contains("undefined_name"));
}
