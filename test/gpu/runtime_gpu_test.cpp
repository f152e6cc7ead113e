// GPU tier: the runtime (serialized IR -> specialized CUDA -> NVRTC -> disk
// cache -> driver launch) on inputs that hit every specialization path:
// aligned and misaligned pointers, block-divisible and odd sizes, unit and
// non-unit strides, static and dynamic shapes, opt-out, persistent programs,
// bf16, a dot pipeline in dynamic shared memory, configs from a provider; and
// ([tune], run on its own: it starts worker processes) tuning on first use.
// Results are checked against plain CPU loops. Skipped without a GPU.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "autotune/tuned_configs.hpp"
#include "runtime/driver.hpp"
#include "runtime/kernel.hpp"

namespace rt = tilecc::runtime;
namespace ir = tilecc::ir;
namespace config = tilecc::config;
namespace autotune = tilecc::autotune;

namespace {

bool have_gpu() {
  std::string why;
  if (rt::Driver::available(&why)) return true;
  WARN("no GPU, runtime GPU tests skipped: " << why);
  return false;
}

std::string ir_path(const char* name) { return std::string(TILECC_TEST_DATA_DIR) + "/ir/" + name + ".json"; }

/// $TILECC_CACHE_DIR when set (a second run reads every cubin from disk), else a fresh
/// folder per test process, so the first launch of each key compiles.
std::filesystem::path test_cache() {
  if (const char* env = std::getenv("TILECC_CACHE_DIR"); env && *env) return env;
  static const auto dir = std::filesystem::temp_directory_path() / ("tilecc-gpu-test-" + std::to_string(::getpid()));
  return dir;
}

rt::KernelOptions options(rt::KernelOptions o = {}) {
  o.cache_dir = test_cache();
  return o;
}

/// Device floats, poisoned (NaN) until written; `offset` elements in (misaligned views).
struct Buffer {
  rt::DevicePtr p = 0;
  std::size_t n = 0;
  explicit Buffer(std::size_t count) : n(count + 4) {
    p = rt::Driver::get().alloc(n * sizeof(float));
    std::vector<float> poison(n, std::nanf(""));
    rt::Driver::get().copy_to_device(p, poison.data(), n * sizeof(float));
  }
  ~Buffer() { rt::Driver::get().free(p); }
  float* at(std::size_t offset) const { return reinterpret_cast<float*>(p) + offset; }
  void put(const std::vector<float>& h, std::size_t offset = 0) {
    rt::Driver::get().copy_to_device(p + offset * sizeof(float), h.data(), h.size() * sizeof(float));
  }
  std::vector<float> get(std::size_t count, std::size_t offset = 0) const {
    std::vector<float> h(count);
    rt::Driver::get().copy_to_host(h.data(), p + offset * sizeof(float), count * sizeof(float));
    return h;
  }
};

std::vector<float> random_floats(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2, 2);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

double max_error(const std::vector<float>& got, const std::vector<double>& want) {
  double worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double e = std::fabs(got[i] - want[i]) / (1 + std::fabs(want[i]));
    if (!(e <= worst)) worst = std::isnan(e) ? INFINITY : e;
  }
  return worst;
}

/// A 2-D view of a buffer: row stride ld, column stride cs (elements), `offset` in.
struct View {
  std::int64_t m, n, ld, cs;
  std::size_t offset;
  std::size_t span() const { return offset + static_cast<std::size_t>((m - 1) * ld + (n - 1) * cs + 1); }
  std::size_t index(std::int64_t i, std::int64_t j) const { return offset + static_cast<std::size_t>(i * ld + j * cs); }
  rt::TensorRef ref(const Buffer& b) const {
    return rt::TensorRef::strided(b.at(offset), ir::DType::f32, {m, n}, {ld, cs});
  }
};

/// Inputs of the add/softmax checks: name, x's view (out is row-major, same offset).
struct Case {
  const char* what;
  View x;
};

std::vector<Case> cases() {
  return {
      {"aligned, sizes divisible by the blocks", {256, 512, 512, 1, 0}},
      {"odd sizes", {255, 1000, 1000, 1, 0}},
      {"misaligned pointer (4 bytes in)", {256, 512, 512, 1, 1}},
      {"padded rows (ld = n + 3)", {129, 300, 303, 1, 0}},
      {"column-major (non-unit last stride)", {200, 96, 1, 200, 0}},
      {"one row", {1, 777, 777, 1, 0}},
  };
}

