// The benchmarking worker: owns the GPU context, the inputs and the reference outputs.
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "autotune/fault_plan.hpp"
#include "autotune/launch.hpp"
#include "autotune/worker.hpp"
#include "autotune/worker_roles.hpp"
#include "runtime/cache.hpp"
#include "runtime/driver.hpp"
#include "runtime/module.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/serialize.hpp"

struct CUevent_st;

namespace tilecc::autotune {

namespace {

using runtime::DevicePtr;
using runtime::Driver;
using CUevent = CUevent_st*;

/// The few driver calls runtime/driver.hpp does not wrap (events, memset, attributes).
struct Extras {
  int (*event_create)(CUevent*, unsigned) = nullptr;
  int (*event_record)(CUevent, runtime::Stream) = nullptr;
  int (*event_synchronize)(CUevent) = nullptr;
  int (*event_query)(CUevent) = nullptr;
  int (*event_elapsed)(float*, CUevent, CUevent) = nullptr;
  int (*memset_d8_async)(DevicePtr, unsigned char, std::size_t, runtime::Stream) = nullptr;
  int (*memset_d32_async)(DevicePtr, unsigned, std::size_t, runtime::Stream) = nullptr;
  int (*device_attribute)(int*, int, int) = nullptr;
  int (*device_name)(char*, int, int) = nullptr;
  int (*func_set_attribute)(runtime::FunctionHandle, int, int) = nullptr;

  Extras() {
    void* lib = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (!lib) throw runtime::DriverError("tilecc tune: cannot open libcuda.so.1");
    auto sym = [&](auto& f, const char* name) {
      // The newest ABI of an entry point first (cuEventElapsedTime_v2 in CUDA 13).
      f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(::dlsym(lib, fmt::format("{}_v2", name).c_str()));
      if (!f) f = reinterpret_cast<std::remove_reference_t<decltype(f)>>(::dlsym(lib, name));
      if (!f) throw runtime::DriverError(fmt::format("tilecc tune: libcuda has no {}", name));
    };
    sym(event_create, "cuEventCreate");
    sym(event_record, "cuEventRecord");
    sym(event_synchronize, "cuEventSynchronize");
    sym(event_query, "cuEventQuery");
    sym(event_elapsed, "cuEventElapsedTime");
    sym(memset_d8_async, "cuMemsetD8Async");
    sym(memset_d32_async, "cuMemsetD32Async");
    sym(device_attribute, "cuDeviceGetAttribute");
    sym(device_name, "cuDeviceGetName");
    sym(func_set_attribute, "cuFuncSetAttribute");
  }
  static void check(int r, const char* what) {
    if (r != 0) throw runtime::DriverError(fmt::format("{} failed with CUDA error {}", what, r));
  }
};

// The worker's own kernels: fill<T> writes the inputs, compare<T> checks an output.
constexpr const char* kHelperSource = R"(
#include <cuda_bf16.h>
#include <cuda_fp16.h>
// Element i: splitmix64 of the counter seed + (i + 1) * golden; |v| in [0.1, 1) with a random
// sign (integers 1..7): non-zero, so a missed product or a wrong scale shows.
__device__ unsigned long long mix(unsigned long long seed, long long i) {
  unsigned long long z = seed + (unsigned long long)(i + 1) * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
__device__ float signed_mag(unsigned long long r) {
  const float mag = 0.1f + 0.9f * (float)((r >> 11) & 0xffffff) / 16777216.f;
  return (r & 1) ? -mag : mag;
}
__device__ void set_random(float& o, unsigned long long r) { o = signed_mag(r); }
__device__ void set_random(double& o, unsigned long long r) { o = signed_mag(r); }
__device__ void set_random(__nv_bfloat16& o, unsigned long long r) { o = __float2bfloat16_rn(signed_mag(r)); }
__device__ void set_random(__half& o, unsigned long long r) { o = __float2half_rn(signed_mag(r)); }
__device__ void set_random(int& o, unsigned long long r) { o = 1 + (int)(r % 7); }
__device__ void set_random(long long& o, unsigned long long r) { o = 1 + (long long)(r % 7); }
__device__ void set_random(signed char& o, unsigned long long r) { o = (signed char)(1 + r % 7); }
template <class T>
__global__ void fill(T* out, long long n, unsigned long long seed) {
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
    set_random(out[i], mix(seed, i));
}
__device__ float to_f(float v) { return v; }
__device__ float to_f(double v) { return float(v); }
__device__ float to_f(__nv_bfloat16 v) { return __bfloat162float(v); }
__device__ float to_f(__half v) { return __half2float(v); }
__device__ float to_f(int v) { return float(v); }
__device__ float to_f(long long v) { return float(v); }
__device__ float to_f(signed char v) { return float(v); }
// Counts elements outside atol + rtol * |ref| (NaN counts) and the largest error.
template <class T>
__global__ void compare(const T* out, const T* ref, long long n, float atol, float rtol,
                        unsigned long long* bad, unsigned* max_err_bits) {
  unsigned long long my_bad = 0;
  float my_max = 0.f;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
    const float a = to_f(out[i]), r = to_f(ref[i]);
    float err = fabsf(a - r);
    if (!(err <= atol + rtol * fabsf(r))) ++my_bad;
    if (!(err <= 3.0e38f)) err = 3.0e38f;
    my_max = fmaxf(my_max, err);
  }
  if (my_bad) atomicAdd(bad, my_bad);
  atomicMax(max_err_bits, __float_as_uint(my_max));
}
)";

// Kernels of planted faults (fault_plan.hpp), compiled only when a test plants some: a store
// through the pointer it is given (null: an illegal address) and a spin of `ns` nanoseconds.
constexpr const char* kPlantedSource = R"(
__global__ void planted_fault(volatile int* p) { *p = 1; }
__global__ void planted_hang(unsigned long long ns) {
  unsigned long long t0, t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t0));
  do asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t)); while (t - t0 < ns);
}
)";

}  // namespace

