// templates/tilecc/sizing.hpp from plain C++ (no CUDA): the device library's shared-memory and
// staging formulas on a few shapes, against values worked out by hand in the comments.
#include <catch2/catch.hpp>

#include "templates/tilecc/sizing.hpp"

namespace sz = tilecc::sizing;

// Everything is usable in constant expressions on the host.
static_assert(sz::dot_loop_mma_bytes(64, 32, 64) == 19456);
static_assert(sz::tma_stage_bytes(16, 64, 2) == 2320);

TEST_CASE("SIMT dot staging and its k step", "[sizing]") {
  // a: 32 * 17 = 544 floats (a multiple of 4), b: 16 rows of 32 + 4: (544 + 576) * 4.
  CHECK(sz::dot_simt_bytes(4, 32, 16, 32) == 4480);
  // bk 128: (64 * 129 + 128 * 68) * 4 = 67840 > 48 KB; bk 64: (64 * 65 + 64 * 68) * 4 = 34048.
  CHECK(sz::dot_simt_bytes(4, 64, 128, 64) == 67840);
  CHECK(sz::simt_k_step(4, 64, 128, 64) == 64);
  CHECK(sz::simt_k_step(4, 16, 32, 16) == 32);
  CHECK(sz::round_up(13, 4) == 16);
}

TEST_CASE("mma.sync staging of dot and dot_loop", "[sizing]") {
  // 64 x 32 x 64: a stage is 64 * 40 + 32 * 72 = 4864 halves; two stages, 19456 bytes, fit;
  // the products (64 rows of 68 floats, 17408 bytes) fit in that in one round.
  CHECK(sz::mma_stage_elems(64, 32, 64) == 4864);
  CHECK(sz::dot_loop_mma_stages(64, 32, 64) == 2);
  CHECK(sz::dot_loop_mma_out_rows(64, 32, 64) == 64);
  CHECK(sz::dot_loop_mma_bytes(64, 32, 64) == 19456);
  // dot's one stage is 9728 bytes; the products then go back in rounds of 32 rows (8704).
  CHECK(sz::dot_mma_bytes(64, 32, 64) == 9728);
  // 128 x 64 x 128: 128 * 72 + 64 * 136 = 17920 halves; two stages (71680) do not fit, one is
  // 35840; products in rounds of 64 rows of 132 floats (33792).
  CHECK(sz::dot_loop_mma_stages(128, 64, 128) == 1);
  CHECK(sz::dot_loop_mma_out_rows(128, 64, 128) == 64);
  CHECK(sz::dot_loop_mma_bytes(128, 64, 128) == 35840);
  CHECK(sz::mma_k_step(128, 64, 128) == 64);
  // 256 x 64 x 128: one stage is (256 * 72 + 64 * 136) * 2 = 54272 > 48 KB, so k halves to 32:
  // (256 * 40 + 32 * 136) * 2 = 29184, products in rounds of 32 rows (16896).
  CHECK(sz::dot_loop_mma_bytes(256, 64, 128) == 54272);
  CHECK(sz::mma_k_step(256, 64, 128) == 32);
  CHECK(sz::dot_loop_mma_bytes(256, 32, 128) == 29184);
  CHECK(sz::mma_out_rows(256, 128, 29184) == 32);
}

