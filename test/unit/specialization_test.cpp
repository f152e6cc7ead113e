// Argument specialization and the runtime's host side (no GPU, no NVRTC run):
// slots, fact tables, keys (cheap, allocation-free), opt-out, static vs dynamic
// shapes, what codegen does with the facts, the host evaluator and the disk cache.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/cache.hpp"
#include "runtime/driver.hpp"
#include "runtime/kernel.hpp"
#include "test/support/allocation_counter.hpp"  // computing a key allocates nothing
#include "translator/codegen/emit_cuda.hpp"
#include "translator/config/specialization.hpp"

namespace rt = tilecc::runtime;
namespace cg = tilecc::codegen;
namespace config = tilecc::config;
namespace ir = tilecc::ir;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string& add_ir() {
  static const std::string text = read(std::string(TILECC_TEST_DATA_DIR) + "/ir/add.json");
  return text;
}

rt::KernelOptions sm90(rt::KernelOptions o = {}) {
  o.arch = "sm_90a";
  return o;
}

// A fake device pointer with the given alignment in bytes.
void* at(std::uintptr_t address) { return reinterpret_cast<void*>(address); }

std::vector<rt::Arg> add_args(std::int64_t m, std::int64_t n, std::uintptr_t base = 0x10000, std::int64_t ld = 0) {
  if (ld == 0) ld = n;
  auto t = [&](std::uintptr_t p) { return rt::TensorRef::strided(at(p), ir::DType::f32, {m, n}, {ld, 1}); };
  return {rt::Arg::of(t(base)), rt::Arg::of(t(base + 0x1000000)), rt::Arg::of(t(base + 0x2000000))};
}

}  // namespace

TEST_CASE("slots of a kernel: pointer, sizes, strides and whole tensor per tensor, then loops", "[specialize]") {
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", sm90());
  std::vector<std::string> texts;
  for (const config::Slot& s : add.slots()) texts.push_back(s.text);
  REQUIRE(texts.size() == 3 * 6 + 2);
  CHECK(texts[0] == "x.data");
  CHECK(texts[1] == "x.size(0)");
  CHECK(texts[3] == "x.stride(0)");
  CHECK(texts[5] == "x");
  CHECK(texts[18] == "loop tm");
  CHECK(texts[19] == "loop tn");
  CHECK(add.slots()[18].launch_loop);
}

TEST_CASE("each backend declares its facts in one table; sm_90 adds TMA eligibility", "[specialize]") {
  CHECK(config::backend_of("sm_80") == config::Backend::sm80);
  CHECK(config::backend_of("sm_89") == config::Backend::sm80);
  CHECK(config::backend_of("sm_90a") == config::Backend::sm90);
  CHECK(config::backend_of("sm_100") == config::Backend::sm90);
  auto has_tma = [](config::Backend b) {
    for (const config::FactRule& r : config::fact_table(b))
      if (std::string(r.name) == "tma") return true;
    return false;
  };
  CHECK_FALSE(has_tma(config::Backend::sm80));
  CHECK(has_tma(config::Backend::sm90));

  const std::int64_t strides[2] = {4096, 1};
  config::SlotValue v;
  v.address = 0x1000;
  v.element_bytes = 2;
  v.rank = 2;
  v.strides = strides;
  CHECK(config::facts_of(config::fact_table(config::Backend::sm90), config::SlotKind::Tensor, v) == 1);
  const std::int64_t odd[2] = {4097, 1};
  v.strides = odd;  // 4097 * 2 bytes is not a multiple of 16
  CHECK(config::facts_of(config::fact_table(config::Backend::sm90), config::SlotKind::Tensor, v) == 0);
  v.value = 32;
  CHECK(config::facts_of(config::fact_table(config::Backend::sm80), config::SlotKind::Scalar, v) == 1);  // div16
  v.value = 1;
  CHECK(config::facts_of(config::fact_table(config::Backend::sm80), config::SlotKind::Scalar, v) == 2);  // one
}

TEST_CASE("keys: same facts give the same key, different facts a different one", "[specialize]") {
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", sm90());
  const auto a = add_args(256, 1024), b = add_args(512, 2048), odd = add_args(255, 1000),
             misaligned = add_args(256, 1024, 0x10004), strided = add_args(256, 1000, 0x10000, 1024);
  const config::SpecKey ka = add.key(a), kb = add.key(b), kodd = add.key(odd), kmis = add.key(misaligned),
                        kstr = add.key(strided);
  CHECK(ka == kb);  // dynamic shapes: one variant for every divisible, aligned, contiguous shape
  CHECK_FALSE(ka == kodd);
  CHECK_FALSE(ka == kmis);
  CHECK_FALSE(kodd == kstr);
  CHECK(ka.to_string().rfind("d:", 0) == 0);
  CHECK(ka.hash() == kb.hash());
}

