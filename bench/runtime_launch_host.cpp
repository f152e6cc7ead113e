// The host side of a cached rt::Kernel::launch, on the CPU alone: the stand-in driver
// (test/fake_driver) takes the cuLaunchKernel, so what is timed is everything the
// runtime adds to it (bind + host checks, key, memory lookup, grid, argument packing,
// the driver wrapper). Same kernel and shapes as bench/runtime_launch.cpp (f32 add, 64 x 256).
//
//   LD_LIBRARY_PATH=build/test/fake_driver build/bench/tilecc_bench_launch_host test/data/ir [--check]
//
// Prints, per call (fastest batch): Kernel::launch, the bare (fake) cuLaunchKernel
// with pre-packed arguments, their difference (the runtime's own cost), Kernel::key
// (bind + checks + key), and the heap allocations per cached launch.
// --check (a CTest test, not a timing test): exits 1 unless a cached launch allocates
// nothing and hands the driver the expected grid, block, shared bytes and arguments, and a
// pid xyz launch puts each launch dim on the grid axis the config's loop order gives it.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "runtime/driver.hpp"
#include "runtime/kernel.hpp"
#include "runtime/module.hpp"
#include "translator/launch/arg_pack.hpp"
#include "test/fake_driver/fake_launch.hpp"
#include "test/support/allocation_counter.hpp"

namespace rt = tilecc::runtime;
using tilecc::ir::DType;
using Clock = std::chrono::steady_clock;

namespace {

/// The time per call of `f` in its fastest batch, in nanoseconds: on a shared machine
/// other processes only ever add time, so the fastest batch is the steadiest figure.
template <class F>
double per_call_ns(F&& f, int batch = 1000, int reps = 50) {
  for (int i = 0; i < batch; ++i) f();  // warm-up
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t = Clock::now();
    for (int i = 0; i < batch; ++i) f();
    best = std::min(best, std::chrono::duration<double, std::nano>(Clock::now() - t).count() / batch);
  }
  return best;
}