void run_add(rt::Kernel& add, const Case& c, unsigned seed) {
  const View x = c.x;
  const View out{x.m, x.n, x.n, 1, x.offset};
  Buffer bx(x.span()), by(out.span()), bo(out.span());
  std::vector<float> hx(x.span()), hy(out.span());
  hx = random_floats(x.span(), seed);
  hy = random_floats(out.span(), seed + 1);
  bx.put(hx);
  by.put(hy);
  add.launch({rt::Arg::of(x.ref(bx)), rt::Arg::of(out.ref(by)), rt::Arg::of(out.ref(bo))});
  rt::Driver::get().synchronize();
  const std::vector<float> got_all = bo.get(out.span());
  std::vector<float> got;
  std::vector<double> want;
  for (std::int64_t i = 0; i < x.m; ++i)
    for (std::int64_t j = 0; j < x.n; ++j) {
      got.push_back(got_all[out.index(i, j)]);
      want.push_back(double(hx[x.index(i, j)]) + hy[out.index(i, j)]);
    }
  INFO(c.what << " " << x.m << "x" << x.n);
  CHECK(max_error(got, want) < 1e-6);
}

void run_softmax(rt::Kernel& softmax, const Case& c, unsigned seed) {
  const View x = c.x;
  const View out{x.m, x.n, x.n, 1, x.offset};
  Buffer bx(x.span()), bo(out.span());
  const std::vector<float> hx = random_floats(x.span(), seed);
  bx.put(hx);
  softmax.launch({rt::Arg::of(x.ref(bx)), rt::Arg::of(out.ref(bo))});
  rt::Driver::get().synchronize();
  const std::vector<float> got_all = bo.get(out.span());
  std::vector<float> got;
  std::vector<double> want;
  for (std::int64_t i = 0; i < x.m; ++i) {
    double mx = -INFINITY, z = 0;
    for (std::int64_t j = 0; j < x.n; ++j) mx = std::max(mx, double(hx[x.index(i, j)]));
    for (std::int64_t j = 0; j < x.n; ++j) z += std::exp(hx[x.index(i, j)] - mx);
    for (std::int64_t j = 0; j < x.n; ++j) {
      got.push_back(got_all[out.index(i, j)]);
      want.push_back(std::exp(hx[x.index(i, j)] - mx) / z);
    }
  }
  INFO(c.what << " " << x.m << "x" << x.n);
  CHECK(max_error(got, want) < 1e-5);
}

/// bf16 bits of a float that bf16 holds exactly (the low half dropped), and back.
std::uint16_t bf16_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, 4);
  return static_cast<std::uint16_t>(u >> 16);
}
float bf16_value(std::uint16_t b) {
  const std::uint32_t u = std::uint32_t{b} << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
/// (i mod `period` - period / 2) / 8: exact in bf16, and so are small sums of products.
float eighths(std::size_t i, int period) {
  return static_cast<float>(static_cast<int>(i % static_cast<std::size_t>(period)) - period / 2) / 8;
}

}  // namespace

TEST_CASE("runtime add: every specialization path matches the CPU", "[gpu][runtime]") {
  if (!have_gpu()) return;
  rt::Kernel add = rt::Kernel::from_ir_file(ir_path("add"), "add_f32", options());
  unsigned seed = 1;
  for (const Case& c : cases()) run_add(add, c, seed++);
  const rt::KernelStats s = add.stats();
  CHECK(s.launches == 6);
  CHECK(s.compiles + s.disk_hits >= 4);  // distinct keys compile once each
  for (const Case& c : cases()) run_add(add, c, seed++);
  CHECK(add.stats().compiles + add.stats().disk_hits == s.compiles + s.disk_hits);  // all in memory now
}

