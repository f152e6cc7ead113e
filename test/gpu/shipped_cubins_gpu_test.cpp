// GPU tier: a kernel runs from shipped cubins with NVRTC disabled. scripts/gpu_prepare.sh ran
// `tilecc translate softmax.json --arch sm_80,sm_90a --cubin .carry/gpu/shipped` on a machine
// without a GPU ($TILECC_TEST_SHIPPED_DIR names another folder); here, with $TILECC_NO_NVRTC set
// (every NVRTC compile throws) and an empty disk cache, the runtime launches softmax at rows
// within and beyond the config's full_extent (the looped variant) from that folder and the
// results match a CPU softmax; a config that was not shipped needs NVRTC and is refused.
// Skipped without a GPU.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "runtime/driver.hpp"
#include "runtime/kernel.hpp"
#include "runtime/nvrtc.hpp"

namespace rt = tilecc::runtime;
namespace ir = tilecc::ir;

namespace {

/// Softmax of `m` rows of `n` on the GPU through `k`; the largest relative error against the CPU.
double softmax_error(rt::Kernel& k, std::int64_t m, std::int64_t n) {
  const std::size_t count = static_cast<std::size_t>(m * n);
  std::vector<float> x(count);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> d(-3, 3);
  for (float& v : x) v = d(rng);
  rt::Driver& drv = rt::Driver::get();
  const rt::DevicePtr dx = drv.alloc(count * sizeof(float)), dout = drv.alloc(count * sizeof(float));
  drv.copy_to_device(dx, x.data(), count * sizeof(float));
  k.launch({rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(dx), ir::DType::f32, {m, n})),
            rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(dout), ir::DType::f32, {m, n}))});
  drv.synchronize();
  std::vector<float> out(count);
  drv.copy_to_host(out.data(), dout, count * sizeof(float));
  drv.free(dx);
  drv.free(dout);
  double worst = 0;
  for (std::int64_t i = 0; i < m; ++i) {
    const float* row = x.data() + i * n;
    double mx = -INFINITY, z = 0;
    for (std::int64_t j = 0; j < n; ++j) mx = std::max(mx, double(row[j]));
    for (std::int64_t j = 0; j < n; ++j) z += std::exp(row[j] - mx);
    for (std::int64_t j = 0; j < n; ++j) {
      const double want = std::exp(row[j] - mx) / z, got = out[static_cast<std::size_t>(i * n + j)];
      const double e = std::fabs(got - want) / (1 + want);
      if (!(e <= worst)) worst = std::isnan(e) ? INFINITY : e;
    }
  }
  return worst;
}

}  // namespace

TEST_CASE("softmax runs from shipped cubins with NVRTC disabled", "[gpu][runtime][shipped]") {
  std::string why;
  if (!rt::Driver::available(&why)) {
    WARN("no GPU, shipped-cubin test skipped: " << why);
    return;
  }
  const std::string arch = rt::Driver::get().arch();
  if (arch != "sm_80" && arch != "sm_90a") {
    WARN("translate --cubin ships sm_80 and sm_90a; this GPU is " << arch);
    return;
  }
  const char* env = std::getenv("TILECC_TEST_SHIPPED_DIR");
  const std::filesystem::path shipped = env && *env ? env : TILECC_TEST_SHIPPED_DIR;
  INFO("shipped cubins from " << shipped.string() << " (scripts/gpu_prepare.sh writes them)");
  REQUIRE(std::filesystem::exists(shipped / "index.json"));
  const auto work = std::filesystem::temp_directory_path() / ("tilecc-shipped-gpu-" + std::to_string(::getpid()));
  std::filesystem::remove_all(work);
  const std::string ir = std::string(TILECC_TEST_DATA_DIR) + "/ir/softmax.json";

  ::setenv("TILECC_NO_NVRTC", "1", 1);
  rt::KernelOptions o;
  o.cubin_dir = shipped;
  o.cache_dir = work / "empty-cache";  // nothing cached: a miss would need NVRTC
  rt::Kernel softmax = rt::Kernel::from_ir_file(ir, "softmax_f32", o);
  CHECK(softmax_error(softmax, 300, 1000) < 1e-5);   // odd sizes, within full_extent
  CHECK(softmax_error(softmax, 64, 512) < 1e-5);     // aligned, divisible: a specialized key, the generic cubin
  CHECK(softmax_error(softmax, 8, 50000) < 1e-5);    // beyond full_extent: the looped variant
  const rt::KernelStats s = softmax.stats();
  CHECK(s.compiles == 0);
  CHECK(s.disk_hits == 0);
  CHECK(s.shipped >= 2);

  // A config translate did not ship needs NVRTC, which is disabled: refused, saying so.
  rt::KernelOptions other = o;
  other.config = tilecc::config::default_config(softmax.ir(), arch);
  other.config->num_warps = other.config->num_warps == 4 ? 8 : 4;
  rt::Kernel unshipped = rt::Kernel::from_ir_file(ir, "softmax_f32", other);
  CHECK_THROWS_WITH(softmax_error(unshipped, 300, 1000), Catch::Contains("TILECC_NO_NVRTC"));
  ::unsetenv("TILECC_NO_NVRTC");
  std::filesystem::remove_all(work);
}