int fail(const std::string& why) {
  std::fprintf(stderr, "FAILED: %s\n", why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s IR_DIR [--check]   (with LD_LIBRARY_PATH=<build>/test/fake_driver)\n", argv[0]);
    return 2;
  }
  const bool check = argc > 2 && std::strcmp(argv[2], "--check") == 0;
  try {
    void* fake = dlopen("libcuda.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (!fake) fake = dlopen("libcuda.so.1", RTLD_NOW);
    const auto last =
        fake ? reinterpret_cast<TileccFakeLastLaunchFn>(dlsym(fake, "tilecc_fake_last_launch")) : nullptr;
    const auto record =
        fake ? reinterpret_cast<TileccFakeRecordParamsFn>(dlsym(fake, "tilecc_fake_record_params")) : nullptr;
    if (!last || !record)
      return fail("libcuda.so.1 is not the stand-in driver: run with LD_LIBRARY_PATH=<build>/test/fake_driver");

    const rt::Driver& gpu = rt::Driver::get();
    rt::Stream stream = gpu.create_stream();
    const std::int64_t m = 64, n = 256;
    const rt::DevicePtr buf = gpu.alloc(3 * m * n * 4);
    auto tensor = [&](int i) {
      return rt::TensorRef::contiguous(reinterpret_cast<float*>(buf) + i * m * n, DType::f32, {m, n});
    };
    const rt::Arg args[] = {rt::Arg::of(tensor(0)), rt::Arg::of(tensor(1)), rt::Arg::of(tensor(2))};
    rt::Kernel add = rt::Kernel::from_ir_file(std::string(argv[1]) + "/add.json", "add_f32");
    add.launch(args, stream);  // emit + NVRTC (or the disk cache) + "load"

    // The launch the driver must be given.
    record(3);
    const long before = g_allocations.load();
    const long launches_before = last()->count;
    for (int i = 0; i < 100; ++i) add.launch(args, stream);
    const double allocations = double(g_allocations.load() - before) / 100;
    const TileccFakeLaunch got = *last();
    record(0);
    const tilecc::config::Config cfg = tilecc::config::default_config(add.ir(), gpu.arch());
    const unsigned programs = static_cast<unsigned>(((m + cfg.block_sizes[0] - 1) / cfg.block_sizes[0]) *
                                                    ((n + cfg.block_sizes[1] - 1) / cfg.block_sizes[1]));
    bool launch_ok = got.count - launches_before == 100 && got.grid[0] * got.grid[1] * got.grid[2] == programs &&
                     got.block[0] == unsigned(32 * cfg.num_warps) && got.block[1] == 1 && got.block[2] == 1 &&
                     got.shared_bytes == 0 && got.stream == stream;
    for (int i = 0; i < 3; ++i) {
      // tilecc::dev::TensorArg<float, 2>: { float* data; long long sizes[2]; long long strides[2]; }
      unsigned char want[40];
      std::memcpy(want, &args[i].tensor.data, 8);
      std::memcpy(want + 8, args[i].tensor.sizes, 16);
      std::memcpy(want + 24, args[i].tensor.strides, 16);
      launch_ok = launch_ok && std::memcmp(got.params[i], want, sizeof want) == 0;
    }
    std::printf("cached launch: %.2f heap allocations per call; driver given grid %ux%ux%u, block %u, shared %u: %s\n",
                allocations, got.grid[0], got.grid[1], got.grid[2], got.block[0], got.shared_bytes,
                launch_ok ? "as expected" : "WRONG");
    // pid xyz with the launch loop's dims reordered (tm innermost): tm's 64 / 16 tiles run
    // along x, where the kernel reads them (program_id(0)), tn's 256 / 32 along y.
    tilecc::config::Config xyz = cfg;
    xyz.block_sizes = {16, 32};
    xyz.pid = tilecc::config::Pid::Xyz;
    xyz.loop_orders = {{1, 0}};
    rt::KernelOptions xyz_options;
    xyz_options.config = xyz;
    rt::Kernel add_xyz = rt::Kernel::from_ir_file(std::string(argv[1]) + "/add.json", "add_f32", xyz_options);
    add_xyz.launch(args, stream);
    const TileccFakeLaunch xyz_got = *last();
    const bool xyz_ok = xyz_got.grid[0] == 4 && xyz_got.grid[1] == 8 && xyz_got.grid[2] == 1;
    std::printf("pid xyz, loop order [1, 0]: driver given grid %ux%ux%u: %s\n", xyz_got.grid[0], xyz_got.grid[1],
                xyz_got.grid[2], xyz_ok ? "as expected" : "WRONG (expected 4x8x1)");
    if (check) {
      if (allocations != 0) return fail("a cached launch allocates");
      if (!launch_ok) return fail("the driver was not given the expected launch");
      if (!xyz_ok) return fail("the pid xyz grid does not follow the config's loop order");
      return 0;
    }

    rt::ArgPack pack;
    for (const rt::Arg& a : args)
      tilecc::launch::pack_tensor(pack, reinterpret_cast<std::uintptr_t>(a.tensor.data), a.tensor.rank,
                                  a.tensor.sizes, a.tensor.strides);
    const rt::Driver::LaunchFn bare = gpu.raw_launch();
    const auto function = static_cast<rt::FunctionHandle>(got.function);
    const unsigned block = got.block[0];
    int bare_rc = 0;
    // Interleaved rounds, so that a noisy neighbour hits every measurement alike.
    std::vector<double> ours, bares, keys;
    for (int round = 0; round < 10; ++round) {
      bares.push_back(per_call_ns(
          [&] { bare_rc |= bare(function, programs, 1, 1, block, 1, 1, 0, stream, pack.pointers(), nullptr); }));
      ours.push_back(per_call_ns([&] { add.launch(args, stream); }));
      keys.push_back(per_call_ns([&] { (void)add.key(args); }));
    }
    if (bare_rc != 0) return fail("the fake cuLaunchKernel failed");
    auto best = [](std::vector<double> v) { return *std::min_element(v.begin(), v.end()); };
    std::printf("per call (fastest of 10 x 50 batches of 1000): Kernel::launch %.0f ns, bare cuLaunchKernel "
                "%.0f ns (runtime's own cost %.0f ns); Kernel::key %.0f ns\n",
                best(ours), best(bares), best(ours) - best(bares), best(keys));
    gpu.free(buf);
    gpu.destroy_stream(stream);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