TEST_CASE("runtime add: static shapes, opt-out, no specialization, persistent programs", "[gpu][runtime]") {
  if (!have_gpu()) return;
  rt::KernelOptions st = options();
  st.shapes = tilecc::config::Shapes::Static;
  rt::Kernel add_static = rt::Kernel::from_ir_file(ir_path("add"), "add_f32", st);
  rt::KernelOptions opt_out = options();
  opt_out.no_specialize = {"x", "out.stride(1)"};
  rt::Kernel add_opt_out = rt::Kernel::from_ir_file(ir_path("add"), "add_f32", opt_out);
  rt::KernelOptions off = options();
  off.specialize = false;
  rt::Kernel add_generic = rt::Kernel::from_ir_file(ir_path("add"), "add_f32", off);
  rt::Kernel add_persistent = [&] {
    rt::Kernel probe = rt::Kernel::from_ir_file(ir_path("add"), "add_f32", options());
    tilecc::config::Config c = tilecc::config::default_config(probe.ir());
    c.pid = tilecc::config::Pid::PersistentInterleaved;
    rt::KernelOptions o = options();
    o.config = c;
    return rt::Kernel::from_ir_file(ir_path("add"), "add_f32", o);
  }();
  unsigned seed = 100;
  for (rt::Kernel* k : {&add_static, &add_opt_out, &add_generic, &add_persistent})
    for (const Case& c : cases()) run_add(*k, c, seed++);
  CHECK(add_generic.stats().compiles + add_generic.stats().disk_hits == 1);
}

TEST_CASE("runtime softmax (whole rows) and a second Kernel reading the disk cache", "[gpu][runtime]") {
  if (!have_gpu()) return;
  rt::Kernel softmax = rt::Kernel::from_ir_file(ir_path("softmax"), "softmax_f32", options());
  unsigned seed = 200;
  for (const Case& c : cases()) run_softmax(softmax, c, seed++);
  rt::Kernel again = rt::Kernel::from_ir_file(ir_path("softmax"), "softmax_f32", options());
  for (const Case& c : cases()) run_softmax(again, c, seed++);
  CHECK(again.stats().compiles == 0);  // every key was on disk
  CHECK(again.stats().disk_hits == softmax.stats().compiles + softmax.stats().disk_hits);
}

TEST_CASE("runtime softmax: rows beyond the config's full_extent run its looped variant", "[gpu][runtime]") {
  if (!have_gpu()) return;
  rt::Kernel softmax = rt::Kernel::from_ir_file(ir_path("softmax"), "softmax_f32", options());
  // The default full_extent is 1024: these rows take the variant that walks them in chunks.
  const std::vector<Case> long_rows = {{"rows of 5000", {7, 5000, 5000, 1, 0}},
                                       {"rows of 65536 + 3, padded", {2, 65539, 65544, 1, 0}},
                                       {"one row of 1025", {1, 1025, 1025, 1, 0}}};
  unsigned seed = 300;
  for (const Case& c : long_rows) run_softmax(softmax, c, seed++);
  const rt::KernelStats s = softmax.stats();
  CHECK(s.launches == 3);
  for (const Case& c : cases()) run_softmax(softmax, c, seed++);  // short rows: the whole-row variant
  CHECK(softmax.stats().launches == 3 + static_cast<std::int64_t>(cases().size()));
}