TEST_CASE("static shapes put every size and stride in the key", "[specialize]") {
  rt::KernelOptions o = sm90();
  o.shapes = config::Shapes::Static;
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", o);
  const config::SpecKey a = add.key(add_args(256, 1024)), b = add.key(add_args(512, 2048));
  CHECK_FALSE(a == b);
  CHECK(a.to_string().rfind("s:", 0) == 0);
  CHECK(a.to_string().find("256,1024,1024,1") != std::string::npos);
  const std::string full = add.source_for(add_args(256, 1024));
  const std::string src = full.substr(full.find("__global__"));  // the kernel, not its header comment
  CHECK(src.find("1024LL") != std::string::npos);
  CHECK(src.find("x.size(1)") == std::string::npos);
}

TEST_CASE("computing a key allocates nothing", "[specialize]") {
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", sm90());
  const auto args = add_args(255, 1000);
  (void)add.key(args);
  const long before = g_allocations.load();
  for (int i = 0; i < 100; ++i) (void)add.key(args);
  CHECK(g_allocations.load() == before);
}

TEST_CASE("opting out: a named parameter's slots carry no facts; unknown names are refused", "[specialize]") {
  rt::KernelOptions o = sm90();
  o.no_specialize = {"x"};
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", o);
  const config::SpecKey k = add.key(add_args(256, 1024));
  for (int i = 0; i < 6; ++i) CHECK(k.facts(i) == 0);  // x's slots
  CHECK(k.facts(6) != 0);                               // y.data: aligned16
  o.no_specialize = {"nope"};
  CHECK_THROWS_AS(rt::Kernel::from_ir(add_ir(), "add_f32", o), config::ConfigError);
  rt::KernelOptions off = sm90();
  off.specialize = false;
  rt::Kernel generic = rt::Kernel::from_ir(add_ir(), "add_f32", off);
  CHECK(generic.key(add_args(256, 1024)) == generic.key(add_args(255, 1000, 0x10004)));
}

TEST_CASE("codegen uses the facts: unit strides folded, masks dropped, alignment told", "[specialize]") {
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", sm90());
  auto body = [](const std::string& source) { return source.substr(source.find("__global__")); };
  const std::string fast = body(add.source_for(add_args(256, 1024)));
  CHECK(fast.find("constexpr int tm_size") != std::string::npos);
  CHECK(fast.find("constexpr int tn_size") != std::string::npos);
  CHECK(fast.find("x.stride(1)") == std::string::npos);
  CHECK(fast.find("__builtin_assume_aligned(x.data, 16)") != std::string::npos);
  const std::string odd_source = add.source_for(add_args(255, 1000, 0x10004, 1001));
  const std::string odd = body(odd_source);
  CHECK(odd.find("constexpr int tm_size") == std::string::npos);
  CHECK(odd.find("__builtin_assume_aligned") == std::string::npos);
  CHECK(odd.find("x.stride(1)") == std::string::npos);  // the last stride is still 1
  CHECK(odd_source.find("specialized for:") != std::string::npos);
  rt::KernelOptions off = sm90();
  off.specialize = false;
  const std::string generic = rt::Kernel::from_ir(add_ir(), "add_f32", off).source_for(add_args(256, 1024));
  CHECK(generic.find("x.stride(1)") != std::string::npos);
  CHECK(generic.find("nothing (generic)") != std::string::npos);
}

TEST_CASE("--specialize=auto variants and the launcher's conditions", "[specialize]") {
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", sm90());
  const auto variants = config::auto_variants(add.ir(), add.slots(), config::fact_table(config::Backend::sm90));
  REQUIRE(variants.size() == 2);
  CHECK(variants[0].suffix == "unit_div");
  CHECK(variants[1].suffix == "unit");
  CHECK(variants[0].requires_.size() == 5);  // three last strides, two loop extents
  cg::EmitOptions eo;
  eo.dispatch.push_back({"add_f32_kernel_unit", variants[1].requires_});
  const cg::KernelCode kc = cg::emit_kernel(add.ir(), config::default_config(add.ir()), eo);
  CHECK(kc.launcher.find("if ((x.stride(1) == 1) &&") != std::string::npos);
  CHECK(kc.launcher.find("add_f32_kernel_unit<<<") != std::string::npos);
  CHECK(kc.launcher.find("  add_f32_kernel<<<") != std::string::npos);
}

TEST_CASE("a failing TILECC_CHECK refuses the launch before any GPU work", "[runtime]") {
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", sm90());
  auto args = add_args(16, 16);
  args[2].tensor.sizes[0] = 17;
  CHECK_THROWS_AS(add.key(args), rt::LaunchError);
  args = add_args(16, 16);
  args[1].tensor.dtype = ir::DType::bf16;
  CHECK_THROWS_AS(add.key(args), rt::LaunchError);
  CHECK_THROWS_AS(rt::Kernel::from_ir(add_ir(), "add", sm90()), rt::LaunchError);  // two instances
  CHECK_THROWS_AS(rt::Kernel::from_ir(add_ir(), "mul", sm90()), rt::LaunchError);
}

