// The device template library (templates/tilecc/device.cuh) compiles with NVRTC, as generated
// code will use it: every primitive instantiated for f32, bf16 and f16 over a few layouts, for
// each supported architecture and language standard, with no -default-device.
#include <catch2/catch.hpp>

#include <nvrtc.h>

#include "test/support/nvrtc_compile.hpp"

#include <string>
#include <vector>

namespace {

using Compiled = tilecc::test::NvrtcOutput;

Compiled compile(const std::string &source, const std::vector<std::string> &options) {
  return tilecc::test::nvrtc_compile(source, options, "templates_test.cu");
}

// One device function that touches every primitive, instantiated per element type and layout.
constexpr const char *kExercise = R"(
#include <tilecc/device.cuh>
namespace dev = tilecc::dev;

template <class T, class L, int R, int C, int K>
__device__ void exercise(const T* x, const int* index, T* y, float* z, long long* w,
                         long long stride, int rows, int cols) {
  using Tile = dev::Frag<T, R, C, L>;
  static_assert(dev::is_same_v<dev::compute_t<T>, float>, "compute type");

  // Creation, program ids.
  const long long pid = dev::program_id(0) + dev::program_id(1) + dev::program_id(2);
  auto zeros = dev::full<float, R, C, L>(0.0f, rows, cols);
  auto col_ids = dev::arange_cols<long long, 1, C, L>(pid * C, cols);
  auto row_ids = dev::arange_rows<int, R, 1, L>(0, rows);

  // Memory: plain, strided, replicated, gathered.
  Tile t;
  dev::load(t, x, stride, 1, rows, cols);
  dev::Frag<float, 1, 2 * C, L> wide;
  dev::load(wide, x, 0, 1, 1, cols);
  dev::Frag<float, R, 1, L> column;
  dev::load(column, x, stride, 0, rows, 1);
  dev::Frag<int, R, 1, L> idx;
  dev::load(idx, index, 1, 0, rows, 1);
  Tile gathered;
  dev::load_gather_rows(gathered, x, idx, stride, 1, cols);
  dev::Frag<T, R, C, L> transposed;
  dev::load(transposed, x, 1, stride, rows, cols);

  // Elementwise: binary with every broadcast, scalars, comparisons, logic, unary, where, cast.
  auto s0 = dev::add<float>(t, column);
  auto s1 = dev::sub<T>(s0, col_ids);
  auto s2 = dev::mul<float>(s1, 0.5f);
  auto s3 = dev::div<float>(2.0f, s2);
  auto s4 = dev::maximum<T>(s3, gathered);
  auto s5 = dev::minimum<float>(s4, row_ids);
  auto s6 = dev::pow<float>(s5, transposed);
  auto m0 = dev::lt(s6, t);
  auto m1 = dev::le(s6, 1.0f);
  auto m2 = dev::gt(t, column);
  auto m3 = dev::ge(col_ids, row_ids);
  auto m4 = dev::eq(t, gathered);
  auto m5 = dev::ne(t, 0);
  auto m6 = dev::logical_or(dev::logical_and(m0, m1), dev::logical_not(m2));
  auto m7 = dev::logical_and(dev::logical_or(m3, m4), m5);
  auto u = dev::neg<float>(s6);
  u = dev::exp<float>(u);
  u = dev::exp2<float>(u);
  u = dev::log<float>(u);
  u = dev::sqrt<float>(u);
  u = dev::rsqrt<float>(u);
  u = dev::tanh<float>(u);
  u = dev::sigmoid<float>(u);
  u = dev::erf<float>(u);
  u = dev::abs<float>(u);
  auto h = dev::exp<T>(t);
  auto picked = dev::where<T>(m6, u, h);
  auto picked2 = dev::where<float>(m7, picked, -1.0f);
  auto as_int = dev::cast<int>(picked2);
  auto back = dev::cast<T>(as_int);
  static_assert(dev::is_same_v<decltype(back), Tile>, "cast keeps the shape");
  dev::store(y, back, stride, 1);
  dev::store(y, dev::cast<T>(wide), 0, 1);

  // Reductions over both dims.
  auto r0 = dev::reduce_sum_cols<float>(t);
  auto r1 = dev::reduce_max_cols<T>(s4);
  auto r2 = dev::reduce_min_cols<float>(u);
  auto r3 = dev::reduce_mean_cols<float>(h);
  auto r4 = dev::reduce_argmax_cols(t);
  auto r5 = dev::reduce_argmin_cols<long long>(wide);
  auto c0 = dev::reduce_sum_rows<float>(t);
  auto c1 = dev::reduce_max_rows<float>(picked);
  auto c2 = dev::reduce_min_rows<T>(t);
  auto c3 = dev::reduce_mean_rows<float>(s6);
  auto c4 = dev::reduce_argmax_rows(h);
  auto c5 = dev::reduce_argmin_rows(column);
  auto total = dev::add<float>(dev::add<float>(r0, r1), dev::add<float>(r2, r3));
  auto totals = dev::add<float>(dev::add<float>(c0, c1), dev::add<float>(c2, c3));
  dev::store(z, total, 1, 0);
  dev::store(z + R, totals, 0, 1);
  dev::store(w, dev::add<long long>(r4, r5), 1, 0);
  dev::store(w + R, dev::add<long long>(c4, c5), 0, 1);

  // dot: tensor cores where the types allow, SIMT otherwise.
  dev::Frag<T, K, C, L> b;
  dev::load(b, x, stride, 1, K, cols);
  dev::Frag<T, R, K, L> a;
  dev::load(a, x, stride, 1, rows, K);
  auto acc = zeros;
  dev::dot(acc, a, b);
  dev::Frag<float, R, K, L> af = dev::cast<float>(a);
  dev::dot(acc, af, b);
  dev::dot_loop<K>(acc, x, stride, 1, x, stride, 1, 0, 3 * K + 5, rows, cols);
  dev::store(z, acc, stride, 1);
  z[threadIdx.x] = dev::scalar_exp<float>(z[0]) + dev::scalar_maximum<float>(z[1], x[2]) +
                   dev::convert<float>(dev::scalar_pow<T>(x[3], 2.0f));

  // Atomics into every element type.
  dev::atomic_add(z, acc, stride, 1);
  dev::atomic_add(y, t, stride, 1);
  dev::atomic_add(w, as_int, stride, 1);
}

#define TILECC_EXERCISE(name, T, L, R, C, K)                                                   \
  extern "C" __global__ void __launch_bounds__(L::threads)                                         \
      name(const T* x, const int* index, T* y, float* z, long long* w, long long stride,          \
           int rows, int cols) {                                                                  \
    exercise<T, L, R, C, K>(x, index, y, z, w, stride, rows, cols);                                \
  }

// Tiles of 16 x 64 (K 32) over rows of 16 and 64 threads, 64 x 8 (K 16) over one column.
using L128x16 = dev::Layout<128, 16>;
using L256x64 = dev::Layout<256, 64>;
using L64x1 = dev::Layout<64, 1>;
TILECC_EXERCISE(exercise_f32_128x16, float, L128x16, 16, 64, 32)
TILECC_EXERCISE(exercise_bf16_256x64, __nv_bfloat16, L256x64, 16, 64, 32)
TILECC_EXERCISE(exercise_f16_128x16, __half, L128x16, 16, 64, 32)
TILECC_EXERCISE(exercise_bf16_64x1, __nv_bfloat16, L64x1, 64, 8, 16)

// Conversions among all element types of generated code.
template <class To, class From> __device__ void convert_all(const From* in, To* out) {
  out[threadIdx.x] = dev::convert<To>(in[threadIdx.x]);
}
#define TILECC_CONVERT_FROM(From)                                                                 \
  template __device__ void convert_all<float, From>(const From*, float*);                         \
  template __device__ void convert_all<double, From>(const From*, double*);                       \
  template __device__ void convert_all<__half, From>(const From*, __half*);                       \
  template __device__ void convert_all<__nv_bfloat16, From>(const From*, __nv_bfloat16*);         \
  template __device__ void convert_all<signed char, From>(const From*, signed char*);             \
  template __device__ void convert_all<int, From>(const From*, int*);                             \
  template __device__ void convert_all<long long, From>(const From*, long long*);                 \
  template __device__ void convert_all<bool, From>(const From*, bool*);
TILECC_CONVERT_FROM(float)
TILECC_CONVERT_FROM(double)
TILECC_CONVERT_FROM(__half)
TILECC_CONVERT_FROM(__nv_bfloat16)
TILECC_CONVERT_FROM(signed char)
TILECC_CONVERT_FROM(int)
TILECC_CONVERT_FROM(long long)
TILECC_CONVERT_FROM(bool)

// The rounding, smooth, bit, remainder, fma and random ops on fragments and plain values, and
// the 8-bit element types (u8, fp8) converted both ways.
template <class L>
__device__ void exercise_math(const float* x, const int* bits, float* y, int* z, long long seed) {
  dev::Frag<float, 16, 64, L> t;
  dev::load(t, x, 64, 1, 16, 64);
  dev::Frag<int, 16, 64, L> b;
  dev::load(b, bits, 64, 1, 16, 64);
  auto f = dev::add<float>(dev::floor<float>(t), dev::ceil<float>(t));
  f = dev::add<float>(f, dev::round<float>(dev::trunc<float>(t)));
  f = dev::add<float>(f, dev::sign<float>(dev::log1p<float>(dev::expm1<float>(t))));
  f = dev::fma<float>(dev::sin<float>(f), dev::cos<float>(t), 1.0f);
  f = dev::add<float>(dev::rem<float>(f, t), dev::rand<float>(seed, b));
  f = dev::add<float>(f, dev::randn<float>(seed, dev::arange_cols<long long, 1, 64, L>(seed, 64)));
  dev::store(y, f, 64, 1);
  auto i = dev::bit_xor<int>(dev::bit_and<int>(b, 255), dev::bit_or<int>(b, 3));
  i = dev::shr<int>(dev::shl<int>(dev::bit_not<int>(i), 2), 1);
  i = dev::rem<int>(i, dev::add<int>(b, 1));
  dev::store(z, dev::floor<int>(i), 64, 1);
  y[threadIdx.x] += dev::scalar_floor<float>(x[0]) + dev::scalar_fma<float>(x[1], x[2], x[3]) +
                    dev::scalar_rand<float>(seed, 5) + dev::scalar_rem<float>(x[4], x[5]) +
                    float(dev::scalar_shl<long long>(bits[0], 3) + dev::scalar_bit_not<int>(bits[1]));
  auto e4 = dev::cast<__nv_fp8_e4m3>(t);
  auto e5 = dev::cast<__nv_fp8_e5m2>(t);
  auto u8 = dev::cast<unsigned char>(b);
  dev::store(y, dev::add<float>(dev::cast<float>(e4), dev::cast<float>(e5)), 64, 1);
  dev::store(z, dev::add<int>(dev::cast<int>(u8), dev::cast<int>(e4)), 64, 1);
}
extern "C" __global__ void __launch_bounds__(256) exercise_math_256x64(const float* x, const int* bits, float* y,
                                                                       int* z, long long seed) {
  exercise_math<dev::Layout<256, 64>>(x, bits, y, z, seed);
}
TILECC_CONVERT_FROM(unsigned char)
TILECC_CONVERT_FROM(__nv_fp8_e4m3)
TILECC_CONVERT_FROM(__nv_fp8_e5m2)
template __device__ void convert_all<unsigned char, float>(const float*, unsigned char*);
template __device__ void convert_all<__nv_fp8_e4m3, float>(const float*, __nv_fp8_e4m3*);
template __device__ void convert_all<__nv_fp8_e5m2, double>(const double*, __nv_fp8_e5m2*);
template __device__ void convert_all<__nv_fp8_e4m3, __nv_bfloat16>(const __nv_bfloat16*, __nv_fp8_e4m3*);
template __device__ void convert_all<__nv_fp8_e5m2, int>(const int*, __nv_fp8_e5m2*);
)";

} // namespace