TEST_CASE("runtime matmul and layer_norm (a float scalar argument)", "[gpu][runtime]") {
  if (!have_gpu()) return;
  rt::Kernel matmul = rt::Kernel::from_ir_file(ir_path("matmul"), "matmul_f32", options());
  for (const std::int64_t size : {128, 97}) {
    const std::int64_t m = size, k = size + 32, n = size - 16;
    Buffer bx(m * k), by(k * n), bo(m * n);
    const auto hx = random_floats(m * k, 7), hy = random_floats(k * n, 8);
    bx.put(hx);
    by.put(hy);
    matmul.launch({rt::Arg::of(rt::TensorRef::contiguous(bx.at(0), ir::DType::f32, {m, k})),
                   rt::Arg::of(rt::TensorRef::contiguous(by.at(0), ir::DType::f32, {k, n})),
                   rt::Arg::of(rt::TensorRef::contiguous(bo.at(0), ir::DType::f32, {m, n}))});
    rt::Driver::get().synchronize();
    std::vector<double> want(m * n);
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t l = 0; l < k; ++l) want[i * n + j] += double(hx[i * k + l]) * hy[l * n + j];
    INFO("matmul " << m << "x" << k << "x" << n);
    CHECK(max_error(bo.get(m * n), want) < 1e-2);  // tf32 tensor cores may be used
  }
  rt::Kernel ln = rt::Kernel::from_ir_file(ir_path("layer_norm"), "layer_norm_f32", options());
  for (const std::int64_t n : {512, 333}) {
    const std::int64_t m = 77;
    Buffer bx(m * n), bw(n), bb(n), bo(m * n);
    const auto hx = random_floats(m * n, 9), hw = random_floats(n, 10), hb = random_floats(n, 11);
    bx.put(hx);
    bw.put(hw);
    bb.put(hb);
    const float eps = 1e-5f;
    ln.launch({rt::Arg::of(rt::TensorRef::contiguous(bx.at(0), ir::DType::f32, {m, n})),
               rt::Arg::of(rt::TensorRef::contiguous(bw.at(0), ir::DType::f32, {n})),
               rt::Arg::of(rt::TensorRef::contiguous(bb.at(0), ir::DType::f32, {n})), rt::Arg::of(eps),
               rt::Arg::of(rt::TensorRef::contiguous(bo.at(0), ir::DType::f32, {m, n}))});
    rt::Driver::get().synchronize();
    std::vector<double> want(m * n);
    for (std::int64_t i = 0; i < m; ++i) {
      double mean = 0, var = 0;
      for (std::int64_t j = 0; j < n; ++j) mean += hx[i * n + j];
      mean /= n;
      for (std::int64_t j = 0; j < n; ++j) var += (hx[i * n + j] - mean) * (hx[i * n + j] - mean);
      var /= n;
      for (std::int64_t j = 0; j < n; ++j)
        want[i * n + j] = (hx[i * n + j] - mean) / std::sqrt(var + eps) * hw[j] + hb[j];
    }
    INFO("layer_norm " << m << "x" << n);
    CHECK(max_error(bo.get(m * n), want) < 1e-4);
  }
}

TEST_CASE("runtime: a failing check launches nothing; the caller's stream is used", "[gpu][runtime]") {
  if (!have_gpu()) return;
  rt::Kernel add = rt::Kernel::from_ir_file(ir_path("add"), "add_f32", options());
  Buffer b(64);
  const auto t = rt::TensorRef::contiguous(b.at(0), ir::DType::f32, {8, 8});
  const auto bad = rt::TensorRef::contiguous(b.at(0), ir::DType::f32, {8, 7});
  CHECK_THROWS_AS(add.launch({rt::Arg::of(t), rt::Arg::of(t), rt::Arg::of(bad)}), rt::LaunchError);
  CHECK(add.stats().compiles + add.stats().disk_hits == 0);
}

TEST_CASE("runtime add in bf16 (2-byte elements: other vector widths and alignments)", "[gpu][runtime]") {
  if (!have_gpu()) return;
  rt::Kernel add = rt::Kernel::from_ir_file(ir_path("add"), "add_bf16", options());
  for (const auto& [m, n, offset] : {std::tuple<std::int64_t, std::int64_t, std::size_t>{256, 512, 0},
                                     {255, 1000, 0},
                                     {64, 520, 1}}) {
    // Values k/8 for small k are exact in bf16, and so are their sums.
    std::vector<std::uint16_t> hx(m * n + offset), hy(m * n + offset);
    for (std::size_t i = 0; i < hx.size(); ++i) {
      hx[i] = bf16_bits(eighths(i, 17));
      hy[i] = bf16_bits(eighths(i, 13));
    }
    const std::size_t bytes = hx.size() * 2;
    const rt::Driver& gpu = rt::Driver::get();
    const rt::DevicePtr dx = gpu.alloc(bytes), dy = gpu.alloc(bytes), dout = gpu.alloc(bytes);
    gpu.copy_to_device(dx, hx.data(), bytes);
    gpu.copy_to_device(dy, hy.data(), bytes);
    // Poisoned (bf16 NaN): a freed buffer of an earlier shape may be handed out again holding
    // the very sums expected here (the values depend on the index only).
    const std::vector<std::uint16_t> poison(hx.size(), 0xffff);
    gpu.copy_to_device(dout, poison.data(), bytes);
    auto t = [&](rt::DevicePtr p) {
      return rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<std::uint16_t*>(p) + offset, ir::DType::bf16, {m, n}));
    };
    add.launch({t(dx), t(dy), t(dout)});
    gpu.synchronize();
    std::vector<std::uint16_t> got(hx.size());
    gpu.copy_to_host(got.data(), dout, bytes);
    int wrong = 0;
    for (std::size_t i = offset; i < got.size(); ++i)
      wrong += bf16_value(got[i]) != bf16_value(hx[i]) + bf16_value(hy[i]);
    INFO("bf16 add " << m << "x" << n << " offset " << offset);
    CHECK(wrong == 0);
    gpu.free(dx);
    gpu.free(dy);
    gpu.free(dout);
  }
}