TEST_CASE("without a GPU, launching says why", "[runtime]") {
  std::string why;
  if (rt::Driver::available(&why)) return;  // a GPU machine: the gpu tier covers launches
  CHECK(!why.empty());
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32");
  CHECK_THROWS_AS(add.launch(add_args(16, 16)), rt::DriverError);
}

TEST_CASE("the disk cache: atomic entries, corrupt ones read as misses, $TILECC_CACHE_DIR", "[cache]") {
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc-cache-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  rt::DiskCache cache(dir);
  CHECK_FALSE(cache.load("k1"));
  cache.store("k1", std::string("cubin\0bytes", 11));
  REQUIRE(cache.load("k1"));
  CHECK(*cache.load("k1") == std::string("cubin\0bytes", 11));
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".cubin";
  CHECK(files == 1);
  for (const auto& e : std::filesystem::directory_iterator(dir)) CHECK(e.path().extension() != ".tmp");
  std::filesystem::resize_file(cache.path_of("k1"), 20);  // truncated
  CHECK_FALSE(cache.load("k1"));
  ::setenv("TILECC_CACHE_DIR", dir.c_str(), 1);
  CHECK(rt::DiskCache::default_dir() == dir);
  ::unsetenv("TILECC_CACHE_DIR");
  std::filesystem::remove_all(dir);

  CHECK(rt::hash_parts({"ab", "c"}) != rt::hash_parts({"a", "bc"}));
  CHECK(rt::hash_parts({"ab", "c"}) == rt::hash_parts({"ab", "c"}));
  CHECK(rt::hash_parts({"x"}).size() == 32);
}

TEST_CASE("a folder's fingerprint follows every file's name and content", "[cache]") {
  const auto dir = std::filesystem::temp_directory_path() / ("tilecc-fingerprint-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "device");
  auto write = [](const std::filesystem::path& p, const char* text) { std::ofstream(p) << text; };
  write(dir / "device.cuh", "#include \"device/a.cuh\"\n");
  write(dir / "device" / "a.cuh", "int a;\n");
  const std::string first = rt::folder_fingerprint(dir);
  CHECK(rt::folder_fingerprint(dir) == first);
  write(dir / "device" / "a.cuh", "int b;\n");  // an included header changes
  const std::string second = rt::folder_fingerprint(dir);
  CHECK(second != first);
  std::filesystem::create_directories(dir / "other");
  std::filesystem::rename(dir / "device" / "a.cuh", dir / "other" / "a.cuh");  // same name, another folder
  CHECK(rt::folder_fingerprint(dir) != second);
  std::filesystem::remove_all(dir);
  CHECK(rt::folder_fingerprint(dir) == rt::hash_parts({}));
}

TEST_CASE("a config provider (tuning database, tune on first use) is asked once per new key", "[runtime]") {
  // What autotune's database adapter does: answer per kernel, key and GPU; here it remembers
  // what it "tuned" so a second ask of the same key is a lookup.
  struct FakeTuner : rt::ConfigProvider {
    int tuned = 0;
    std::map<std::string, config::Config> db;
    std::optional<config::Config> config_for(const rt::ConfigQuery& q) override {
      CHECK(q.arch == "sm_90a");
      CHECK(q.args.size() == q.kernel.params.size());
      if (auto it = db.find(q.key_text); it != db.end()) return it->second;
      ++tuned;
      config::Config c = config::default_config(q.kernel);
      c.num_warps = 8;
      return db[q.key_text] = c;
    }
  };
  auto tuner = std::make_shared<FakeTuner>();
  rt::KernelOptions o = sm90();
  o.configs = tuner;
  rt::Kernel add = rt::Kernel::from_ir(add_ir(), "add_f32", o);
  const auto args = add_args(256, 1024);
  CHECK(add.source_for(args).find("__launch_bounds__(256)") != std::string::npos);
  CHECK(add.source_for(args).find("__launch_bounds__(256)") != std::string::npos);
  CHECK(tuner->tuned == 1);
  CHECK(tuner->db.count(add.key(args).to_string()) == 1);
  (void)add.source_for(add_args(255, 1000));
  CHECK(tuner->tuned == 2);
  // A given config wins over the provider.
  o.config = config::default_config(add.ir());
  o.config->num_warps = 2;
  CHECK(rt::Kernel::from_ir(add_ir(), "add_f32", o).source_for(args).find("__launch_bounds__(64)") !=
        std::string::npos);
}
