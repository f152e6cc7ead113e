// The runtime's config source backed by the tuning database (autotune/tuned_configs.hpp), on
// the CPU: entries recorded as `tilecc tune` records them are found for the same launch;
// other shapes, GPUs, config spaces and layouts fall back to the default config; a damaged
// database is an error naming the file; tuning on first use without a GPU, or without the
// tilecc executable, fails saying so.
#include "autotune/tuned_configs.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autotune/tuner.hpp"
#include "runtime/driver.hpp"
#include "runtime/kernel.hpp"

namespace at = tilecc::autotune;
namespace rt = tilecc::runtime;
namespace config = tilecc::config;
namespace autotune = tilecc::autotune;
namespace ir = tilecc::ir;
using Catch::Contains;

namespace {

std::string ir_path(const char* name) { return std::string(TILECC_TEST_DATA_DIR) + "/ir/" + name + ".json"; }

std::filesystem::path fresh_dir(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tilecc_tuned_configs_test_" + std::to_string(::getpid())) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

/// Records `config` for `args` (as `--arg` texts) on `gpu` exactly as `tilecc tune` does: the
/// tuner's key (tuning_key over spec_key of the bound --args), TuneResult::db_entry, record.
at::DbEntry record_as_tuner(const at::TuningDb& db, const ir::Kernel& kernel, const std::vector<std::string>& args,
                            const config::Config& config, const std::string& gpu = "NVIDIA H200",
                            const std::string& cc = "9.0") {
  std::vector<at::ArgSpec> specs;
  for (const std::string& a : args) specs.push_back(at::parse_arg(a));
  at::TuneResult r;
  r.key = at::tuning_key(kernel, at::spec_key(at::bind_args(kernel, specs)), gpu, cc);
  r.best_config = nlohmann::json::parse(config.to_json());
  r.best_ms = 0.0123;
  at::TuneOptions o;
  o.effort = "quick";
  return db.record(r.db_entry(o), true);
}

/// A fake device pointer (the key only reads its alignment).
void* at_address(std::uintptr_t a) { return reinterpret_cast<void*>(a); }

std::vector<rt::Arg> softmax_args(std::int64_t m, std::int64_t n, std::uintptr_t base = 0x100000, std::int64_t ld = 0) {
  if (ld == 0) ld = n;
  return {rt::Arg::of(rt::TensorRef::strided(at_address(base), ir::DType::f32, {m, n}, {ld, 1})),
          rt::Arg::of(rt::TensorRef::contiguous(at_address(base + 0x10000000), ir::DType::f32, {m, n}))};
}

struct Setup {
  std::shared_ptr<at::TunedConfigs> configs;
  rt::Kernel kernel;
};

Setup with_db(const std::filesystem::path& db, const char* file, const char* name, at::TunedConfigsOptions o = {}) {
  o.db = db;
  if (o.gpu.empty()) o.gpu = "NVIDIA H200";
  if (o.cc.empty()) o.cc = "9.0";
  auto configs = std::make_shared<at::TunedConfigs>(o);
  rt::KernelOptions ko;
  ko.arch = "sm_90a";
  ko.configs = configs;
  return {configs, rt::Kernel::from_ir_file(ir_path(file), name, ko)};
}

/// A config the default is not: 2 warps, rows in registers up to 1024.
config::Config tuned_softmax(const ir::Kernel& k) {
  config::Config c = config::default_config(k);
  c.num_warps = 2;
  c.full_extent = 1024;
  return c;
}

bool compiles_with(const rt::Kernel& k, const std::vector<rt::Arg>& args, const config::Config& c) {
  return k.source_for(args).find("// config: " + c.to_json() + "\n") != std::string::npos;
}

/// Sets (or unsets, with nullptr) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("a config recorded by the tuner is found for the same launch", "[tuned_configs]") {
  const auto db = fresh_dir("found") / "tuning.json";
  Setup s = with_db(db, "softmax", "softmax_f32");
  const config::Config tuned = tuned_softmax(s.kernel.ir());
  record_as_tuner(at::TuningDb(db), s.kernel.ir(), {"x=f32[256,1024]", "out=f32[256,1024]"}, tuned);
  CHECK(compiles_with(s.kernel, softmax_args(256, 1024), tuned));
  CHECK(s.configs->stats().found == 1);
  CHECK(s.configs->stats().defaults == 0);
  // The key is the tuner's: same hash as the recorded entry.
  const auto key = at::db_key_for(s.kernel.ir(), softmax_args(256, 1024), "NVIDIA H200", "9.0");
  REQUIRE(key);
  REQUIRE(at::TuningDb(db).entries().size() == 1);
  CHECK(at::TuningDb(db).entries()[0].key.hash() == key->hash());

  // A float scalar: the launch's 1e-5f matches `--arg eps=1e-5`.
  Setup ln = with_db(db, "layer_norm", "layer_norm_f32");
  config::Config c = config::default_config(ln.kernel.ir());
  c.num_warps = 2;
  record_as_tuner(at::TuningDb(db), ln.kernel.ir(),
                  {"x=f32[64,512]", "weight=f32[512]", "bias=f32[512]", "eps=1e-5", "out=f32[64,512]"}, c);
  auto t = [](std::uintptr_t p, std::initializer_list<std::int64_t> sizes) {
    return rt::Arg::of(rt::TensorRef::contiguous(at_address(p), ir::DType::f32, sizes));
  };
  const std::vector<rt::Arg> args = {t(0x100000, {64, 512}), t(0x200000, {512}), t(0x300000, {512}), rt::Arg::of(1e-5f),
                                     t(0x400000, {64, 512})};
  CHECK(compiles_with(ln.kernel, args, c));
  CHECK(ln.configs->stats().found == 1);
}

TEST_CASE("other shapes, GPUs, config spaces and layouts take the default config", "[tuned_configs]") {
  const auto db = fresh_dir("fallback") / "tuning.json";
  Setup s = with_db(db, "softmax", "softmax_f32");
  const config::Config tuned = tuned_softmax(s.kernel.ir()), fallback = config::default_config(s.kernel.ir());
  const at::DbEntry e =
      record_as_tuner(at::TuningDb(db), s.kernel.ir(), {"x=f32[256,1024]", "out=f32[256,1024]"}, tuned);

  CHECK(compiles_with(s.kernel, softmax_args(256, 512), fallback));                    // another shape
  CHECK(compiles_with(s.kernel, softmax_args(256, 1024, 0x100004), fallback));         // misaligned
  CHECK(compiles_with(s.kernel, softmax_args(256, 1024, 0x100000, 1040), fallback));   // padded rows
  CHECK(s.configs->stats().found == 0);
  CHECK(s.configs->stats().defaults == 3);

  at::TunedConfigsOptions a100;
  a100.gpu = "NVIDIA A100-SXM4-80GB";
  a100.cc = "8.0";
  CHECK(compiles_with(with_db(db, "softmax", "softmax_f32", a100).kernel, softmax_args(256, 1024), fallback));
  at::TunedConfigsOptions h100;  // another GPU of the same compute capability
  h100.gpu = "NVIDIA H100 80GB HBM3";
  CHECK(compiles_with(with_db(db, "softmax", "softmax_f32", h100).kernel, softmax_args(256, 1024), fallback));

  // The same entry under another config-space fingerprint or tilecc version is not this key.
  for (auto field : {&at::DbKey::space, &at::DbKey::version, &at::DbKey::source_hash}) {
    const auto other = fresh_dir("fallback_other") / "tuning.json";
    at::DbEntry moved = e;
    moved.key.*field = "0000000000000000";
    at::TuningDb(other).record(moved);
    CHECK(compiles_with(with_db(other, "softmax", "softmax_f32").kernel, softmax_args(256, 1024), fallback));
  }
  // No database file at all: the default, nothing written.
  const auto none = fresh_dir("fallback_none") / "tuning.json";
  CHECK(compiles_with(with_db(none, "softmax", "softmax_f32").kernel, softmax_args(256, 1024), fallback));
  // Rows the default does not hold whole: the default fitted to them, as the default
  // translation's launcher takes it (launch/default_dispatch.hpp); beyond every fitted variant,
  // the default (its looped variant).
  const Setup untuned = with_db(none, "softmax", "softmax_f32");
  const ir::Kernel& k = untuned.kernel.ir();
  CHECK(compiles_with(untuned.kernel, softmax_args(256, 3000), config::default_config_for_rows(k, "sm_90a", 4096)));
  CHECK(compiles_with(untuned.kernel, softmax_args(8, 16384), config::default_config_for_rows(k, "sm_90a", 16384)));
  CHECK(compiles_with(untuned.kernel, softmax_args(8, 16385), config::default_config(k, "sm_90a")));
  CHECK_FALSE(std::filesystem::exists(none));
}

TEST_CASE("a shape not tuned takes the config of the nearest tuned shape's bucket, far ones the default",
          "[tuned_configs]") {
  const auto db = fresh_dir("nearest") / "tuning.json";
  Setup s = with_db(db, "softmax", "softmax_f32");
  const ir::Kernel& k = s.kernel.ir();
  config::Config narrow = config::default_config(k), wide = config::default_config(k);
  narrow.num_warps = 2;
  narrow.full_extent = 512;
  wide.num_warps = 16;
  wide.full_extent = 8192;
  // Recorded as `tilecc tune --shapes` records them: with their arguments.
  auto record = [&](const char* size, const config::Config& c) {
    at::TuneResult r;
    r.args = {std::string("x=f32") + size, std::string("out=f32") + size};
    std::vector<at::ArgSpec> specs;
    for (const std::string& a : r.args) specs.push_back(at::parse_arg(a));
    r.key = at::tuning_key(k, at::spec_key(at::bind_args(k, specs)), "NVIDIA H200", "9.0");
    r.best_config = nlohmann::json::parse(c.to_json());
    r.best_ms = 0.01;
    r.deploy = "runtime";
    at::TuningDb(db).record(r.db_entry({}), true);
  };
  record("[1024,512]", narrow);
  record("[1024,8192]", wide);
  CHECK(compiles_with(s.kernel, softmax_args(1024, 512), narrow));  // tuned: found
  CHECK(compiles_with(s.kernel, softmax_args(3000, 400), narrow));   // near 1024x512
  CHECK(compiles_with(s.kernel, softmax_args(2000, 6000), wide));    // near 1024x8192
  // Rows narrow cannot hold whole (512) but the default can (1024): the default, not a loop.
  CHECK(compiles_with(s.kernel, softmax_args(3000, 600), config::default_config(k)));
  CHECK(compiles_with(s.kernel, softmax_args(64, 512), config::default_config(k)));  // 16x fewer rows: far
  CHECK(s.configs->stats().found == 1);
  CHECK(s.configs->stats().nearest == 2);
  CHECK(s.configs->stats().defaults == 2);

  at::TunedConfigsOptions off;
  off.nearest_shape = false;
  CHECK(compiles_with(with_db(db, "softmax", "softmax_f32", off).kernel, softmax_args(3000, 400),
                      config::default_config(k)));
}

TEST_CASE("a damaged tuning database is an error naming the file and the damage", "[tuned_configs]") {
  const auto dir = fresh_dir("damaged");
  const auto db = dir / "tuning.json";
  Setup s = with_db(db, "softmax", "softmax_f32");
  const auto args = softmax_args(256, 1024);
  auto fails_with = [&](const std::string& text, const std::string& why) {
    write(db, text);
    INFO(text);
    CHECK_THROWS_AS(s.kernel.source_for(args), at::DbError);
    CHECK_THROWS_WITH(s.kernel.source_for(args), Contains(db.string()) && Contains(why));
  };
  fails_with("{\"version\": 1, \"entries\": {", "not valid JSON");
  fails_with("", "not valid JSON");
  fails_with("[1, 2]", "top level is not a JSON object");
  fails_with("{\"entries\": []}", "'entries' is not an object");
  fails_with("{\"entries\": {\"abc\": 5}}", "entry abc is not an object");
  fails_with("{\"entries\": {\"abc\": {\"config\": {}}}}", "entry abc has no key_fields");
  fails_with("{\"entries\": {\"abc\": {\"key_fields\": {\"gpu\": 7}, \"config\": {}}}}", "key field 'gpu'");

  // A well-formed entry for this very key whose config the kernel cannot take.
  std::filesystem::remove(db);
  at::DbEntry e = record_as_tuner(at::TuningDb(db), s.kernel.ir(), {"x=f32[256,1024]", "out=f32[256,1024]"},
                                  tuned_softmax(s.kernel.ir()));
  e.config["block_sizes"] = {3};
  at::TuningDb(db).record(e, true);
  CHECK_THROWS_AS(s.kernel.source_for(args), at::DbError);
  CHECK_THROWS_WITH(s.kernel.source_for(args), Contains("cannot take") && Contains(e.key.hash()));
}

TEST_CASE("tuning on first use without a GPU fails saying so", "[tuned_configs]") {
  if (rt::Driver::available()) {
    WARN("a GPU is present: the no-GPU messages are not checked here");
    return;
  }
  const auto db = fresh_dir("no_gpu") / "tuning.json";
  at::TunedConfigsOptions o;
  o.tune_on_miss = true;
  Setup s = with_db(db, "softmax", "softmax_f32", o);
  CHECK_THROWS_AS(s.kernel.source_for(softmax_args(256, 1024)), at::TuneError);
  CHECK_THROWS_WITH(s.kernel.source_for(softmax_args(256, 1024)),
                    Contains("tuning softmax<float> for x:f32[256,1024]") && Contains("needs a GPU"));
  CHECK_FALSE(std::filesystem::exists(db));
  CHECK(s.configs->stats().tuned == 0);
  // A hit needs no GPU, and neither does a layout the tuner does not measure.
  record_as_tuner(at::TuningDb(db), s.kernel.ir(), {"x=f32[256,1024]", "out=f32[256,1024]"},
                  tuned_softmax(s.kernel.ir()));
  CHECK(compiles_with(s.kernel, softmax_args(256, 1024), tuned_softmax(s.kernel.ir())));
  CHECK_NOTHROW(s.kernel.source_for(softmax_args(256, 1024, 0x100004)));

  // Without gpu/cc there is no key to look up.
  at::TunedConfigsOptions no_gpu_named;
  no_gpu_named.db = db;
  auto configs = std::make_shared<at::TunedConfigs>(no_gpu_named);
  rt::KernelOptions ko;
  ko.arch = "sm_90a";
  ko.configs = configs;
  const rt::Kernel k = rt::Kernel::from_ir_file(ir_path("softmax"), "softmax_f32", ko);
  CHECK_THROWS_WITH(k.source_for(softmax_args(256, 1024)), Contains("keyed by GPU") && Contains("gpu and cc"));
}

TEST_CASE("the tilecc executable for tuning: option, $TILECC_BIN, $PATH, or a clear error", "[tuned_configs]") {
  const std::string real = TILECC_TEST_TILECC_BIN;
  const auto dir = fresh_dir("find_tilecc");
  ScopedEnv no_bin("TILECC_BIN", nullptr);
  {
    ScopedEnv empty_path("PATH", (dir / "empty").c_str());
    CHECK_THROWS_AS(at::find_tilecc(), at::TuneError);
    CHECK_THROWS_WITH(at::find_tilecc(), Contains("TILECC_BIN") && Contains("no tilecc on $PATH"));
  }
  CHECK(at::find_tilecc(real) == real);
  CHECK_THROWS_WITH(at::find_tilecc((dir / "missing").string()),
                    Contains("TunedConfigsOptions::tilecc") && Contains("not an executable file"));
  {
    ScopedEnv bin("TILECC_BIN", real.c_str());
    CHECK(at::find_tilecc() == real);
  }
  {
    ScopedEnv bin("TILECC_BIN", (dir / "missing").c_str());
    CHECK_THROWS_WITH(at::find_tilecc(), Contains("$TILECC_BIN") && Contains("missing"));
  }
  {  // another program, or another version of tilecc
    const auto fake = dir / "tilecc";
    write(fake, "#!/bin/sh\necho tilecc 0.0.0-other\n");
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    ScopedEnv path("PATH", dir.c_str());
    CHECK_THROWS_WITH(at::find_tilecc(), Contains("$PATH") && Contains("reports 'tilecc 0.0.0-other'"));
  }
  {
    std::filesystem::create_directories(dir / "bin");
    std::filesystem::create_symlink(real, dir / "bin" / "tilecc");
    ScopedEnv path("PATH", ((dir / "empty").string() + ":" + (dir / "bin").string()).c_str());
    CHECK(at::find_tilecc() == (dir / "bin" / "tilecc").string());
  }
}