const char* bench_helper_source() { return kHelperSource; }
const char* planted_fault_source() { return kPlantedSource; }

const char* device_type(ir::DType t) {
  switch (t) {
    case ir::DType::f32: return "float";
    case ir::DType::f64: return "double";
    case ir::DType::bf16: return "__nv_bfloat16";
    case ir::DType::f16: return "__half";
    case ir::DType::i32: return "int";
    case ir::DType::i64: return "long long";
    case ir::DType::u8: return "unsigned char";
    case ir::DType::fp8e4m3: return "__nv_fp8_e4m3";
    case ir::DType::fp8e5m2: return "__nv_fp8_e5m2";
    default: return "signed char";
  }
}

namespace {

// Host conversions for the reference's scale.
float from_bf16(std::uint16_t h) {
  const std::uint32_t u = std::uint32_t{h} << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
float from_f16(std::uint16_t h) {
  const int exp = (h >> 10) & 0x1f;
  const float mant = static_cast<float>(h & 0x3ff);
  const float v = exp == 0 ? mant * std::ldexp(1.f, -24) : (1.f + mant / 1024.f) * std::ldexp(1.f, exp - 15);
  return (h & 0x8000) ? -v : v;
}

double to_double(const unsigned char* p, ir::DType t) {
  switch (t) {
    case ir::DType::f32: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case ir::DType::f64: {
      double d;
      std::memcpy(&d, p, 8);
      return d;
    }
    case ir::DType::bf16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      return from_bf16(h);
    }
    case ir::DType::f16: {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      return from_f16(h);
    }
    case ir::DType::i32: {
      std::int32_t k;
      std::memcpy(&k, p, 4);
      return k;
    }
    case ir::DType::i64: {
      std::int64_t k;
      std::memcpy(&k, p, 8);
      return static_cast<double>(k);
    }
    default: return static_cast<double>(static_cast<signed char>(*p));
  }
}

/// dtype-appropriate tolerances: relative, and absolute as a fraction of the reference's RMS.
std::pair<double, double> tolerances(ir::DType t) {
  switch (t) {
    case ir::DType::bf16: return {2e-2, 1e-2};
    case ir::DType::f16: return {5e-3, 5e-3};
    case ir::DType::f32: return {1e-3, 1e-3};
    case ir::DType::f64: return {1e-9, 1e-9};
    default: return {0, 0};
  }
}

class Bench {
 public:
  nlohmann::json handle(const nlohmann::json& r) {
    if (!plan_read_) {
      plan_ = fault_plan_from_env();  // a malformed plan answers every request with its error
      plan_read_ = true;
    }
    const std::string op = r.at("op");
    if (op == "device") return device();
    if (op == "init") return init(r);
    if (op == "bench") return bench(r);
    throw std::invalid_argument("unknown op " + op);
  }

