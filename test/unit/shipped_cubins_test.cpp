// Shipped cubins (runtime/shipped.hpp) without a GPU or NVRTC: an index written by hand under
// the keys the runtime computes, and which file a launch's arch, config and shape map to;
// what is not shipped falls back (nothing found: the launch compiles with NVRTC).
#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/kernel.hpp"
#include "runtime/nvrtc.hpp"
#include "runtime/shipped.hpp"
#include "runtime/variant_source.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/serialize.hpp"

namespace rt = tilecc::runtime;
namespace ir = tilecc::ir;
namespace config = tilecc::config;

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

ir::Kernel softmax_f32() {
  const ir::Module m = ir::deserialize(read_text(std::string(TILECC_TEST_DATA_DIR) + "/ir/softmax.json"));
  for (const ir::Kernel& k : m.kernels)
    if (k.instance == "float") return k;
  FAIL("no softmax<float> in softmax.json");
  return {};
}

std::vector<rt::Arg> rows(std::int64_t m, std::int64_t n) {
  return {rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(0x100000), ir::DType::f32, {m, n})),
          rt::Arg::of(rt::TensorRef::contiguous(reinterpret_cast<void*>(0x8000000), ir::DType::f32, {m, n}))};
}

/// An index entry for the generic variant of `c` on `arch`, its cubin `file` (a stand-in).
nlohmann::json entry(const ir::Kernel& k, const config::Config& c, const std::string& arch, bool looped,
                     const std::string& file) {
  const rt::VariantSource v = rt::variant_source(k, c, {}, arch, "");
  return {{"key", rt::shipped_key(v.global_function, arch, v.symbol)},
          {"kernel", "softmax_f32"},
          {"arch", arch},
          {"config", c.to_json()},
          {"looped", looped},
          {"symbol", v.symbol},
          {"file", file}};
}

struct Folder {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("tilecc-shipped-test-" + std::to_string(::getpid()));
  Folder() {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~Folder() { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
};

}  // namespace

TEST_CASE("a launch maps to the shipped cubin of its arch, config and shape, else falls back", "[runtime][shipped]") {
  const ir::Kernel k = softmax_f32();
  const config::Config c90 = config::default_config(k, "sm_90a");
  const config::Config looped = config::looped_fallback(k, c90).value();
  Folder f;
  nlohmann::json index = {{"format", "tilecc-cubins-v1"}, {"tilecc", "test"}, {"entries", nlohmann::json::array()}};
  index["entries"].push_back(entry(k, c90, "sm_90a", false, "generic.cubin"));
  index["entries"].push_back(entry(k, looped, "sm_90a", true, "looped.cubin"));
  f.write("index.json", index.dump());

  const auto shipped = rt::ShippedCubins::open(f.dir);
  REQUIRE(shipped->entries().size() == 2);
  const rt::VariantSource v = rt::variant_source(k, c90, {}, "sm_90a", "");
  const rt::ShippedEntry* e = shipped->find(rt::shipped_key(v.global_function, "sm_90a", v.symbol));
  REQUIRE(e != nullptr);
  CHECK(e->file == "generic.cubin");
  CHECK(e->config == c90.to_json());
  CHECK(shipped->find(rt::shipped_key(v.global_function, "sm_80", v.symbol)) == nullptr);

  rt::KernelOptions o;
  o.arch = "sm_90a";
  o.cubin_dir = f.dir;
  const rt::Kernel kernel(k, o);
  // Specialized keys (aligned, unit strides, divisible rows) run the generic cubin of their config.
  CHECK(kernel.shipped_cubin_for(rows(64, 512)) == f.dir / "generic.cubin");
  CHECK(kernel.shipped_cubin_for(rows(33, 1000)) == f.dir / "generic.cubin");
  // Rows beyond the config's full_extent: the looped variant's cubin.
  REQUIRE(c90.full_extent < 100000);
  CHECK(kernel.shipped_cubin_for(rows(8, 100000)) == f.dir / "looped.cubin");

  // Another arch, another config: not shipped, so the launch compiles with NVRTC.
  rt::KernelOptions o80 = o;
  o80.arch = "sm_80";
  CHECK_FALSE(rt::Kernel(k, o80).shipped_cubin_for(rows(64, 512)));
  rt::KernelOptions other = o;
  other.config = c90;
  other.config->num_warps = c90.num_warps == 4 ? 8 : 4;
  CHECK_FALSE(rt::Kernel(k, other).shipped_cubin_for(rows(64, 512)));
  // No folder: nothing shipped.
  rt::KernelOptions none;
  none.arch = "sm_90a";
  if (!std::getenv("TILECC_CUBIN_DIR")) CHECK_FALSE(rt::Kernel(k, none).shipped_cubin_for(rows(64, 512)));
}

TEST_CASE("a damaged or missing shipped-cubin index is refused with the file named", "[runtime][shipped]") {
  const ir::Kernel k = softmax_f32();
  Folder f;
  rt::KernelOptions o;
  o.arch = "sm_90a";
  o.cubin_dir = f.dir;
  CHECK_THROWS_WITH(rt::Kernel(k, o), Catch::Contains("cannot read") && Catch::Contains("index.json"));
  f.write("index.json", R"({"format": "tilecc-cubins-v1", "entries": [{"key": "k"}]})");
  CHECK_THROWS_WITH(rt::Kernel(k, o), Catch::Contains("index.json") && Catch::Contains("not a shipped-cubin index"));
  f.write("index.json", R"({"format": "tilecc-cubins-v9", "entries": []})");
  CHECK_THROWS_WITH(rt::Kernel(k, o), Catch::Contains("tilecc-cubins-v9"));
  f.write("index.json", R"({"format": "tilecc-cubins-v1", "entries": [{"key": "k", "kernel": "s", "arch": "sm_80",
    "config": "{}", "looped": false, "symbol": "s", "file": "../elsewhere.cubin"}]})");
  CHECK_THROWS_WITH(rt::Kernel(k, o), Catch::Contains("must be a name in the folder"));
}

TEST_CASE("translate's shipped cubins are the ones the runtime's launches look up", "[runtime][shipped][nvrtc]") {
  const ir::Kernel k = softmax_f32();
  Folder f;
  const config::Config c = config::default_config(k, "sm_80");
  std::vector<rt::ShippedEntry> written;
  try {
    written = rt::ship_variant(k, c, "sm_80", f.dir, TILECC_TEST_TEMPLATES_DIR);
  } catch (const rt::CompileError& e) {
    WARN("no NVRTC here, shipping not checked: " << e.what());
    return;
  }
  REQUIRE(written.size() == 2);  // the generic kernel and its looped variant
  CHECK_FALSE(written[0].looped);
  CHECK(written[1].looped);
  for (const rt::ShippedEntry& e : written) CHECK(std::filesystem::file_size(f.dir / e.file) > 1000);
  rt::KernelOptions o;
  o.arch = "sm_80";
  o.cubin_dir = f.dir;
  const rt::Kernel kernel(k, o);
  CHECK(kernel.shipped_cubin_for(rows(64, 512)) == f.dir / written[0].file);
  CHECK(kernel.shipped_cubin_for(rows(8, 100000)) == f.dir / written[1].file);
  // Shipping another arch into the same folder keeps the entries there.
  rt::ship_variant(k, config::default_config(k, "sm_90a"), "sm_90a", f.dir, TILECC_TEST_TEMPLATES_DIR);
  CHECK(rt::ShippedCubins::open(f.dir)->entries().size() == 4);
  CHECK(kernel.shipped_cubin_for(rows(64, 512)) == f.dir / written[0].file);
}
