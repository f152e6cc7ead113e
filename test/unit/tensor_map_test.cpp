// Tensor maps of dot operands (config dot_operand_load "tma"): what the host asks the driver's
// cuTensorMapEncodeTiled for (include/tilecc/tma_map.hpp, through a recording stand-in), which
// views it refuses before asking, the cache, the launch plan's tensor-map parameters of a
// lowered matmul and their packing after the kernel's own arguments.
#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "include/tilecc/tma_map.hpp"
#include "translator/config/config.hpp"
#include "translator/ir/serialize.hpp"
#include "translator/launch/arg_pack.hpp"
#include "translator/launch/launch_plan.hpp"
#include "translator/passes/pipeline.hpp"

namespace ir = tilecc::ir;
namespace config = tilecc::config;
namespace launch = tilecc::launch;
namespace tma_map = tilecc::tma_map;

namespace {

// The last call of the stand-in driver function, and what it answers.
struct Call {
  int calls = 0, dtype = -1, interleave = -1, swizzle = -1, l2 = -1, oob = -1;
  std::uint32_t rank = 0;
  const void* base = nullptr;
  std::uint64_t dims[2] = {}, strides[1] = {};
  std::uint32_t box[2] = {}, element_strides[2] = {};
  int answer = 0;
} last;

int fake_encode(void* map, int dtype, std::uint32_t rank, void* base, const std::uint64_t* dims,
                const std::uint64_t* strides, const std::uint32_t* box, const std::uint32_t* element_strides,
                int interleave, int swizzle, int l2, int oob) {
  ++last.calls;
  last.dtype = dtype;
  last.rank = rank;
  last.base = base;
  std::memcpy(last.dims, dims, sizeof last.dims);
  std::memcpy(last.strides, strides, sizeof last.strides);
  std::memcpy(last.box, box, sizeof last.box);
  std::memcpy(last.element_strides, element_strides, sizeof last.element_strides);
  last.interleave = interleave;
  last.swizzle = swizzle;
  last.l2 = l2;
  last.oob = oob;
  std::memset(map, 0xab, 128);  // the driver writes the whole opaque map
  return last.answer;
}

alignas(256) unsigned char device_memory[1 << 12];  // only addresses are looked at

tma_map::Request operand(std::int64_t rows, std::int64_t cols, std::uint32_t box_rows) {
  tma_map::Request r;
  r.base = device_memory;
  r.rows = rows;
  r.cols = cols;
  r.row_stride = cols;
  r.elem_bytes = 2;
  r.dtype = tma_map::dtype_bf16;
  r.box_rows = box_rows;
  r.box_cols = 64;
  return r;
}

ir::Kernel matmul_bf16() {
  std::ifstream in(std::string(TILECC_TEST_DATA_DIR) + "/ir/matmul.json");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  for (const ir::Kernel& k : ir::deserialize(ss.str()).kernels)
    if (k.instance == "tilecc::bf16") return k;
  FAIL("no matmul<tilecc::bf16> in the fixture");
  return {};
}

ir::Kernel lowered_matmul(const std::string& json, const std::string& arch = "sm_90a") {
  const ir::Kernel k = matmul_bf16();
  return tilecc::passes::lower(k, config::parse_config(json, k), {arch});
}

}  // namespace

TEST_CASE("a 2-D operand map: dims and strides innermost first, 128-byte swizzle, zero fill") {
  last = {};
  const tma_map::Request r = operand(4000, 1000, 128);
  const tilecc::TensorMapParam p = tma_map::encode(fake_encode, r);
  REQUIRE(last.calls == 1);
  CHECK(p.valid == 1);
  CHECK(p.map[15] == 0xababababababababull);
  CHECK(last.dtype == 9);  // CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
  CHECK(last.rank == 2);
  CHECK(last.base == device_memory);
  CHECK(last.dims[0] == 1000);
  CHECK(last.dims[1] == 4000);
  CHECK(last.strides[0] == 2000);  // bytes between rows
  CHECK(last.box[0] == 64);
  CHECK(last.box[1] == 128);
  CHECK(last.element_strides[0] == 1);
  CHECK(last.element_strides[1] == 1);
  CHECK(last.interleave == 0);
  CHECK(last.swizzle == 3);  // CU_TENSOR_MAP_SWIZZLE_128B: what wgmma_desc_sw128 reads
  CHECK(last.oob == 0);      // out-of-bounds elements read as zeros, not NaN
  CHECK(p.rows == 4000);
  CHECK(p.cols == 1000);
  CHECK(sizeof(tilecc::TensorMapParam) == 192);
  CHECK(offsetof(tilecc::TensorMapParam, valid) == 128);
}