 private:
  Driver& drv() { return Driver::get(); }

  nlohmann::json device() {
    Driver& d = drv();
    x_ = std::make_unique<Extras>();
    char name[256] = {};
    Extras::check(x_->device_name(name, sizeof name, d.device()), "cuDeviceGetName");
    int l2 = 0, major = 0, minor = 0;
    Extras::check(x_->device_attribute(&l2, 38, d.device()), "cuDeviceGetAttribute(L2)");
    Extras::check(x_->device_attribute(&major, 75, d.device()), "cuDeviceGetAttribute(cc major)");
    Extras::check(x_->device_attribute(&minor, 76, d.device()), "cuDeviceGetAttribute(cc minor)");
    l2_bytes_ = static_cast<std::size_t>(l2);
    return {{"ok", true},
            {"name", name},
            {"cc", fmt::format("{}.{}", major, minor)},
            {"arch", d.arch()},
            {"sms", d.multiprocessors()},
            {"l2_bytes", l2}};
  }

  nlohmann::json init(const nlohmann::json& r) {
    if (!x_) device();
    Driver& d = drv();
    module_ = ir::deserialize(r.at("ir").get<std::string>());
    kernel_ = &module_.kernels.at(r.at("kernel").get<std::size_t>());
    std::vector<ArgSpec> specs;
    for (const auto& s : r.at("args")) specs.push_back(parse_arg(s.get<std::string>()));
    bound_ = bind_args(*kernel_, specs);
    cache_ = std::make_unique<runtime::DiskCache>(r.value("cache_dir", std::string()));
    planted_.reset();  // the reference is never planted
    if (!plan_.empty()) load_planted(d.arch());
    const std::uint64_t seed = r.value("seed", std::uint64_t{1});
    buffers_.assign(bound_.size(), 0);
    outputs_.clear();
    // The helper kernels of every tensor's type (through the disk cache: free after the first run).
    runtime::CompileOptions co;
    co.arch = d.arch();
    for (std::size_t i = 0; i < bound_.size(); ++i)
      if (bound_[i].is_tensor) {
        co.name_expressions.push_back(fmt::format("&fill<{}>", device_type(bound_[i].dtype)));
        co.name_expressions.push_back(fmt::format("&compare<{}>", device_type(bound_[i].dtype)));
      }
    std::vector<runtime::Function> fill_fn(bound_.size());
    compare_fn_.clear();
    if (!co.name_expressions.empty()) {
      const runtime::CachedCompile cc = runtime::compile_cached(bench_helper_source(), co, *cache_);
      helper_module_ = runtime::Module::load(cc.cubin);
      for (std::size_t i = 0, k = 0; i < bound_.size(); ++i)
        if (bound_[i].is_tensor) {
          fill_fn[i] = helper_module_.function(cc.lowered_names.at(k++));
          const runtime::Function compare = helper_module_.function(cc.lowered_names.at(k++));
          if (!kernel_->params[i].is_const) {
            outputs_.push_back(i);
            compare_fn_.push_back(compare);
          }
        }
    }
    // Inputs (and outputs, overwritten by the reference) filled on the GPU: a fresh worker is
    // ready in a fraction of a second.
    for (std::size_t i = 0; i < bound_.size(); ++i) {
      if (!bound_[i].is_tensor) continue;
      buffers_[i] = d.alloc(static_cast<std::size_t>(bound_[i].bytes()));
      runtime::ArgPack a;
      a.push(buffers_[i]);
      a.push(static_cast<long long>(bound_[i].elements()));
      a.push(static_cast<unsigned long long>(seed * 1000003 + i));
      fill_fn[i].launch({1024, 1, 1}, 256, 0, nullptr, a);
    }
    flush_bytes_ = std::max<std::size_t>(2 * l2_bytes_, 8u << 20);
    flush_ = d.alloc(flush_bytes_);
    for (int e = 0; e < 2 * kMaxReps; ++e) Extras::check(x_->event_create(&events_[e], 0), "cuEventCreate");
    counters_ = d.alloc(16);
    // The reference: run it, keep its outputs, and their RMS for the absolute tolerance.
    const nlohmann::json& ref = r.at("reference");
    load(ref);
    launch();
    d.synchronize();
    references_.clear();
    atol_.clear();
    for (std::size_t i : outputs_) {
      const auto bytes = static_cast<std::size_t>(bound_[i].bytes());
      std::vector<unsigned char> host(bytes);
      d.copy_to_host(host.data(), buffers_[i], bytes);
      double sum = 0;
      const int es = ir::size_bytes(bound_[i].dtype);
      bool finite = true;
      for (std::int64_t e = 0; e < bound_[i].elements(); ++e) {
        const double v = to_double(host.data() + e * es, bound_[i].dtype);
        finite = finite && std::isfinite(v);
        sum += v * v;
      }
      if (!finite)
        throw std::runtime_error("the reference config's output " + kernel_->params[i].name + " is not finite");
      const DevicePtr copy = d.alloc(bytes);
      d.copy_to_device(copy, host.data(), bytes);
      references_.push_back(copy);
      atol_.push_back(tolerances(bound_[i].dtype).second *
                      std::sqrt(sum / std::max<std::int64_t>(1, bound_[i].elements())));
    }
    return {{"ok", true}};
  }