TEST_CASE("The device template library compiles with NVRTC for sm_80 and sm_90a", "[nvrtc]") {
  // Each pairing takes NVRTC ~10 s here; both standards and both archs are covered once.
  const auto [arch, standard] =
      GENERATE(table<std::string, std::string>({{"sm_80", "c++17"}, {"sm_90a", "c++20"}}));
  const Compiled result = compile(kExercise, {"-arch=" + arch, "--std=" + standard,
                                              std::string("-I") + TILECC_TEMPLATES_DIR,
                                              std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
  INFO(arch << " " << standard << ":\n" << result.log);
  REQUIRE(result.status == NVRTC_SUCCESS);
  CHECK(result.cubin.size() > 4);
}

TEST_CASE("A misuse of the device template library is a compile error with a message", "[nvrtc]") {
  const char *source = R"(
#include <tilecc/device.cuh>
using L = tilecc::dev::Layout<128, 16>;
extern "C" __global__ void k(float* y) {
  auto a = tilecc::dev::full<float, 16, 64, L>(1.0f, 16, 64);
  auto b = tilecc::dev::full<float, 8, 64, L>(1.0f, 8, 64);
  tilecc::dev::store(y, tilecc::dev::add<float>(a, b), 64, 1);
}
)";
  const Compiled result =
      compile(source, {"-arch=sm_80", "--std=c++17", std::string("-I") + TILECC_TEMPLATES_DIR,
                       std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
  INFO(result.log);
  CHECK(result.status == NVRTC_ERROR_COMPILATION);
  CHECK_THAT(result.log, Catch::Contains("row extents must match or be 1"));
}

TEST_CASE("TMA loads and stores compile for sm_90a and are a compile error with a message before sm_90",
          "[nvrtc][tma]") {
  // Every element type, a tile with rows replicated (R == 1), hints and scalar-only accesses.
  const char *source = R"(
#include <tilecc/device.cuh>
namespace dev = tilecc::dev;
template <class S, int R, int C, class L>
__device__ void tma_both(const S* x, S* y, long long stride, int rows, int cols) {
  __shared__ dev::TmaStage<S, R, C> load_stage, store_stage;
  unsigned phase = 0;
  dev::tma_init<L>(load_stage);
  dev::tma_init<L>(store_stage);
  dev::Frag<dev::compute_t<S>, R, C, L> f;
  dev::load_tma<dev::LoadHint::none, true>(f, load_stage, phase, x, stride, 1, rows, cols);
  dev::load_tma<dev::LoadHint::evict_first, false>(f, load_stage, phase, x, stride, 2, rows, cols);
  dev::store_tma<dev::StoreHint::none, true>(store_stage, y, f, stride, 1);
  dev::store_tma<dev::StoreHint::cs, false>(store_stage, y, f, stride, 1);
}
using L = dev::Layout<128, 16>;
#define TILECC_TMA(S)                                                                        \
  extern "C" __global__ void tma_##S(const S* x, S* y, long long s, int r, int c) {          \
    tma_both<S, 8, 64, L>(x, y, s, r, c);                                                    \
    tma_both<S, 1, 256, L>(x, y, s, r, c);                                                   \
  }
using bf16 = __nv_bfloat16;
using i64 = long long;
TILECC_TMA(float)
TILECC_TMA(double)
TILECC_TMA(__half)
TILECC_TMA(bf16)
TILECC_TMA(int)
TILECC_TMA(i64)
)";
  const std::vector<std::string> includes = {std::string("-I") + TILECC_TEMPLATES_DIR,
                                             std::string("-I") + TILECC_CUDA_INCLUDE_DIR};
  std::vector<std::string> options = {"-arch=sm_90a", "--std=c++17"};
  options.insert(options.end(), includes.begin(), includes.end());
  const Compiled hopper = compile(source, options);
  INFO(hopper.log);
  REQUIRE(hopper.status == NVRTC_SUCCESS);
  CHECK(hopper.cubin.size() > 4);

  options[0] = "-arch=sm_80";
  const Compiled ampere = compile(source, options);
  INFO(ampere.log);
  CHECK(ampere.status == NVRTC_ERROR_COMPILATION);
  CHECK_THAT(ampere.log, Catch::Contains("TMA bulk copies need sm_90 or newer"));
}

TEST_CASE(
    "The access policy spelling of loads and stores compiles for every destination and row source",
    "[nvrtc][access]") {
  // Plain, hinted and scalar-only policies; a range of rows, gathered rows, a PackedBf16; TMA
  // stages on sm_90a. The old spellings forward to these, so both are instantiated side by side.
  const char *source = R"(
#include <tilecc/device.cuh>
namespace dev = tilecc::dev;
using dev::Access;
using dev::LoadHint;
using dev::StoreHint;
template <class S, int R, int C, class L>
__device__ void policies(const S* x, const int* index, S* y, long long stride, int rows, int cols) {
  dev::Frag<float, R, C, L> f;
  dev::load<Access<LoadHint::none>>(f, x, stride, 1, rows, cols);
  dev::load<Access<LoadHint::evict_first>>(f, x, stride, 1, rows, cols);
  dev::load<Access<LoadHint::cg, false>>(f, x, 1, stride, rows, cols);
  dev::Frag<int, R, 1, L> idx;
  dev::load<Access<LoadHint::none>>(idx, index, 1, 0, rows, 1);
  dev::load<Access<LoadHint::evict_last>>(f, x, idx, stride, 1, cols);
  dev::load_gather_rows_hinted<LoadHint::evict_last, true>(f, x, idx, stride, 1, cols);
  dev::store<Access<StoreHint::none>>(y, f, stride, 1);
  dev::store<Access<StoreHint::cs, false>>(y, f, stride, 1);
  dev::store_hinted<StoreHint::evict_first, true>(y, f, stride, 1);
  dev::atomic_add(y, f, stride, 1);
#if __CUDA_ARCH__ >= 900
  __shared__ dev::TmaStage<S, R, C> load_stage, store_stage;
  unsigned phase = 0;
  dev::tma_init<L>(load_stage);
  dev::tma_init<L>(store_stage);
  dev::load<Access<LoadHint::evict_first>>(f, x, stride, 1, rows, cols, load_stage, phase);
  dev::store<Access<StoreHint::cs, false>>(y, f, stride, 1, store_stage);
  dev::load_tma<LoadHint::none, true>(f, load_stage, phase, x, stride, 1, rows, cols);
  dev::store_tma<StoreHint::none, true>(store_stage, y, f, stride, 1);
#endif
}
using L = dev::Layout<128, 16>;
using bf16 = __nv_bfloat16;
extern "C" __global__ void policies_f32(const float* x, const int* i, float* y, long long s, int r, int c) {
  policies<float, 16, 64, L>(x, i, y, s, r, c);
  policies<float, 1, 256, L>(x, i, y, s, r, c);
}
extern "C" __global__ void policies_bf16(const bf16* x, const int* i, bf16* y, long long s, int r, int c) {
  policies<bf16, 16, 64, L>(x, i, y, s, r, c);
  dev::PackedBf16<16, 64, L> p;
  dev::load<Access<LoadHint::none>>(p, x, s, 1, r, c);
  dev::load<Access<LoadHint::cg, false>>(p, x, s, 1, r, c);
  dev::load_packed_hinted<LoadHint::evict_last, true>(p, x, s, 1, r, c);
  dev::store<Access<StoreHint::none>>(y, dev::cast<float>(p), s, 1);
}
)";
  for (const char *arch : {"sm_80", "sm_90a"}) {
    const Compiled result = compile(source, {std::string("-arch=") + arch, "--std=c++17",
                                             std::string("-I") + TILECC_TEMPLATES_DIR,
                                             std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
    INFO(arch << ":\n" << result.log);
    REQUIRE(result.status == NVRTC_SUCCESS);
    CHECK(result.cubin.size() > 4);
  }
}

TEST_CASE("A misused access policy is a compile error that says what the policy must be",
          "[nvrtc][access]") {
  const auto [call, message] = GENERATE(table<std::string, std::string>({
      {"dev::load<dev::Access<dev::StoreHint::cs>>(f, x, 64, 1, 16, 64);",
       "load<P>: P must be Access<LoadHint::..., Vec>"},
      {"dev::store<dev::Access<dev::LoadHint::cg>>(x, f, 64, 1);",
       "store<P>: P must be Access<StoreHint::..., Vec>"},
      {"dev::Access<3> policy; (void)policy;", "Hint is a LoadHint (for load) or a StoreHint"},
  }));
  const std::string source = R"(
#include <tilecc/device.cuh>
namespace dev = tilecc::dev;
using L = dev::Layout<128, 16>;
extern "C" __global__ void k(float* x) {
  dev::Frag<float, 16, 64, L> f;
  )" + call + R"(
}
)";
  const Compiled result =
      compile(source, {"-arch=sm_80", "--std=c++17", std::string("-I") + TILECC_TEMPLATES_DIR,
                       std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
  INFO(call << "\n" << result.log);
  CHECK(result.status == NVRTC_ERROR_COMPILATION);
  CHECK_THAT(result.log, Catch::Contains(message));
}

TEST_CASE("The device headers size shared memory as templates/tilecc/sizing.hpp says",
          "[nvrtc][sizing]") {
  // The device side of the formulas the host mirrors, at the shapes test/unit/sizing_test.cpp
  // checks by hand: the same numbers, and sizing.hpp evaluated by the device compiler agrees.
  const char *source = R"(
#include <tilecc/device.cuh>
#include <tilecc/sizing.hpp>
namespace dev = tilecc::dev;
namespace d = tilecc::dev::detail;
namespace sz = tilecc::sizing;
using bf16 = __nv_bfloat16;

static_assert(d::simt_k_step<float, 64, 128, 64>() == 64, "simt_k_step");
static_assert(d::dot_loop_mma_bytes<32, 64, 64>() == 19456, "dot_loop_mma_bytes");
static_assert(d::dot_loop_mma_bytes<64, 128, 128>() == 35840, "dot_loop_mma_bytes");
static_assert(d::dot_loop_mma_bytes<64, 256, 128>() == 54272, "dot_loop_mma_bytes");
static_assert(d::mma_k_step<64, 128, 128>() == 64, "mma_k_step");
static_assert(d::mma_k_step<64, 256, 128>() == 32, "mma_k_step");
static_assert(d::mma_out_rows<256, 128>(29184) == 32, "mma_out_rows");

static_assert(d::pipe_grid<128, 128, 4>::warps_m == 2 && d::pipe_grid<128, 128, 4>::ok, "pipe_grid");
static_assert(!d::pipe_grid<256, 256, 4>::ok, "pipe_grid");
static_assert(d::pipe_smem<128, 128, 32>::stages == 3 && d::pipe_smem<128, 128, 32>::bytes == 49152,
              "pipe_smem");
static_assert(d::pipe_smem<128, 128, 32, 4>::stages == 0, "pipe_smem");
static_assert(d::pipe_smem<128, 128, 32, 4, 227 * 1024>::stages == 4, "pipe_smem");
static_assert(d::dot_pipeline_eligible<float, 128, 32, 128, 128, bf16, bf16>, "eligible");
static_assert(d::dot_pipeline_eligible<float, 64, 32, 64, 128, __half, __half>, "eligible");
static_assert(!d::dot_pipeline_eligible<float, 64, 16, 64, 128, bf16, bf16>, "bk 16");
static_assert(!d::dot_pipeline_eligible<float, 128, 64, 256, 128, bf16, bf16>, "one stage fits");
static_assert(!d::dot_pipeline_eligible<float, 128, 32, 128, 128, float, float>, "f32 operands");

static_assert(d::wgmma_grid<128, 128, 128>::ok && d::wgmma_grid<128, 128, 128>::msub == 2, "wgmma_grid");
static_assert(d::wgmma_grid<128, 256, 256>::ok && !d::wgmma_grid<128, 256, 128>::ok, "wgmma_grid");
static_assert(d::wgmma_smem<128, 128, 0, 227 * 1024>::stages == 4, "wgmma_smem");
static_assert(d::wgmma_smem<128, 128, 0, 227 * 1024>::bytes == 4 * 32768 + 1024, "wgmma_smem");
static_assert(d::wgmma_smem<128, 128, 6, 227 * 1024>::bytes == 197632, "wgmma_smem");
static_assert(d::wgmma_smem<128, 128, 8, 227 * 1024>::stages == 0, "wgmma_smem");

static_assert(sizeof(dev::TmaStage<bf16, 16, 64>) == 2320, "TmaStage");
static_assert(sizeof(dev::TmaStage<float, 8, 64>) == 2192, "TmaStage");
static_assert(sizeof(dev::TmaStage<double, 1, 256>) == 2080, "TmaStage");
static_assert(sizeof(dev::TmaStage<bf16, 16, 64>) == sz::tma_stage_bytes(16, 64, sizeof(bf16)), "TmaStage");
static_assert(d::scratch_entries<256, float> * sizeof(float) == sz::reduce_scratch_bytes(256), "scratch");
static_assert(d::scratch_entries<128, double> * sizeof(double) == 2048, "scratch");

// sizing.hpp's functions are __device__ under NVRTC: usable in device code at run time too.
extern "C" __global__ void sizes(long long* out, int r, int k, int c) {
  out[0] = sz::dot_loop_mma_bytes(r, k, c);
  out[1] = sz::pipeline_bytes(r, k, c, 0, sz::static_shared_limit);
  out[2] = sz::wgmma_bytes(r, c, 0, 227 * 1024);
}
)";
  for (const char *arch : {"sm_80", "sm_90a"}) {
    const Compiled result = compile(source, {std::string("-arch=") + arch, "--std=c++17",
                                             std::string("-I") + TILECC_TEMPLATES_DIR,
                                             std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
    INFO(arch << ":\n" << result.log);
    REQUIRE(result.status == NVRTC_SUCCESS);
  }
}

TEST_CASE("The MmaRows layout's fragments, row reductions and register-operand dots compile for sm_80 and sm_90a",
          "[nvrtc][mma_rows]") {
  // Attention's chain in the tensor-core accumulator layout, for f16 and bf16, one and several
  // 16-row groups per warp, a narrow tile (C < 8) and row / column vectors.
  const char *source = R"(
#include <tilecc/device.cuh>
namespace dev = tilecc::dev;
template <class E, int NT, int R, int BN, int D>
__device__ void chain(const E* q, const E* k, const E* v, E* out, long long stride, int rows, int keys, int d) {
  using L = dev::MmaRows<NT>;
  using KT = dev::SharedTile<E, BN, D, L, 0>;
  using VT = dev::SharedTile<E, BN, D, L, 1>;
  dev::Frag<E, R, D, L> q_0;
  dev::load(q_0, q, stride, 1, rows, d);
  const auto qt = dev::mma_a(q_0);
  auto acc = dev::full<float, R, D, L>(0.0f, rows, d);
  auto row_max = dev::full<float, R, 1, L>(-1e30f, rows, 1);
  __syncthreads();
  dev::load_shared<KT>(k, stride, 1, keys, d);
  dev::shared_tiles_ready();
  dev::load_shared<VT>(v, stride, 1, keys, d);
  auto s = dev::full<float, R, BN, L>(0.0f, rows, keys);
  dev::dot(s, qt, dev::trans(KT{keys, d}));
  dev::dot(s, q_0, dev::trans(KT{keys, d}));
  const auto mask = dev::ge(dev::arange_rows<long long, R, 1, L>(0, rows), dev::arange_cols<long long, 1, BN, L>(0, keys));
  s = dev::where<float>(mask, s, -1e30f);
  const auto new_max = dev::maximum<float>(row_max, dev::reduce_max_cols<float>(s));
  const auto p = dev::exp2<float>(dev::sub<float>(s, new_max));
  const auto sum = dev::reduce_sum_cols<float>(p);
  dev::shared_tiles_ready();
  dev::dot(acc, dev::cast<E>(p), VT{keys, d});
  dev::store(out, dev::cast<E>(dev::div<float>(acc, sum)), stride, 1);
  auto narrow = dev::full<float, R, 4, L>(1.0f, rows, 3);
  dev::store(out, dev::cast<E>(dev::reduce_sum_cols<float>(narrow)), stride, 1);
}
using bf16 = __nv_bfloat16;
extern "C" __global__ void chains(const bf16* q, const bf16* k, const bf16* v, bf16* out, const __half* hq,
                                  const __half* hk, const __half* hv, __half* hout, long long s, int r, int n, int d) {
  chain<bf16, 128, 64, 64, 128>(q, k, v, out, s, r, n, d);
  chain<bf16, 256, 128, 32, 64>(q, k, v, out, s, r, n, d);
  chain<__half, 128, 128, 16, 64>(hq, hk, hv, hout, s, r, n, d);
}
)";
  for (const char *arch : {"sm_80", "sm_90a"}) {
    const Compiled result = compile(source, {std::string("-arch=") + arch, "--std=c++17",
                                             std::string("-I") + TILECC_TEMPLATES_DIR,
                                             std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
    INFO(arch << ":\n" << result.log);
    REQUIRE(result.status == NVRTC_SUCCESS);
    CHECK(result.cubin.size() > 4);
  }
}

TEST_CASE("An MmaRows fragment whose warps would not own whole 16-row groups is a compile error with a message",
          "[nvrtc][mma_rows]") {
  const char *source = R"(
#include <tilecc/device.cuh>
using L = tilecc::dev::MmaRows<256>;
extern "C" __global__ void k(float* y) {
  auto a = tilecc::dev::full<float, 64, 64, L>(1.0f, 64, 64);  // 8 warps: 8 rows each
  tilecc::dev::store(y, a, 64, 1);
}
)";
  const Compiled result =
      compile(source, {"-arch=sm_80", "--std=c++17", std::string("-I") + TILECC_TEMPLATES_DIR,
                       std::string("-I") + TILECC_CUDA_INCLUDE_DIR});
  INFO(result.log);
  CHECK(result.status == NVRTC_ERROR_COMPILATION);
  CHECK_THAT(result.log, Catch::Contains("each warp owns a multiple of 16 rows"));
}