TEST_CASE("views a map cannot describe are invalid without a driver call") {
  last = {};
  tma_map::Request misaligned = operand(64, 64, 64);
  misaligned.base = device_memory + 2;
  tma_map::Request odd_stride = operand(64, 1001, 64);  // 2002-byte rows
  tma_map::Request strided = operand(64, 64, 64);
  strided.col_stride = 2;
  tma_map::Request wide_box = operand(64, 64, 64);
  wide_box.box_cols = 128;  // 256 bytes: more than a 128-byte swizzle row
  tma_map::Request tall_box = operand(512, 64, 512);
  tma_map::Request empty = operand(0, 64, 64);
  for (const tma_map::Request& r : {misaligned, odd_stride, strided, wide_box, tall_box, empty}) {
    CHECK_FALSE(tma_map::encodable(r));
    CHECK(tma_map::encode(fake_encode, r).valid == 0);
  }
  CHECK(last.calls == 0);
  CHECK(tma_map::encode(nullptr, operand(64, 64, 64)).valid == 0);  // a driver without the function
}

TEST_CASE("a map the driver refuses is invalid and zeroed") {
  last = {};
  last.answer = 1;  // CUDA_ERROR_INVALID_VALUE
  const tilecc::TensorMapParam p = tma_map::encode(fake_encode, operand(64, 64, 64));
  CHECK(last.calls == 1);
  CHECK(p.valid == 0);
  CHECK(p.map[0] == 0);
  CHECK(p.cols == 0);  // no extents either: the kernel's check fails on both
  last.answer = 0;
}

TEST_CASE("the cache encodes each (pointer, shape, strides, box) once") {
  last = {};
  tma_map::Cache cache;
  const tma_map::Request a = operand(256, 256, 128);
  tma_map::Request b = a;
  b.box_rows = 64;
  tma_map::Request c = a;
  c.base = device_memory + 256;
  CHECK(cache.get(fake_encode, a).valid == 1);
  CHECK(cache.get(fake_encode, a).valid == 1);
  CHECK(cache.encoded() == 1);
  cache.get(fake_encode, b);
  cache.get(fake_encode, c);
  cache.get(fake_encode, a);
  CHECK(cache.encoded() == 3);
  CHECK(last.calls == 3);
  for (int i = 0; i < 20; ++i) {  // more than it holds: the oldest are encoded again
    tma_map::Request r = a;
    r.rows = 1 + i;
    cache.get(fake_encode, r);
  }
  cache.get(fake_encode, a);
  CHECK(cache.encoded() == 24);
}

TEST_CASE("a lowered matmul under dot_operand_load tma takes one map per operand") {
  const std::string base = R"({"block_sizes":[64,128,256],"num_warps":8,"dot_instruction":"wgmma")";
  const ir::Kernel k = lowered_matmul(base + R"(,"dot_operand_load":"tma"})");
  const std::vector<launch::TensorMapPacking> maps = launch::tensor_map_packing(k);
  REQUIRE(maps.size() == 2);
  CHECK(maps[0].param == 0);  // x in boxes of 128 rows x 64 k
  CHECK(maps[0].box_rows == 128);
  CHECK(maps[0].box_cols == 64);
  CHECK(maps[1].param == 1);  // y in boxes of 64 k x 64 columns
  CHECK(maps[1].box_rows == 64);
  CHECK(maps[1].box_cols == 64);
  CHECK(maps[1].dtype == ir::DType::bf16);
  CHECK(launch::tensor_map_packing(lowered_matmul(base + "}")).empty());
  // mma.sync k-loops have no tensor maps, whatever the knob says.
  CHECK(launch::tensor_map_packing(
            lowered_matmul(R"({"block_sizes":[32,128,128],"num_warps":4,"dot_operand_load":"tma"})", "sm_80"))
            .empty());
}

TEST_CASE("tensor maps are packed after the arguments, each from its tensor's view") {
  last = {};
  const std::int64_t x_sizes[2] = {1000, 4000}, x_strides[2] = {4000, 1};
  const std::int64_t y_sizes[2] = {4000, 3000}, y_strides[2] = {3001, 1};  // 6002-byte rows: no map
  const std::int64_t* sizes[2] = {x_sizes, y_sizes};
  const std::int64_t* strides[2] = {x_strides, y_strides};
  launch::HostEnv env;
  env.sizes = sizes;
  env.strides = strides;
  const std::uint64_t data[2] = {reinterpret_cast<std::uint64_t>(device_memory),
                                 reinterpret_cast<std::uint64_t>(device_memory + 1024)};
  const std::vector<launch::TensorMapPacking> maps = {{0, ir::DType::bf16, 128, 64}, {1, ir::DType::bf16, 64, 64}};
  launch::ArgPack pack;
  pack.push(std::int32_t{7});  // an argument before them
  tma_map::Cache cache;
  launch::pack_tensor_maps(maps, env, data, fake_encode, cache, pack);
  REQUIRE(pack.count() == 3);
  tilecc::TensorMapParam x, y;
  std::memcpy(&x, pack.arg(1), sizeof x);
  std::memcpy(&y, pack.arg(2), sizeof y);
  CHECK(x.valid == 1);
  CHECK(y.valid == 0);
  CHECK(last.calls == 1);
  CHECK(last.dims[0] == 4000);
  CHECK(last.dims[1] == 1000);
  CHECK(last.box[1] == 128);
  CHECK(pack.arg(1) - pack.arg(0) == 64);  // the map's 64-byte alignment, as the kernel lays it out
}