  /// Loads the candidate (its cubin from the disk cache the compile workers filled, through
  /// compile_cached, which reads the entry format back; memoized by key) and sets up its launch.
  void load(const nlohmann::json& r) {
    runtime::CompileOptions co;
    co.arch = r.at("arch").get<std::string>();
    co.include_dirs = r.value("include_dirs", std::vector<std::string>{});
    co.name_expressions = {fmt::format("&{}", r.at("symbol").get<std::string>())};
    const runtime::CachedCompile c = runtime::compile_cached(r.at("source").get<std::string>(), co, *cache_,
                                                             r.value("key_parts", std::vector<std::string>{}));
    if (c.key != loaded_key_) {
      module_loaded_ = runtime::Module();
      module_loaded_ = runtime::Module::load(c.cubin);
      fn_ = module_loaded_.function(c.lowered_names.at(0));
      loaded_key_ = c.key;
      // Dynamic shared memory beyond 48 KB must be allowed per function (as the generated
      // launcher's allow_dynamic_shared does); 8: CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES.
      dynamic_shared_ = r.value("dynamic_shared", 0);
      if (dynamic_shared_ > 0)
        Extras::check(x_->func_set_attribute(fn_.handle(), 8, dynamic_shared_), "cuFuncSetAttribute");
    }
    const config::Config config = config::parse_config(r.at("config").dump(), *kernel_);
    grid_ = launch_grid(*kernel_, config, bound_, drv().multiprocessors(), dynamic_shared_);
    args_.clear();
    std::vector<launch::TensorMapPacking> maps;
    for (const nlohmann::json& t : r.value("tensor_maps", nlohmann::json::array())) {
      const int p = t.at(0).get<int>();
      maps.push_back({p, kernel_->params.at(static_cast<std::size_t>(p)).dtype, t.at(1).get<std::int64_t>(),
                      t.at(2).get<std::int64_t>()});
    }
    pack_params(*kernel_, bound_, buffers_, args_, maps,
                reinterpret_cast<tma_map::EncodeTiled>(drv().tensor_map_encoder()));
  }
  void launch() {
    if (grid_.launches())  // else no programs
      fn_.launch({grid_.x, grid_.y, grid_.z}, grid_.threads, grid_.dynamic_shared_bytes, nullptr, args_);
    if (planted_) plant(*planted_);
  }

  /// The planted faults' kernels (a test hook: fault_plan.hpp).
  void load_planted(const std::string& arch) {
    runtime::CompileOptions co;
    co.arch = arch;
    co.name_expressions = {"&planted_fault", "&planted_hang"};
    const runtime::CachedCompile cc = runtime::compile_cached(planted_fault_source(), co, *cache_);
    planted_module_ = runtime::Module::load(cc.cubin);
    planted_fault_fn_ = planted_module_.function(cc.lowered_names.at(0));
    planted_hang_fn_ = planted_module_.function(cc.lowered_names.at(1));
  }