TEST_CASE("runtime bf16 matmul whose dot pipeline takes dynamic shared memory (over 48 KB)", "[gpu][runtime]") {
  if (!have_gpu()) return;
  const rt::Kernel probe = rt::Kernel::from_ir_file(ir_path("matmul"), "matmul_bf16", options());
  config::Config deep = config::default_config(probe.ir());
  deep.range_num_stages = {4};  // 4 stages of 128 x 32 + 32 x 128 bf16 operands: 64 KB
  rt::KernelOptions o = options();
  o.config = deep;
  rt::Kernel matmul = rt::Kernel::from_ir_file(ir_path("matmul"), "matmul_bf16", o);
  const rt::Driver& gpu = rt::Driver::get();
  for (const auto& [m, k, n] : {std::tuple<std::int64_t, std::int64_t, std::int64_t>{256, 256, 256}, {130, 200, 96}}) {
    std::vector<std::uint16_t> hx(m * k), hy(k * n), got(m * n, 0xffff);  // the output starts as NaN
    for (std::size_t i = 0; i < hx.size(); ++i) hx[i] = bf16_bits(eighths(i * 7, 17));
    for (std::size_t i = 0; i < hy.size(); ++i) hy[i] = bf16_bits(eighths(i * 5, 13));
    const rt::DevicePtr dx = gpu.alloc(hx.size() * 2), dy = gpu.alloc(hy.size() * 2), dout = gpu.alloc(got.size() * 2);
    gpu.copy_to_device(dx, hx.data(), hx.size() * 2);
    gpu.copy_to_device(dy, hy.data(), hy.size() * 2);
    gpu.copy_to_device(dout, got.data(), got.size() * 2);
    auto t = [](rt::DevicePtr p, std::int64_t rows, std::int64_t cols) {
      return rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(p), ir::DType::bf16, {rows, cols}));
    };
    const std::vector<rt::Arg> args = {t(dx, m, k), t(dy, k, n), t(dout, m, n)};
    REQUIRE(matmul.source_for(args).find("dot_loop_store<32, 4,") != std::string::npos);
    matmul.launch(args);
    gpu.synchronize();
    gpu.copy_to_host(got.data(), dout, got.size() * 2);
    // Products of eighths summed in f32 are exact; the bf16 output rounds to 8 bits.
    std::vector<float> out(got.size());
    std::vector<double> want(got.size());
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        out[i * n + j] = bf16_value(got[i * n + j]);
        for (std::int64_t l = 0; l < k; ++l)
          want[i * n + j] += double(bf16_value(hx[i * k + l])) * bf16_value(hy[l * n + j]);
      }
    INFO("bf16 matmul " << m << "x" << k << "x" << n << ", 4-stage pipeline");
    CHECK(max_error(out, want) < 1e-2);
    gpu.free(dx);
    gpu.free(dy);
    gpu.free(dout);
  }
}