TEST_CASE("cp.async pipeline shape, stages and bytes", "[sizing]") {
  // 4 warps over 128 x 128: 1 x 4 costs 8 + 2, 2 x 2 costs 4 + 4, 4 x 1 costs 2 + 8.
  CHECK(sz::pipeline_warps_m(128, 128, 4) == 2);
  CHECK(sz::pipeline_shape(128, 32, 128, 128));
  CHECK(sz::pipeline_shape(64, 32, 64, 128));
  CHECK_FALSE(sz::pipeline_shape(64, 16, 64, 128));   // bk not a multiple of 32
  CHECK_FALSE(sz::pipeline_shape(96, 32, 64, 128));   // rows not a multiple of 64
  CHECK_FALSE(sz::pipeline_shape(256, 32, 256, 128)); // 512 accumulators a thread whatever the grid
  // (128 * 32 + 32 * 128) * 2 = 16384 bytes a stage: 3 fit in 48 KB, 4 asked for do not.
  CHECK(sz::pipeline_stage_bytes(128, 32, 128) == 16384);
  CHECK(sz::pipeline_stages(128, 32, 128, 0, sz::static_shared_limit) == 3);
  CHECK(sz::pipeline_bytes(128, 32, 128, 0, sz::static_shared_limit) == 49152);
  CHECK(sz::pipeline_stages(128, 32, 128, 2, sz::static_shared_limit) == 2);
  CHECK(sz::pipeline_stages(128, 32, 128, 4, sz::static_shared_limit) == 0);
  CHECK(sz::pipeline_stages(128, 32, 128, 4, 227 * 1024) == 4);
  CHECK(sz::pipeline_stages(128, 32, 128, 0, 227 * 1024) == 4); // at most 4
  // 128 x 64 x 256: 49152 bytes a stage, one fits in 48 KB: no pipeline.
  CHECK(sz::pipeline_stages(128, 64, 256, 0, sz::static_shared_limit) == 0);
  CHECK(sz::pipeline_bytes(128, 64, 256, 0, sz::static_shared_limit) == 0);
}

TEST_CASE("wgmma grid, stages and dynamic shared bytes", "[sizing]") {
  CHECK(sz::wgmma_bk == 64);
  CHECK(sz::wgmma_groups(256) == 2);
  CHECK(sz::wgmma_groups(96) == 0);
  CHECK(sz::wgmma_m_tiles(128, 128) == 2);
  CHECK(sz::wgmma_m_tiles(128, 256) == 1);
  CHECK(sz::wgmma_grid_ok(128, 128, 128));       // 2 m64 tiles, 128 accumulators a thread
  CHECK(sz::wgmma_grid_ok(128, 256, 256));       // 1 m64 tile per warpgroup, 128 accumulators
  CHECK_FALSE(sz::wgmma_grid_ok(128, 256, 128)); // 2 x 256 / 2 = 256 accumulators a thread
  CHECK_FALSE(sz::wgmma_grid_ok(128, 96, 128));  // n must be 64, 128 or 256
  CHECK_FALSE(sz::wgmma_grid_ok(256, 64, 128));  // 4 m64 tiles for one warpgroup
  CHECK_FALSE(sz::wgmma_grid_ok(128, 128, 96));  // not whole warpgroups
  // (128 + 128) * 64 * 2 = 32768 bytes a stage; (227 KB - 1024) / 32768 = 7 fit.
  const long long limit = 227 * 1024;
  CHECK(sz::wgmma_stage_bytes(128, 128) == 32768);
  CHECK(sz::wgmma_stages(128, 128, 0, limit) == 4);
  CHECK(sz::wgmma_bytes(128, 128, 0, limit) == 4 * 32768 + 1024);
  CHECK(sz::wgmma_stages(128, 128, 6, limit) == 6);
  CHECK(sz::wgmma_bytes(128, 128, 6, limit) == 197632);
  CHECK(sz::wgmma_stages(128, 128, 8, limit) == 0);
}

TEST_CASE("TMA stages and the reduction scratch", "[sizing]") {
  // 16 rows of 64 bf16: 128 + 16 bytes a row, then the mbarrier rounded to 16.
  CHECK(sz::tma_pitch(64, 2) == 144);
  CHECK(sz::tma_stage_bytes(16, 64, 2) == 16 * 144 + 16);
  CHECK(sz::tma_stage_bytes(8, 64, 4) == 2192);
  CHECK(sz::tma_stage_bytes(1, 256, 8) == 2080);
  CHECK(sz::reduce_scratch_bytes(256) == 4096);
  CHECK(sz::reduce_scratch_bytes(128) == 2048);
}
