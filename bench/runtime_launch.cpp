// Runtime costs on the GPU (the runtime promises microseconds of launch overhead):
//   - host time per cached launch of rt::Kernel::launch (bind + host checks +
//     key + memory lookup + grid + cuLaunchKernel), next to a bare
//     cuLaunchKernel of the same cubin with pre-packed arguments, same run;
//   - the first call of a key: emit + NVRTC + disk store + module load;
//   - specialized vs generic kernels on inputs far larger than L2 (add, softmax): host
//     time per launch over back-to-back launches, results checked against the CPU;
//   - `--cold`: a fresh process whose disk cache is warm: driver init, IR load
//     and first launch (disk hit + module load), each timed.
//
//   tilecc_bench_runtime IR_DIR            (TILECC_CACHE_DIR: where the cache goes)
//   tilecc_bench_runtime IR_DIR --cold
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/cache.hpp"
#include "runtime/driver.hpp"
#include "runtime/kernel.hpp"
#include "runtime/module.hpp"

namespace rt = tilecc::runtime;
using tilecc::ir::DType;
using Clock = std::chrono::steady_clock;

namespace {

double us_since(Clock::time_point t) { return std::chrono::duration<double, std::micro>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Median over `reps` batches of the host time per call of `launch` (the GPU
/// drains between batches, so the launch queue never fills).
template <class F>
double per_launch_us(F&& launch, rt::Stream stream, int batch = 200, int reps = 25) {
  const rt::Driver& gpu = rt::Driver::get();
  for (int i = 0; i < batch; ++i) launch();  // warm-up
  gpu.synchronize(stream);
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    const auto t = Clock::now();
    for (int i = 0; i < batch; ++i) launch();
    samples.push_back(us_since(t) / batch);
    gpu.synchronize(stream);
  }
  return median(samples);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s IR_DIR [--cold]\n", argv[0]);
    return 2;
  }
  const std::string ir_dir = argv[1];
  const bool cold = argc > 2 && std::strcmp(argv[2], "--cold") == 0;
  try {
    auto t = Clock::now();
    const rt::Driver& gpu = rt::Driver::get();
    const double init_us = us_since(t);
    rt::Stream stream = gpu.create_stream();
    const std::int64_t m = 64, n = 256;  // a tiny add: the kernel itself takes ~2 us
    const rt::DevicePtr buf = gpu.alloc(3 * m * n * 4);
    std::vector<float> ones(3 * m * n, 1.0f);
    gpu.copy_to_device(buf, ones.data(), ones.size() * 4);
    auto tensor = [&](int i) {
      return rt::TensorRef::contiguous(reinterpret_cast<float*>(buf) + i * m * n, DType::f32, {m, n});
    };
    const rt::Arg args[] = {rt::Arg::of(tensor(0)), rt::Arg::of(tensor(1)), rt::Arg::of(tensor(2))};

    t = Clock::now();
    rt::Kernel add = rt::Kernel::from_ir_file(ir_dir + "/add.json", "add_f32");
    const double load_us = us_since(t);
    t = Clock::now();
    add.launch(args, stream);
    const double first_us = us_since(t);
    gpu.synchronize(stream);
    const rt::KernelStats s = add.stats();
    std::printf("cache: %s (%s)\n", rt::DiskCache().dir().c_str(),
                s.compiles ? "compiled with NVRTC" : "cubin read from disk");
    if (cold) {
      std::printf("cold start, warm disk cache: driver init %.1f ms, IR load %.2f ms, first launch %.2f ms "
                  "(disk hit %ld, compiled %ld); total %.1f ms\n",
                  init_us / 1e3, load_us / 1e3, first_us / 1e3, s.disk_hits, s.compiles,
                  (init_us + load_us + first_us) / 1e3);
      return 0;
    }
    std::printf("first call (emit + NVRTC + store + load): %.1f ms (compiled %ld, disk hits %ld)\n", first_us / 1e3,
                s.compiles, s.disk_hits);

    // The same kernel, loaded by hand, launched with bare cuLaunchKernel.
    const std::string source = add.source_for(args);
    rt::CompileOptions co;
    co.arch = gpu.arch();
    co.include_dirs = {TILECC_TEMPLATES_DIR};
    co.name_expressions = {"&add_f32_kernel"};
    const rt::CachedCompile c = rt::compile_cached(source, co, rt::DiskCache());
    rt::Module module = rt::Module::load(c.cubin);
    const rt::Function f = module.function(c.lowered_names.at(0));
    rt::ArgPack pack;
    for (const rt::Arg& a : args) {
      unsigned char bytes[8 + 16 * 2];
      std::memcpy(bytes, &a.tensor.data, 8);
      std::memcpy(bytes + 8, a.tensor.sizes, 16);
      std::memcpy(bytes + 24, a.tensor.strides, 16);
      pack.push_bytes(bytes, sizeof bytes, 8);
    }
    const rt::Driver::LaunchFn bare = gpu.raw_launch();
    // The grid the default config gives (one program per 2-D tile), as rt::Kernel computes it.
    const tilecc::config::Config cfg = tilecc::config::default_config(add.ir());
    const unsigned programs = static_cast<unsigned>(((m + cfg.block_sizes[0] - 1) / cfg.block_sizes[0]) *
                                                    ((n + cfg.block_sizes[1] - 1) / cfg.block_sizes[1]));
    const unsigned block = static_cast<unsigned>(32 * cfg.num_warps);
    int bare_rc = 0;
    const double bare_us = per_launch_us(
        [&] { bare_rc |= bare(f.handle(), programs, 1, 1, block, 1, 1, 0, stream, pack.pointers(), nullptr); }, stream);
    const double ours_us = per_launch_us([&] { add.launch(args, stream); }, stream);
    // Where the difference goes: the bare launch behind Driver::get() (its make_current asks the
    // driver for the current context), and the host work before the driver call (Kernel::key:
    // bind, TILECC_CHECKs, key; bench/runtime_launch_host.cpp times the whole path without a GPU).
    const double get_us = per_launch_us(
        [&] {
          (void)rt::Driver::get();
          bare_rc |= bare(f.handle(), programs, 1, 1, block, 1, 1, 0, stream, pack.pointers(), nullptr);
        },
        stream);
    const double key_us = per_launch_us([&] { (void)add.key(args); }, stream);
    gpu.synchronize(stream);
    if (bare_rc != 0) throw std::runtime_error("cuLaunchKernel failed in the bare loop");
    std::vector<float> out(m * n);
    gpu.copy_to_host(out.data(), buf + 2 * m * n * 4, out.size() * 4);
    bool ok = std::all_of(out.begin(), out.end(), [](float v) { return v == 2.0f; });
    std::printf("cached launch, host time per call (median of 25 x 200): tilecc %.2f us, bare cuLaunchKernel %.2f us "
                "(overhead %.2f us); results %s\n",
                ours_us, bare_us, ours_us - bare_us, ok ? "ok" : "WRONG");
    std::printf("  of which: Driver::get() before a bare launch %.2f us; Kernel::key (bind + checks + key, host only) "
                "%.2f us\n",
                get_us - bare_us, key_us);
    std::printf("launches %ld, memory hits %ld\n", add.stats().launches, add.stats().memory_hits);

    // What specialization buys on memory-bound kernels: the same inputs through a kernel
    // specialized on their facts and through the generic one (KernelOptions::specialize).
    // The output is poisoned (NaN) before each kernel's first launch and checked after it.
    const std::int64_t bm = 8192, bn = 8192, elements = bm * bn;
    const std::size_t tensor_bytes = static_cast<std::size_t>(elements) * 4;
    const rt::DevicePtr big = gpu.alloc(3 * tensor_bytes);
    std::vector<float> hx(elements), hy(elements), host_out(elements);
    for (std::int64_t e = 0; e < elements; ++e) {
      hx[e] = static_cast<float>((e / 7 + e) % 8) / 8;
      hy[e] = static_cast<float>(e % 5) / 4;
    }
    gpu.copy_to_device(big, hx.data(), tensor_bytes);
    gpu.copy_to_device(big + tensor_bytes, hy.data(), tensor_bytes);
    auto big_tensor = [&](int i, std::int64_t rows, std::int64_t cols) {
      return rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<float*>(big) + i * elements, DType::f32, {rows, cols}));
    };
    // Worst relative error of the output against the CPU (add: every element; softmax: every
    // 61st row, and no NaN anywhere: the poison must be gone).
    auto add_error = [&] {
      double worst = 0;
      for (std::int64_t e = 0; e < elements; ++e)
        worst = std::max(worst, std::fabs(double(host_out[e]) - (double(hx[e]) + hy[e])) / (1 + std::fabs(hx[e] + hy[e])));
      return worst;
    };
    auto softmax_error = [&](std::int64_t rows, std::int64_t cols) -> double {
      double worst = 0;
      for (std::int64_t e = 0; e < elements; ++e)
        if (!std::isfinite(host_out[e])) return INFINITY;
      for (std::int64_t r = 0; r < rows; r += 61) {
        const float* x = hx.data() + r * cols;
        double mx = -INFINITY, z = 0;
        for (std::int64_t j = 0; j < cols; ++j) mx = std::max(mx, double(x[j]));
        for (std::int64_t j = 0; j < cols; ++j) z += std::exp(x[j] - mx);
        for (std::int64_t j = 0; j < cols; ++j) {
          const double want = std::exp(x[j] - mx) / z;
          worst = std::max(worst, std::fabs(host_out[r * cols + j] - want) / want);
        }
      }
      return worst;
    };
    struct Job {
      const char* what;
      std::string file, kernel;
      std::vector<rt::Arg> args;
      double bytes;  // moved per launch: inputs read once, the output written once
      std::function<double()> error;
      double tolerance;
    };
    const Job jobs[] = {
        {"add f32 8192x8192", ir_dir + "/add.json", "add_f32",
         {big_tensor(0, bm, bn), big_tensor(1, bm, bn), big_tensor(2, bm, bn)}, 3.0 * tensor_bytes, add_error, 1e-6},
        {"softmax f32 65536x1024", ir_dir + "/softmax.json", "softmax_f32",
         {big_tensor(0, 65536, 1024), big_tensor(2, 65536, 1024)}, 2.0 * tensor_bytes,
         [&] { return softmax_error(65536, 1024); }, 1e-4},
    };
    const std::vector<float> poison(elements, std::nanf(""));
    for (const Job& job : jobs) {
      double us[2], error[2];
      for (int specialize = 1; specialize >= 0; --specialize) {
        rt::KernelOptions o;
        o.specialize = specialize;
        rt::Kernel k = rt::Kernel::from_ir_file(job.file, job.kernel, o);
        const std::span<const rt::Arg> a(job.args);
        gpu.copy_to_device(big + 2 * tensor_bytes, poison.data(), tensor_bytes);
        k.launch(a, stream);
        gpu.synchronize(stream);
        gpu.copy_to_host(host_out.data(), big + 2 * tensor_bytes, tensor_bytes);
        error[specialize] = job.error();
        std::vector<double> samples;
        for (int r = 0; r < 7; ++r) {
          const auto t0 = Clock::now();
          for (int i = 0; i < 20; ++i) k.launch(a, stream);
          gpu.synchronize(stream);
          samples.push_back(us_since(t0) / 20);
        }
        us[specialize] = median(samples);
      }
      const bool right = error[0] <= job.tolerance && error[1] <= job.tolerance;
      ok = ok && right;
      std::printf("%-24s specialized %8.1f us (%5.2f TB/s)   generic %8.1f us (%5.2f TB/s)   %.2fx   results %s "
                  "(max error %.1e / %.1e)\n",
                  job.what, us[1], job.bytes / us[1] / 1e6, us[0], job.bytes / us[0] / 1e6, us[0] / us[1],
                  right ? "ok" : "WRONG", error[1], error[0]);
    }
    gpu.free(big);
    gpu.free(buf);
    gpu.destroy_stream(stream);
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
