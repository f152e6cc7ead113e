// The default translation's whole-row variants (launch/default_dispatch.hpp,
// config::default_config_for_rows): which configs a row kernel carries, which rows take which,
// and that other kernels keep one config. No GPU, no Clang.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "translator/config/config.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/launch/default_dispatch.hpp"

namespace ir = tilecc::ir;
namespace config = tilecc::config;
namespace launch = tilecc::launch;

namespace {

ir::Kernel kernel(const std::string& file, const std::string& instance) {
  std::ifstream in(std::filesystem::path(TILECC_TEST_DATA_DIR) / "ir" / file);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  for (const ir::Kernel& k : ir::deserialize(ss.str()).kernels)
    if (k.instance == instance) return k;
  FAIL("no " << instance << " kernel in " << file);
  return {};
}

/// Elements of a row a thread holds: rows per program x full_extent / threads.
std::int64_t per_thread(const config::Config& c) { return c.block_sizes.at(0) * c.full_extent / (32 * c.num_warps); }

}  // namespace

TEST_CASE("a row kernel's default fitted to longer rows: fewer rows, then more warps", "[default_dispatch]") {
  const ir::Kernel k = kernel("softmax.json", "tilecc::bf16");
  const config::Config base = config::default_config(k, "sm_90a");
  CHECK(config::default_config_for_rows(k, "sm_90a", 1000).to_json() == base.to_json());
  const config::Config c4k = config::default_config_for_rows(k, "sm_90a", 4000);
  CHECK(c4k.full_extent == 4096);
  CHECK(c4k.block_sizes.at(0) == 2);
  CHECK(c4k.num_warps == base.num_warps);
  const config::Config c16k = config::default_config_for_rows(k, "sm_90a", 16384);
  CHECK(c16k.full_extent == 16384);
  CHECK(c16k.block_sizes.at(0) == 1);
  CHECK(c16k.num_warps == 16);
  for (const std::int64_t rows : {1024, 2048, 4096, 8192, 16384, 32768})
    CHECK(per_thread(config::default_config_for_rows(k, "sm_90a", rows)) <= 32);
  // At most 1024 threads: beyond, a thread holds more.
  CHECK(config::default_config_for_rows(k, "sm_90a", 1 << 20).num_warps == 32);
}

TEST_CASE("the default launcher of a row kernel picks the variant holding its rows whole", "[default_dispatch]") {
  const ir::Kernel k = kernel("softmax.json", "tilecc::bf16");
  const auto d = launch::default_dispatch(k, "sm_90a");
  REQUIRE(d);
  CHECK(d->features == std::vector<std::string>{"out.size(1)", "x.size(1)"});
  REQUIRE(d->configs.size() == 2);
  CHECK(d->configs[0].config.full_extent == 4096);
  CHECK(d->configs[1].config.full_extent == 16384);
  auto runs = [&](std::int64_t cols) {
    const int r = d->row_for({cols, cols});
    return r < 0 ? -2 : d->rows[static_cast<std::size_t>(r)].config;
  };
  CHECK(runs(1) == -1);
  CHECK(runs(1024) == -1);
  CHECK(runs(1025) == 0);
  CHECK(runs(4096) == 0);
  CHECK(runs(4097) == 1);
  CHECK(runs(16384) == 1);
  CHECK(runs(16385) == -2);  // no row: the default, looped
  // The runtime's choice is the same table's.
  CHECK(launch::default_config_for_extents(k, "sm_90a", {3000, 3000}).full_extent == 4096);
  CHECK(launch::default_config_for_extents(k, "sm_90a", {100003}).full_extent == 1024);
  CHECK(launch::default_config_for_extents(k, "sm_90a", {}).full_extent == 1024);
}

TEST_CASE("kernels that are not row kernels keep the one default", "[default_dispatch]") {
  const ir::Kernel k = kernel("matmul.json", "tilecc::bf16");
  CHECK_FALSE(launch::default_dispatch(k, "sm_90a"));
  CHECK(config::default_row_extents(k).empty());
  // Fitting sets full_extent alone.
  const config::Config c = config::default_config_for_rows(k, "sm_90a", 5000);
  config::Config want = config::default_config(k, "sm_90a");
  want.full_extent = 8192;
  CHECK(c.to_json() == want.to_json());
}

TEST_CASE("a given config keeps its fields when fitted to longer rows, and a looped kernel needs no fits",
          "[default_dispatch]") {
  const ir::Kernel k = kernel("softmax.json", "tilecc::bf16");
  config::Config given = config::default_config(k, "sm_90a");
  given.pid = config::Pid::PersistentInterleaved;
  given.programs_per_sm = 1;
  const config::Config fitted = config::config_for_rows(k, given, 5000);
  CHECK(fitted.full_extent == 8192);
  CHECK(fitted.pid == config::Pid::PersistentInterleaved);
  CHECK(fitted.programs_per_sm == 1);
  CHECK(per_thread(fitted) <= 32);
  // softmax walks longer rows in chunks (its looped variant): the given config alone runs them.
  CHECK_FALSE(launch::configured_dispatch(k, given));
}
