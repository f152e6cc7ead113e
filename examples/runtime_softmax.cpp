// An application that uses the tilecc runtime: it loads the softmax tile kernel
// from serialized IR, and launches it on its own stream for inputs of a few
// shapes. The first launch of each specialization key compiles with NVRTC (or
// reads the cubin from the disk cache, ~/.cache/tilecc or $TILECC_CACHE_DIR);
// later launches of the same key cost a few microseconds of host time.
//
// With --tuned, configs come from the tuning database ($TILECC_TUNE_DB, else
// tuning.json in the cache folder): `tilecc tune` results for the same shapes
// and GPU, else tuned on first use (the tilecc executable from $TILECC_BIN runs
// the tuner's workers; --budget bounds the search) and recorded, so the next
// run finds them.
//
//   tilecc translate examples/softmax.tile.cpp --emit-ir -o softmax.json   # where Clang is
//   tilecc_runtime_softmax softmax.json [--tuned [--budget SECONDS]]      # where the GPU is
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "autotune/tuned_configs.hpp"
#include "runtime/driver.hpp"
#include "runtime/kernel.hpp"

namespace rt = tilecc::runtime;
using tilecc::ir::DType;

int main(int argc, char** argv) {
  const bool tuned = argc >= 3 && std::string(argv[2]) == "--tuned";
  const bool budget = argc == 5 && std::string(argv[3]) == "--budget";
  if (argc != 2 && !(tuned && (argc == 3 || budget))) {
    std::fprintf(stderr,
                 "usage: %s softmax.json [--tuned [--budget SECONDS]]  (from: tilecc translate softmax.tile.cpp "
                 "--emit-ir)\n",
                 argv[0]);
    return 2;
  }
  try {
    const rt::Driver& gpu = rt::Driver::get();
    rt::KernelOptions options;
    std::shared_ptr<tilecc::autotune::TunedConfigs> configs;
    if (tuned) {
      tilecc::autotune::TunedConfigsOptions o;
      o.tune_on_miss = true;
      if (budget) o.budget_s = std::stod(argv[4]);
      options.configs = configs = std::make_shared<tilecc::autotune::TunedConfigs>(o);
      std::printf("configs: tuning database %s, tuned on first use\n", configs->db().path().c_str());
    }
    rt::Kernel softmax = rt::Kernel::from_ir_file(argv[1], "softmax_f32", options);
    rt::Stream stream = gpu.create_stream();
    std::printf("GPU %s, %d SMs\n", gpu.arch().c_str(), gpu.multiprocessors());

    int failures = 0;
    for (const auto& [m, n] : {std::pair<long, long>{4096, 1024}, {4096, 1024}, {1000, 999}, {8, 1024}}) {
      std::vector<float> x(static_cast<std::size_t>(m * n)), out(x.size());
      std::mt19937 rng(42);
      std::uniform_real_distribution<float> dist(-4, 4);
      for (float& v : x) v = dist(rng);
      const rt::DevicePtr dx = gpu.alloc(x.size() * 4), dout = gpu.alloc(x.size() * 4);
      gpu.copy_to_device(dx, x.data(), x.size() * 4);

      const auto start = std::chrono::steady_clock::now();
      softmax.launch({rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(dx), DType::f32, {m, n})),
                      rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(dout), DType::f32, {m, n}))},
                     stream);
      const double host_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      gpu.synchronize(stream);
      gpu.copy_to_host(out.data(), dout, out.size() * 4);

      double worst = 0;
      for (long i = 0; i < m; ++i) {
        double mx = -INFINITY, z = 0;
        for (long j = 0; j < n; ++j) mx = std::max(mx, double(x[i * n + j]));
        for (long j = 0; j < n; ++j) z += std::exp(x[i * n + j] - mx);
        for (long j = 0; j < n; ++j) worst = std::max(worst, std::fabs(out[i * n + j] - std::exp(x[i * n + j] - mx) / z));
      }
      const bool ok = worst < 1e-5;
      failures += !ok;
      const rt::KernelStats s = softmax.stats();
      std::printf("softmax %5ld x %-5ld  launch %9.3f ms host  max err %.1e  %s  (compiled %ld, from disk %ld, "
                  "in memory %ld)\n",
                  m, n, host_ms, worst, ok ? "ok" : "WRONG", s.compiles, s.disk_hits, s.memory_hits);
      if (configs) {
        const tilecc::autotune::TunedConfigsStats c = configs->stats();
        std::printf("  configs so far: %ld from the database, %ld tuned on first use, %ld default\n", c.found,
                    c.tuned, c.defaults);
      }
      gpu.free(dx);
      gpu.free(dout);
    }
    gpu.destroy_stream(stream);
    return failures ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