  /// What a planted candidate does after its own launch, on the same stream.
  void plant(FaultKind kind) {
    runtime::ArgPack a;
    switch (kind) {
      case FaultKind::Fault:
        a.push(DevicePtr{0});
        planted_fault_fn_.launch({1, 1, 1}, 1, 0, nullptr, a);
        break;
      case FaultKind::Hang:
        a.push(static_cast<unsigned long long>(10'000'000'000ull));
        planted_hang_fn_.launch({1, 1, 1}, 1, 0, nullptr, a);
        break;
      case FaultKind::Wrong:  // 0x40 bytes: 3.0 in bf16/f32, far from any reference value of these kernels
        for (std::size_t i : outputs_)
          Extras::check(x_->memset_d8_async(buffers_[i], 0x40, static_cast<std::size_t>(bound_[i].bytes()), nullptr),
                        "cuMemsetD8Async");
        break;
      case FaultKind::Crash:
      case FaultKind::Stall: break;  // before any launch: bench()
    }
  }

  float elapsed_ms(int from, int to) {
    float ms = 0;
    Extras::check(x_->event_elapsed(&ms, events_[from], events_[to]), "cuEventElapsedTime");
    return ms;
  }

  /// Waits for events_[e]; false when cut_s (> 0) passed first (the launch is still running).
  bool wait(int e, double cut_s) {
    if (cut_s <= 0) {
      Extras::check(x_->event_synchronize(events_[e]), "cuEventSynchronize");
      return true;
    }
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      const int q = x_->event_query(events_[e]);
      if (q == 0) return true;
      if (q != 600) Extras::check(q, "cuEventQuery");  // 600: CUDA_ERROR_NOT_READY
      if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > cut_s) return false;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  /// Output elements outside the tolerances of the reference's, and the largest error.
  std::pair<unsigned long long, double> compare_outputs() {
    Driver& d = drv();
    unsigned long long bad_total = 0;
    double max_err = 0;
    for (std::size_t k = 0; k < outputs_.size(); ++k) {
      const std::size_t i = outputs_[k];
      Extras::check(x_->memset_d8_async(counters_, 0, 16, nullptr), "cuMemsetD8Async");
      runtime::ArgPack a;
      a.push(buffers_[i]);
      a.push(references_[k]);
      a.push(static_cast<long long>(bound_[i].elements()));
      a.push(static_cast<float>(atol_[k]));
      a.push(static_cast<float>(tolerances(bound_[i].dtype).first));
      a.push(counters_);
      a.push(counters_ + 8);
      compare_fn_[k].launch({1024, 1, 1}, 256, 0, nullptr, a);
      unsigned long long bad = 0;
      unsigned bits = 0;
      d.copy_to_host(&bad, counters_, 8);
      d.copy_to_host(&bits, counters_ + 8, 4);
      float err;
      std::memcpy(&err, &bits, 4);
      bad_total += bad;
      max_err = std::max(max_err, static_cast<double>(err));
    }
    return {bad_total, max_err};
  }

  nlohmann::json bench(const nlohmann::json& r) {
    nlohmann::json answer = {{"ok", true}};
    const bool check = r.value("check", true);
    const double slow_ms = r.value("slow_ms", 0.0), cut_s = r.value("cut_s", 0.0),
                 budget_ms = r.value("budget_ms", 0.0);
    planted_ = planted_fault(plan_, r.at("config"), r.value("remeasure", false));
    if (planted_ == FaultKind::Crash) ::kill(::getpid(), SIGKILL);
    if (planted_ == FaultKind::Stall)
      for (;;) ::pause();
    try {
      load(r);
      // The first launch: on poisoned (NaN) outputs when checking; timed; given up on when it
      // runs past cut_s (a running kernel cannot be stopped: the worker exits, the tuner starts
      // a fresh one).
      if (check)
        for (std::size_t i : outputs_)
          Extras::check(x_->memset_d8_async(buffers_[i], 0xff, static_cast<std::size_t>(bound_[i].bytes()), nullptr),
                        "cuMemsetD8Async");
      Extras::check(x_->event_record(events_[0], nullptr), "cuEventRecord");
      launch();
      Extras::check(x_->event_record(events_[1], nullptr), "cuEventRecord");
      if (!wait(1, cut_s))
        return {{"ok", false},
                {"slow", true},
                {"exit", true},
                {"ms", cut_s * 1000},
                {"error", fmt::format("one launch ran longer than {:.3g} s; not measured", cut_s)}};
      const double first_ms = elapsed_ms(0, 1);
      answer["first_ms"] = first_ms;
      if (check) {
        const auto [bad, max_err] = compare_outputs();
        answer["bad"] = bad;
        answer["max_err"] = max_err;
        if (bad) {
          answer["ok"] = false;
          answer["wrong"] = true;
          answer["error"] =
              fmt::format("{} output elements differ from the reference (max error {:.3g})", bad, max_err);
          return answer;
        }
      }
      // Clearly slower than the best so far: not timed further (1 ms allows for the first
      // launch's loading of the code).
      if (slow_ms > 0 && first_ms > slow_ms + 1.0) {
        answer["slow"] = true;
        answer["ms"] = first_ms;
        return answer;
      }
      // Estimate (L2 warm: at most the flushed time), then time each launch between events
      // with L2 flushed before it.
      launch();
      Extras::check(x_->event_record(events_[0], nullptr), "cuEventRecord");
      for (int i = 0; i < 3; ++i) launch();
      Extras::check(x_->event_record(events_[1], nullptr), "cuEventRecord");
      Extras::check(x_->event_synchronize(events_[1]), "cuEventSynchronize");
      const double est = std::max(elapsed_ms(0, 1) / 3, 1e-3f);
      if (slow_ms > 0 && est > slow_ms) {
        answer["slow"] = true;
        answer["ms"] = est;
        return answer;
      }
      const double target = r.value("target_ms", 40.0);
      int reps = std::clamp(static_cast<int>(target / est), r.value("min_reps", 10),
                            std::min(r.value("max_reps", 100), kMaxReps));
      if (budget_ms > 0) reps = std::min(reps, std::max(3, static_cast<int>(budget_ms / est)));
      for (int i = 0; i < reps; ++i) {
        Extras::check(x_->memset_d32_async(flush_, static_cast<unsigned>(i), flush_bytes_ / 4, nullptr),
                      "cuMemsetD32Async");
        Extras::check(x_->event_record(events_[2 * i], nullptr), "cuEventRecord");
        launch();
        Extras::check(x_->event_record(events_[2 * i + 1], nullptr), "cuEventRecord");
      }
      Extras::check(x_->event_synchronize(events_[2 * reps - 1]), "cuEventSynchronize");
      std::vector<double> times;
      for (int i = 0; i < reps; ++i) times.push_back(elapsed_ms(2 * i, 2 * i + 1));
      std::sort(times.begin(), times.end());
      answer["ms"] = times[times.size() / 2];
      answer["min_ms"] = times.front();
      answer["reps"] = reps;
    } catch (const ArgError& e) {
      return {{"ok", false}, {"error", e.what()}};
    } catch (const std::exception& e) {
      // A failed launch or sync may leave the context unusable: start afresh.
      return {{"ok", false}, {"error", e.what()}, {"exit", true}};
    }
    return answer;
  }

  static constexpr int kMaxReps = 500;
  FaultPlan plan_;
  bool plan_read_ = false;
  std::optional<FaultKind> planted_;  // this request's planted fault
  runtime::Module planted_module_;
  runtime::Function planted_fault_fn_, planted_hang_fn_;
  std::unique_ptr<Extras> x_;
  std::size_t l2_bytes_ = 0, flush_bytes_ = 0;
  ir::Module module_;
  const ir::Kernel* kernel_ = nullptr;
  std::vector<ArgSpec> bound_;
  std::unique_ptr<runtime::DiskCache> cache_;
  std::vector<DevicePtr> buffers_, references_;
  std::vector<std::size_t> outputs_;
  std::vector<double> atol_;
  DevicePtr flush_ = 0, counters_ = 0;
  CUevent events_[2 * kMaxReps] = {};
  runtime::Module helper_module_, module_loaded_;
  std::vector<runtime::Function> compare_fn_;
  runtime::Function fn_;
  std::string loaded_key_;
  int dynamic_shared_ = 0;
  launch::Grid grid_;
  runtime::ArgPack args_;
};

}  // namespace

int run_bench_worker() {
  Bench bench;
  return serve([&](const nlohmann::json& r) { return bench.handle(r); });
}

}  // namespace tilecc::autotune