TEST_CASE("runtime with a config provider: a variant per key and per power of two of the row", "[gpu][runtime]") {
  if (!have_gpu()) return;
  // Answers full_extent fitted to the row it is asked about, as the tuner's configs are.
  struct RowFitted : rt::ConfigProvider {
    int asked = 0;
    std::optional<config::Config> config_for(const rt::ConfigQuery& q) override {
      ++asked;
      config::Config c = config::default_config(q.kernel);
      c.full_extent = 1;
      while (c.full_extent < q.args[0].tensor.sizes[1]) c.full_extent *= 2;
      return c;
    }
  };
  auto provider = std::make_shared<RowFitted>();
  rt::KernelOptions o = options();
  o.configs = provider;
  rt::Kernel softmax = rt::Kernel::from_ir_file(ir_path("softmax"), "softmax_f32", o);
  // Rows of 512, 2048, 1024 and 768 floats: the same specialization key, three row classes.
  const std::vector<Case> rows = {{"row 512", {64, 512, 512, 1, 0}},
                                  {"row 2048", {64, 2048, 2048, 1, 0}},
                                  {"row 1024", {64, 1024, 1024, 1, 0}},
                                  {"row 768 (class 1024)", {64, 768, 768, 1, 0}}};
  auto fake_args = [](const View& v) {
    const auto t = rt::TensorRef::contiguous(reinterpret_cast<void*>(0x100000), ir::DType::f32, {v.m, v.n});
    return std::vector<rt::Arg>{rt::Arg::of(t), rt::Arg::of(t)};
  };
  for (const Case& c : rows)
    REQUIRE(softmax.key(fake_args(c.x)).to_string() == softmax.key(fake_args(rows[0].x)).to_string());
  unsigned seed = 400;
  for (const Case& c : rows) run_softmax(softmax, c, seed++);
  CHECK(provider->asked == 3);
  CHECK(softmax.stats().launches == 4);
}

TEST_CASE("tune on first use: tuned once, recorded, then found without tuning", "[gpu][tune]") {
  if (!have_gpu()) return;
  namespace at = tilecc::autotune;
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc-tune-gpu-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  at::TunedConfigsOptions o;
  o.db = dir / "tuning.json";
  o.tune_on_miss = true;
  o.tilecc = TILECC_TEST_TILECC_BIN;
  o.budget_s = 2;  // the first batch of candidates is measured whatever the budget
  o.cache_dir = test_cache();
  o.worker_log = (dir / "workers.log").string();
  auto softmax_with = [&](std::shared_ptr<at::TunedConfigs> configs) {
    rt::KernelOptions ko = options();
    ko.configs = std::move(configs);
    return rt::Kernel::from_ir_file(ir_path("softmax"), "softmax_f32", ko);
  };
  const Case c{"softmax 256 x 1000, tuned on first use", {256, 1000, 1000, 1, 0}};

  auto first = std::make_shared<at::TunedConfigs>(o);
  rt::Kernel softmax = softmax_with(first);
  const auto start = std::chrono::steady_clock::now();
  run_softmax(softmax, c, 500);
  std::printf("tune on first use: first launch %.1f s (tuning included)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  CHECK(first->stats().asked == 1);
  CHECK(first->stats().tuned == 1);
  const std::vector<at::DbEntry> entries = at::TuningDb(o.db).entries();
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].details.value("by", "") == "tune on first use");
  CHECK(entries[0].key.gpu == rt::Driver::get().name());
  CHECK(entries[0].key.cc == rt::Driver::get().compute_capability());
  CHECK(entries[0].ms > 0);
  run_softmax(softmax, c, 501);  // the same key: from memory, the provider is not asked
  CHECK(first->stats().asked == 1);

  // A fresh provider and Kernel, as in the next process: the database answers.
  auto second = std::make_shared<at::TunedConfigs>(o);
  rt::Kernel again = softmax_with(second);
  const auto restart = std::chrono::steady_clock::now();
  run_softmax(again, c, 502);
  std::printf("tune on first use: next Kernel's first launch %.3f s (database hit)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - restart).count());
  CHECK(second->stats().found == 1);
  CHECK(second->stats().tuned == 0);
  CHECK(at::TuningDb(o.db).entries().size() == 1);
  const config::Config recorded = config::parse_config(entries[0].config.dump(), again.ir());
  const auto t = rt::TensorRef::contiguous(reinterpret_cast<void*>(0x100000), ir::DType::f32, {256, 1000});
  const std::vector<rt::Arg> fake = {rt::Arg::of(t), rt::Arg::of(t)};
  CHECK(again.source_for(fake).find("// config: " + recorded.to_json() + "\n") != std::string::npos);
  std::filesystem::remove_all(dir);
}
