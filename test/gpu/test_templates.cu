// GPU test of the device template library (templates/tilecc/device.cuh), on its own: every
// primitive on odd extents (tiles that are partly outside the valid rows/cols, replicated
// R == 1 / C == 1 fragments, layouts with tc < 32, tc > 32, tc == 1, tr == 1), compared with
// CPU results. Plain main; exits non-zero on any mismatch.
//
//   nvcc -std=c++17 -gencode=arch=compute_90a,code=sm_90a -I templates
//        test/gpu/test_templates.cu -o test_templates && ./test_templates
#include <tilecc/device.cuh>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace tilecc::dev;

namespace {

// ---- Harness --------------------------------------------------------------------------------

int g_passed = 0, g_failed = 0;

#define CUDA_CHECK(expr)                                                                           \
  do {                                                                                             \
    cudaError_t err_ = (expr);                                                                     \
    if (err_ != cudaSuccess) {                                                                     \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr,                           \
                   cudaGetErrorString(err_));                                                      \
      std::exit(2);                                                                                \
    }                                                                                              \
  } while (0)

#define LAUNCH_CHECK()                                                                             \
  do {                                                                                             \
    CUDA_CHECK(cudaGetLastError());                                                                \
    CUDA_CHECK(cudaDeviceSynchronize());                                                           \
  } while (0)

template <class T> double to_double(T x) {
  if constexpr (is_same_v<T, __half>)
    return static_cast<double>(__half2float(x));
  else if constexpr (is_same_v<T, __nv_bfloat16>)
    return static_cast<double>(__bfloat162float(x));
  else if constexpr (is_fp8_v<T>)
    return static_cast<double>(static_cast<float>(x));
  else
    return static_cast<double>(x);
}
// Host twin of convert<T>(float or double) for the values the tests produce.
template <class T> T from_double(double x) {
  if constexpr (is_same_v<T, __half>)
    return __float2half_rn(static_cast<float>(x));
  else if constexpr (is_same_v<T, __nv_bfloat16>)
    return __float2bfloat16_rn(static_cast<float>(x));
  else if constexpr (is_same_v<T, bool>)
    return x != 0;
  else
    return static_cast<T>(x);
}
// x rounded to T and back.
template <class T> double rounded(double x) { return to_double(from_double<T>(x)); }

template <class T> struct Buffer {
  T *device = nullptr;
  size_t n = 0;
  explicit Buffer(size_t n_) : n(n_) { CUDA_CHECK(cudaMalloc(&device, sizeof(T) * (n ? n : 1))); }
  explicit Buffer(const std::vector<T> &host) : Buffer(host.size()) { upload(host); }
  ~Buffer() { cudaFree(device); }
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;
  void upload(const std::vector<T> &host) {
    CUDA_CHECK(cudaMemcpy(device, host.data(), sizeof(T) * n, cudaMemcpyHostToDevice));
  }
  std::vector<T> download() const {
    std::vector<T> host(n);
    CUDA_CHECK(cudaMemcpy(host.data(), device, sizeof(T) * n, cudaMemcpyDeviceToHost));
    return host;
  }
};

unsigned long long g_rng = 0x9e3779b97f4a7c15ull;
unsigned next_random() {
  g_rng = g_rng * 6364136223846793005ull + 1442695040888963407ull;
  return static_cast<unsigned>(g_rng >> 33);
}
// Uniform in [lo, hi).
double uniform(double lo, double hi) { return lo + (hi - lo) * (next_random() / 2147483648.0); }
// A small integer in [lo, hi]: sums of these are exact in any float type, and ties are common.
int small_int(int lo, int hi) { return lo + static_cast<int>(next_random() % (hi - lo + 1)); }

template <class T> std::vector<T> random_values(size_t n, double lo, double hi) {
  std::vector<T> v(n);
  for (auto &x : v)
    x = from_double<T>(uniform(lo, hi));
  return v;
}
template <class T> std::vector<T> random_ints(size_t n, int lo, int hi) {
  std::vector<T> v(n);
  for (auto &x : v)
    x = from_double<T>(small_int(lo, hi));
  return v;
}

bool same_value(double got, double want, double rel_tol, double abs_tol) {
  if (std::isnan(want) || std::isnan(got))
    return std::isnan(want) && std::isnan(got);
  if (std::isinf(want) || std::isinf(got))
    return got == want;
  return std::fabs(got - want) <= abs_tol + rel_tol * std::fabs(want);
}

// Compares got[k] with want[k] (NaN equal to NaN); reports the first mismatches.
struct Checker {
  std::string name;
  int mismatches = 0;
  size_t checked = 0;
  explicit Checker(std::string n) : name(std::move(n)) {}
  void expect(bool ok, const std::string &what) {
    ++checked;
    if (!ok && ++mismatches <= 5)
      std::printf("  %s: %s\n", name.c_str(), what.c_str());
  }
  void value(double got, double want, const char *where, int r, int c, double rel_tol = 0,
             double abs_tol = 0) {
    ++checked;
    if (!same_value(got, want, rel_tol, abs_tol) && ++mismatches <= 5)
      std::printf("  %s: %s(%d, %d) = %.9g, expected %.9g\n", name.c_str(), where, r, c, got, want);
  }
  ~Checker() {
    if (mismatches == 0 && checked > 0) {
      ++g_passed;
    } else {
      ++g_failed;
      std::printf("FAIL %s (%d mismatches of %zu checks)\n", name.c_str(), mismatches, checked);
    }
  }
};

// Tolerance of one rounding in T (relative), for results of inexact math.
template <class T> double ulp_tol() {
  if constexpr (is_same_v<T, __half>)
    return 1.0 / 1024;
  else if constexpr (is_same_v<T, __nv_bfloat16>)
    return 1.0 / 128;
  else if constexpr (is_same_v<T, float>)
    return 4e-7;
  else if constexpr (is_same_v<T, double>)
    return 1e-15;
  else
    return 0;
}

template <class T> const char *type_name() {
  if constexpr (is_same_v<T, float>)
    return "f32";
  else if constexpr (is_same_v<T, double>)
    return "f64";
  else if constexpr (is_same_v<T, __half>)
    return "f16";
  else if constexpr (is_same_v<T, __nv_bfloat16>)
    return "bf16";
  else if constexpr (is_same_v<T, __nv_fp8_e4m3>)
    return "e4m3";
  else if constexpr (is_same_v<T, __nv_fp8_e5m2>)
    return "e5m2";
  else if constexpr (is_same_v<T, signed char>)
    return "i8";
  else if constexpr (is_same_v<T, int>)
    return "i32";
  else if constexpr (is_same_v<T, long long>)
    return "i64";
  else if constexpr (is_same_v<T, bool>)
    return "bool";
  else
    return "?";
}
template <class L> std::string layout_name() {
  return "L<" + std::to_string(L::threads) + "," + std::to_string(L::tc) + ">";
}
std::string shape(int R, int C, int rows, int cols) {
  return std::to_string(R) + "x" + std::to_string(C) + "[" + std::to_string(rows) + "," +
         std::to_string(cols) + "]";
}

using L128x16 = Layout<128, 16>;    // tr 8: rows in one warp, tc < 32
using L256x64 = Layout<256, 64>;    // tc > 32: column reductions through shared memory
using L64x1 = Layout<64, 1>;        // one column of threads
using L128x128 = Layout<128, 128>;  // one row of threads
using L64x32 = Layout<64, 32>;      // a row per warp
using L128x8v4 = Layout<128, 8, 4>; // narrower vectors

constexpr double kPoison = -777.0;

// ---- Load / store ---------------------------------------------------------------------------

// How a copy moves the tile: the old spellings (load / store), a PackedBf16 widened to float, the
// access policy spelling (load<LP> / store<SP>), or through TMA stages with those policies.
enum class Via { old_spelling, packed, policy, tma };

template <class P> std::string policy_name() {
  const char *hint = "?";
  if constexpr (is_same_v<remove_cv_t<decltype(P::hint)>, LoadHint>) {
    constexpr LoadHint h = P::hint;
    hint = h == LoadHint::none          ? "none"
           : h == LoadHint::evict_first ? "evict_first"
           : h == LoadHint::evict_last  ? "evict_last"
                                        : "cg";
  } else {
    constexpr StoreHint h = P::hint;
    hint = h == StoreHint::none ? "none" : h == StoreHint::evict_first ? "evict_first" : "cs";
  }
  return std::string("Access<") + hint + (P::vectors ? "" : ", false") + ">";
}

template <class S, class T, class D, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_copy(const S *in, long long in_rs, long long in_cs, D *out, long long out_rs,
           long long out_cs, int rows, int cols) {
  Frag<T, R, C, L> f;
  load(f, in, in_rs, in_cs, rows, cols);
  store(out, f, out_rs, out_cs);
}

// The same through a PackedBf16 (bf16 words as loaded) widened to float.
template <class LP, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_copy_packed(const __nv_bfloat16 *in, long long in_rs, long long in_cs, float *out,
                  long long out_rs, long long out_cs, int rows, int cols) {
  PackedBf16<R, C, L> p;
  load<LP>(p, in, in_rs, in_cs, rows, cols);
  store(out, cast<float>(p), out_rs, out_cs);
}

// The policy spelling.
template <class LP, class SP, class S, class T, class D, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_copy_policy(const S *in, long long in_rs, long long in_cs, D *out, long long out_rs,
                  long long out_cs, int rows, int cols) {
  Frag<T, R, C, L> f;
  load<LP>(f, in, in_rs, in_cs, rows, cols);
  store<SP>(out, f, out_rs, out_cs);
}

// Through TMA stages (sm_90+), twice, so that the second tile reuses both stages.
template <class LP, class SP, class S, class T, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_copy_tma(const S *in, long long in_rs, long long in_cs, S *out, long long out_rs,
               long long out_cs, int rows, int cols) {
#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 900
  __shared__ TmaStage<S, R, C> load_stage, store_stage;
  unsigned phase = 0;
  tma_init<L>(load_stage);
  tma_init<L>(store_stage);
  Frag<T, R, C, L> f;
  for (int pass = 0; pass < 2; ++pass) {
    load<LP>(f, in, in_rs, in_cs, rows, cols, load_stage, phase);
    store<SP>(out, f, out_rs, out_cs, store_stage);
  }
#endif
}

// A tile of `in` (rows x cols at offset `in_off`, strides in_rs/in_cs) through a
// Frag<T,R,C,L> (or a PackedBf16, per V) into `out` (strides out_rs/out_cs); elements outside
// must stay poisoned.
template <class S, class T, class D, int R, int C, class L, Via V = Via::old_spelling,
          class LP = Access<LoadHint::none>, class SP = Access<StoreHint::none>>
void test_copy(int rows, int cols, long long in_off, long long in_rs, long long in_cs,
               long long out_rs, long long out_cs) {
  const char *via = V == Via::packed   ? "packed "
                    : V == Via::policy ? "policy "
                    : V == Via::tma    ? "tma "
                                       : "";
  Checker check(std::string(via) + "load/store " + type_name<S>() + "->" + type_name<T>() + "->" +
                type_name<D>() + " " + shape(R, C, rows, cols) + " " + layout_name<L>() +
                " in_stride(" + std::to_string(in_rs) + "," + std::to_string(in_cs) + ") off " +
                std::to_string(in_off) +
                (V == Via::old_spelling ? std::string() : " " + policy_name<LP>()) +
                (V == Via::policy || V == Via::tma ? " " + policy_name<SP>() : std::string()));
  const long long in_size = in_off + (R - 1) * in_rs + (C - 1) * in_cs + 1;
  const long long out_size = (R - 1) * out_rs + (C - 1) * out_cs + 1;
  std::vector<S> in = random_ints<S>(in_size, -100, 100);
  Buffer<S> in_d(in);
  Buffer<D> out_d(std::vector<D>(out_size, from_double<D>(kPoison)));
  if constexpr (V == Via::packed)
    k_copy_packed<LP, R, C, L><<<1, L::threads>>>(in_d.device + in_off, in_rs, in_cs, out_d.device,
                                                  out_rs, out_cs, rows, cols);
  else if constexpr (V == Via::policy)
    k_copy_policy<LP, SP, S, T, D, R, C, L><<<1, L::threads>>>(
        in_d.device + in_off, in_rs, in_cs, out_d.device, out_rs, out_cs, rows, cols);
  else if constexpr (V == Via::tma)
    k_copy_tma<LP, SP, S, T, R, C, L><<<1, L::threads>>>(in_d.device + in_off, in_rs, in_cs,
                                                         out_d.device, out_rs, out_cs, rows, cols);
  else
    k_copy<S, T, D, R, C, L><<<1, L::threads>>>(in_d.device + in_off, in_rs, in_cs, out_d.device,
                                                out_rs, out_cs, rows, cols);
  LAUNCH_CHECK();
  std::vector<D> out = out_d.download();
  std::vector<int> touched(out_size, 0);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const long long o = r * out_rs + c * out_cs;
      if (r < rows && c < cols) {
        ++touched[o];
        const double want = to_double(from_double<D>(
            to_double(from_double<T>(to_double(in[in_off + r * in_rs + c * in_cs])))));
        check.value(to_double(out[o]), want, "out", r, c);
      }
    }
  for (long long o = 0; o < out_size; ++o)
    if (!touched[o])
      check.expect(to_double(out[o]) == to_double(from_double<D>(kPoison)),
                   "element " + std::to_string(o) + " outside the extents was written");
}

void test_packed_loads() {
  using bf16 = __nv_bfloat16;
  using EvictLast = Access<LoadHint::evict_last>;
  // Full and ragged tiles, aligned rows (vector words), a misaligned base and odd row strides
  // (element by element), strided columns, vectors of 8 and of 4, rows held replicated.
  test_copy<bf16, float, float, 16, 256, L256x64, Via::packed, EvictLast>(16, 256, 0, 256, 1, 256,
                                                                          1);
  test_copy<bf16, float, float, 16, 256, L256x64, Via::packed, EvictLast>(13, 250, 0, 256, 1, 256,
                                                                          1);
  test_copy<bf16, float, float, 16, 256, L256x64, Via::packed, EvictLast>(16, 256, 3, 259, 1, 256,
                                                                          1);
  test_copy<bf16, float, float, 16, 256, L256x64, Via::packed, EvictLast>(9, 101, 1, 301, 2, 256,
                                                                          1);
  test_copy<bf16, float, float, 64, 64, L128x8v4, Via::packed, EvictLast>(61, 63, 0, 64, 1, 64, 1);
  test_copy<bf16, float, float, 1, 512, L128x128, Via::packed, EvictLast>(1, 509, 0, 512, 1, 512,
                                                                          1);
  // Every policy: plain, another hint, element by element.
  test_copy<bf16, float, float, 16, 256, L256x64, Via::packed, Access<LoadHint::none>>(
      13, 250, 0, 256, 1, 256, 1);
  test_copy<bf16, float, float, 16, 256, L256x64, Via::packed, Access<LoadHint::cg, false>>(
      13, 250, 0, 256, 1, 256, 1);
}

void test_load_store() {
  // Misaligned row stride: a mix of vector and scalar accesses.
  test_copy<float, float, float, 16, 64, L128x16>(13, 50, 0, 67, 1, 64, 1);
  // Aligned rows: vector accesses except at the column tail; misaligned base.
  test_copy<float, float, float, 16, 64, L128x16>(13, 50, 0, 64, 1, 64, 1);
  test_copy<float, float, float, 16, 64, L128x16>(13, 50, 1, 64, 1, 64, 1);
  test_copy<float, float, float, 16, 64, L128x16>(16, 64, 0, 64, 1, 64, 1);
  // Converting loads and stores.
  test_copy<__nv_bfloat16, float, __half, 16, 64, L256x64>(13, 50, 0, 64, 1, 64, 1);
  test_copy<__half, float, __nv_bfloat16, 32, 128, L128x16>(29, 101, 0, 128, 1, 128, 1);
  test_copy<__nv_bfloat16, __nv_bfloat16, __nv_bfloat16, 16, 256, L128x16>(16, 256, 0, 256, 1, 256,
                                                                           1);
  test_copy<float, double, double, 8, 64, L64x32>(7, 63, 0, 64, 1, 64, 1);
  test_copy<int, long long, int, 8, 128, L128x8v4>(5, 99, 0, 128, 1, 128, 1);
  test_copy<signed char, int, signed char, 16, 128, L128x16>(15, 127, 0, 128, 1, 128, 1);
  // Strided columns (a transposed view), both directions.
  test_copy<float, float, float, 16, 64, L128x16>(13, 50, 0, 1, 16, 1, 16);
  // Replicated rows (R == 1), replicated columns (C == 1), spare threads (R < tr, C < tc).
  test_copy<float, float, float, 1, 128, L128x16>(1, 77, 0, 128, 1, 128, 1);
  test_copy<__half, float, float, 16, 1, L128x16>(13, 1, 0, 1, 1, 1, 1);
  test_copy<float, float, float, 4, 8, L128x16>(3, 5, 0, 8, 1, 8, 1);
  test_copy<float, float, float, 1, 1, L128x16>(1, 1, 0, 1, 1, 1, 1);
  // One column of threads (tc == 1), one row of threads (tr == 1).
  test_copy<__nv_bfloat16, float, float, 64, 16, L64x1>(61, 9, 0, 16, 1, 16, 1);
  test_copy<float, float, float, 2, 256, L128x128>(2, 255, 0, 256, 1, 256, 1);
}

// The access policies: every load and store hint, with and without vector words, on aligned,
// misaligned, strided and replicated tiles; the same results as the plain copy.
void test_access_policies() {
  using bf16 = __nv_bfloat16;
  using LN = Access<LoadHint::none>;
  using LEF = Access<LoadHint::evict_first>;
  using LEL = Access<LoadHint::evict_last, false>;
  using LCG = Access<LoadHint::cg>;
  using SN = Access<StoreHint::none, false>;
  using SEF = Access<StoreHint::evict_first>;
  using SCS = Access<StoreHint::cs>;
  constexpr Via P = Via::policy;
  test_copy<float, float, float, 16, 64, L128x16, P, LN, SCS>(13, 50, 0, 64, 1, 64, 1);
  test_copy<float, float, float, 16, 64, L128x16, P, LEF, SEF>(13, 50, 1, 67, 1, 64, 1);
  test_copy<float, float, float, 16, 64, L128x16, P, LEL, SN>(16, 64, 0, 64, 1, 64, 1);
  test_copy<float, float, float, 16, 64, L128x16, P, LCG, SCS>(13, 50, 0, 1, 16, 1, 16);
  test_copy<bf16, float, __half, 16, 64, L256x64, P, LEF, SCS>(13, 50, 0, 64, 1, 64, 1);
  test_copy<__half, float, bf16, 32, 128, L128x16, P, LCG, SEF>(29, 101, 0, 128, 1, 128, 1);
  test_copy<signed char, int, signed char, 16, 128, L128x16, P, LEL, SCS>(15, 127, 0, 128, 1, 128,
                                                                          1);
  test_copy<int, long long, int, 8, 128, L128x8v4, P, LEF, SN>(5, 99, 0, 128, 1, 128, 1);
  test_copy<float, double, double, 8, 64, L64x32, P, LCG, SCS>(7, 63, 0, 64, 1, 64, 1);
  test_copy<float, float, float, 1, 128, L128x16, P, LEF, SCS>(1, 77, 0, 128, 1, 128, 1);
  test_copy<__half, float, float, 16, 1, L128x16, P, LCG, SEF>(13, 1, 0, 1, 1, 1, 1);
  test_copy<bf16, float, float, 64, 16, L64x1, P, LEL, SCS>(61, 9, 0, 16, 1, 16, 1);
}

// Through TMA stages with policies (sm_90+): bulk-copied interiors, edges in registers with the
// hint, misaligned bases and row strides, strided columns, replicated rows.
void test_tma_policies() {
  int device = 0, major = 0;
  CUDA_CHECK(cudaGetDevice(&device));
  CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  if (major < 9) {
    std::printf("templates: TMA needs sm_90, skipped\n");
    return;
  }
  using bf16 = __nv_bfloat16;
  constexpr Via T = Via::tma;
  using LN = Access<LoadHint::none>;
  using LEF = Access<LoadHint::evict_first, false>;
  using SN = Access<StoreHint::none>;
  using SCS = Access<StoreHint::cs, false>;
  test_copy<float, float, float, 16, 64, L128x16, T, LN, SN>(16, 64, 0, 64, 1, 64, 1);
  test_copy<float, float, float, 16, 64, L128x16, T, LEF, SCS>(13, 50, 1, 67, 1, 64, 1);
  test_copy<bf16, float, bf16, 16, 64, L128x16, T, LN, SCS>(13, 61, 3, 75, 1, 64, 1);
  test_copy<bf16, float, bf16, 16, 64, L256x64, T, LEF, SN>(16, 64, 0, 64, 1, 64, 1);
  test_copy<float, float, float, 16, 64, L128x16, T, LN, SN>(13, 50, 0, 1, 16, 1, 16);
  test_copy<__half, float, __half, 1, 256, L128x16, T, LN, SN>(1, 255, 5, 256, 1, 256, 1);
  test_copy<double, double, double, 8, 64, L64x32, T, LEF, SCS>(7, 63, 1, 64, 1, 64, 1);
}

// ---- Row gather -----------------------------------------------------------------------------

template <class T, class I, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_gather(const T *table, long long rs, const I *index, int rows, int cols, T *out) {
  Frag<I, R, 1, L> idx;
  load(idx, index, 1, 0, rows, 1);
  Frag<T, R, C, L> f;
  load_gather_rows(f, table, idx, rs, 1, cols);
  store(out, f, C, 1);
  // The policy spelling of the same gather gives the same tile.
  Frag<T, R, C, L> g;
  load<Access<LoadHint::cg, false>>(g, table, idx, rs, 1, cols);
  store<Access<StoreHint::cs>>(out + R * C, g, C, 1);
}

template <class T, class I, int R, int C, class L> void test_gather(int rows, int cols) {
  Checker check(std::string("load_gather_rows ") + type_name<T>() + " idx " + type_name<I>() + " " +
                shape(R, C, rows, cols) + " " + layout_name<L>());
  const int table_rows = 37;
  std::vector<T> table = random_ints<T>(table_rows * C, -50, 50);
  std::vector<I> index(R);
  for (auto &i : index)
    i = static_cast<I>(small_int(0, table_rows - 1));
  Buffer<T> table_d(table);
  Buffer<I> index_d(index);
  Buffer<T> out_d(std::vector<T>(2 * R * C, from_double<T>(kPoison)));
  k_gather<T, I, R, C, L>
      <<<1, L::threads>>>(table_d.device, C, index_d.device, rows, cols, out_d.device);
  LAUNCH_CHECK();
  std::vector<T> out = out_d.download();
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const double want =
          r < rows && c < cols ? to_double(table[index[r] * C + c]) : rounded<T>(kPoison);
      check.value(to_double(out[r * C + c]), want, "out", r, c);
      check.value(to_double(out[R * C + r * C + c]), want, "policy out", r, c);
    }
}

// ---- Atomic add -----------------------------------------------------------------------------

template <class T, class D, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_atomic(const T *in, int rows, int cols, D *out, int repeat) {
  Frag<T, R, C, L> f;
  load(f, in, C, 1, rows, cols);
  for (int k = 0; k < repeat; ++k)
    atomic_add(out, f, C, 1);
}

// Replicated elements must be added exactly once per call: out = base + blocks * repeat * in.
template <class T, class D, int R, int C, class L> void test_atomic(int rows, int cols) {
  Checker check(std::string("atomic_add ") + type_name<T>() + "->" + type_name<D>() + " " +
                shape(R, C, rows, cols) + " " + layout_name<L>());
  const int blocks = 3, repeat = 2;
  std::vector<T> in = random_ints<T>(R * C, -3, 3);
  std::vector<D> base = random_ints<D>(R * C, -10, 10);
  Buffer<T> in_d(in);
  Buffer<D> out_d(base);
  k_atomic<T, D, R, C, L><<<blocks, L::threads>>>(in_d.device, rows, cols, out_d.device, repeat);
  LAUNCH_CHECK();
  std::vector<D> out = out_d.download();
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const double add = r < rows && c < cols ? blocks * repeat * to_double(in[r * C + c]) : 0;
      check.value(to_double(out[r * C + c]), to_double(base[r * C + c]) + add, "out", r, c);
    }
}

void test_atomics() {
  test_atomic<float, float, 16, 64, L128x16>(13, 50);
  test_atomic<float, float, 1, 128, L128x16>(1, 77);
  test_atomic<float, float, 16, 1, L128x16>(13, 1);
  test_atomic<float, float, 1, 1, L256x64>(1, 1);
  test_atomic<float, double, 16, 64, L256x64>(13, 50);
  test_atomic<float, __half, 16, 64, L128x16>(13, 50);
  test_atomic<float, __nv_bfloat16, 8, 32, L64x32>(7, 30);
  test_atomic<int, int, 16, 64, L128x16>(13, 50);
  test_atomic<int, long long, 1, 128, L128x16>(1, 77);
  test_atomic<int, signed char, 16, 64, L128x16>(13, 50);
}

// ---- Creation and program ids ---------------------------------------------------------------

template <int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_create(float *full_out, long long *cols_out, int *rows_out, int rows, int cols) {
  store(full_out, full<float, R, C, L>(2.5f, rows, cols), C, 1);
  store(cols_out, arange_cols<long long, R, C, L>(1000000000000ll, cols), C, 1);
  store(rows_out, arange_rows<int, R, C, L>(-3, rows), C, 1);
}

template <int R, int C, class L> void test_create(int rows, int cols) {
  Checker check(std::string("full/arange_cols/arange_rows ") + shape(R, C, rows, cols) + " " +
                layout_name<L>());
  Buffer<float> full_d(std::vector<float>(R * C, kPoison));
  Buffer<long long> cols_d(std::vector<long long>(R * C, -777));
  Buffer<int> rows_d(std::vector<int>(R * C, -777));
  k_create<R, C, L><<<1, L::threads>>>(full_d.device, cols_d.device, rows_d.device, rows, cols);
  LAUNCH_CHECK();
  auto f = full_d.download();
  auto a = cols_d.download();
  auto b = rows_d.download();
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      check.value(f[r * C + c], r < rows && c < cols ? 2.5 : kPoison, "full", r, c);
      check.value(static_cast<double>(a[r * C + c] - 1000000000000ll),
                  c < cols ? c : -777.0 - 1000000000000.0, "arange_cols", r, c);
      check.value(b[r * C + c], r < rows ? r - 3 : -777, "arange_rows", r, c);
    }
}

__global__ void k_program_id(long long *out) {
  const long long x = program_id(0), y = program_id(1), z = program_id(2);
  if (threadIdx.x == 0) {
    const long long k = (z * num_programs(1) + y) * num_programs(0) + x;
    out[3 * k] = x;
    out[3 * k + 1] = y;
    out[3 * k + 2] = z;
  }
}

void test_program_id() {
  Checker check("program_id");
  const dim3 grid(5, 3, 2);
  Buffer<long long> out_d(std::vector<long long>(3 * 30, -1));
  k_program_id<<<grid, 32>>>(out_d.device);
  LAUNCH_CHECK();
  auto out = out_d.download();
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 5; ++x) {
        const int k = (z * 3 + y) * 5 + x;
        check.expect(out[3 * k] == x && out[3 * k + 1] == y && out[3 * k + 2] == z,
                     "block " + std::to_string(k));
      }
}

// ---- Elementwise ----------------------------------------------------------------------------

// Each op: the device call and a host reference computed in the compute type CT.
#define BINARY_OP(Name, call, expr)                                                                \
  struct Name {                                                                                    \
    static constexpr const char *name = #call;                                                     \
    template <class RT, class A, class B> __device__ static auto apply(const A &a, const B &b) {   \
      return call<RT>(a, b);                                                                       \
    }                                                                                              \
    template <class CT> static CT ref(CT x, CT y) { return expr; }                                 \
  };
BINARY_OP(Add, add, x + y)
BINARY_OP(Sub, sub, x - y)
BINARY_OP(Mul, mul, x *y)
BINARY_OP(Div, div, x / y)
BINARY_OP(Maximum, maximum, (x != x || y != y) ? x + y : (x > y ? x : y))
BINARY_OP(Minimum, minimum, (x != x || y != y) ? x + y : (x < y ? x : y))
BINARY_OP(Pow, pow, std::pow(x, y))
#undef BINARY_OP

template <class T> using host_compute_t = compute_t<T>; // float for f16/bf16, T otherwise

template <class T> std::vector<T> with_nans(std::vector<T> v, int every) {
  for (size_t k = 0; k < v.size(); k += every)
    v[k] = from_double<T>(NAN);
  return v;
}

// a (RA x CA, extents ra x ca) op b (RB x CB, extents rb x cb); both stored dense.
template <class Op, class RT, class TA, int RA, int CA, class TB, int RB, int CB, class L>
__global__ void __launch_bounds__(L::threads)
    k_binary(const TA *a, int ra, int ca, const TB *b, int rb, int cb, RT *out) {
  Frag<TA, RA, CA, L> fa;
  load(fa, a, CA, 1, ra, ca);
  Frag<TB, RB, CB, L> fb;
  load(fb, b, CB, 1, rb, cb);
  auto r = Op::template apply<RT>(fa, fb);
  constexpr int R = RA > RB ? RA : RB, C = CA > CB ? CA : CB;
  static_assert(is_same_v<decltype(r), Frag<RT, R, C, L>>, "broadcast result type");
  store(out, r, C, 1);
}
// a op scalar, or scalar op a.
template <class Op, class RT, bool ScalarFirst, class TA, int RA, int CA, class S, class L>
__global__ void __launch_bounds__(L::threads)
    k_binary_scalar(const TA *a, int ra, int ca, S s, RT *out) {
  Frag<TA, RA, CA, L> fa;
  load(fa, a, CA, 1, ra, ca);
  if constexpr (ScalarFirst)
    store(out, Op::template apply<RT>(s, fa), CA, 1);
  else
    store(out, Op::template apply<RT>(fa, s), CA, 1);
}

template <class Op, class RT, class TA, int RA, int CA, class TB, int RB, int CB, class L>
void test_binary(int ra, int ca, int rb, int cb, double lo, double hi, bool nans = false) {
  constexpr int R = RA > RB ? RA : RB, C = CA > CB ? CA : CB;
  const int rows = ra > rb ? ra : rb, cols = ca > cb ? ca : cb;
  Checker check(std::string(Op::name) + "<" + type_name<RT>() + ">(" + type_name<TA>() + " " +
                shape(RA, CA, ra, ca) + ", " + type_name<TB>() + " " + shape(RB, CB, rb, cb) +
                ") " + layout_name<L>());
  std::vector<TA> a = random_values<TA>(RA * CA, lo, hi);
  std::vector<TB> b = random_values<TB>(RB * CB, lo, hi);
  if (nans) {
    a = with_nans(a, 7);
    b = with_nans(b, 11);
  }
  Buffer<TA> a_d(a);
  Buffer<TB> b_d(b);
  Buffer<RT> out_d(std::vector<RT>(R * C, from_double<RT>(kPoison)));
  k_binary<Op, RT, TA, RA, CA, TB, RB, CB, L>
      <<<1, L::threads>>>(a_d.device, ra, ca, b_d.device, rb, cb, out_d.device);
  LAUNCH_CHECK();
  auto out = out_d.download();
  using CT = host_compute_t<RT>;
  // Float division is __fdividef (2 ulp) unless TILECC_PRECISE_MATH (elementwise.cuh).
#ifdef TILECC_PRECISE_MATH
  constexpr bool fast_div = false;
#else
  constexpr bool fast_div = is_same_v<Op, Div> && is_same_v<CT, float>;
#endif
  const bool exact = !is_same_v<Op, Pow> && !fast_div;
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      double want = rounded<RT>(kPoison);
      if (r < rows && c < cols) {
        const CT x = static_cast<CT>(to_double(a[(RA == 1 ? 0 : r) * CA + (CA == 1 ? 0 : c)]));
        const CT y = static_cast<CT>(to_double(b[(RB == 1 ? 0 : r) * CB + (CB == 1 ? 0 : c)]));
        want = rounded<RT>(Op::template ref<CT>(x, y));
      }
      check.value(to_double(out[r * C + c]), want, "out", r, c, exact ? 0 : 2 * ulp_tol<RT>());
    }
}

template <class Op, class RT, bool ScalarFirst, class TA, int RA, int CA, class S, class L>
void test_binary_scalar(int ra, int ca, S s, double lo, double hi) {
  Checker check(std::string(Op::name) + "<" + type_name<RT>() + ">(" +
                (ScalarFirst ? std::string("scalar ") + type_name<S>() + ", " : "") +
                type_name<TA>() + " " + shape(RA, CA, ra, ca) +
                (ScalarFirst ? std::string("") : std::string(", scalar ") + type_name<S>()) + ") " +
                layout_name<L>());
  std::vector<TA> a = random_values<TA>(RA * CA, lo, hi);
  Buffer<TA> a_d(a);
  Buffer<RT> out_d(std::vector<RT>(RA * CA, from_double<RT>(kPoison)));
  k_binary_scalar<Op, RT, ScalarFirst, TA, RA, CA, S, L>
      <<<1, L::threads>>>(a_d.device, ra, ca, s, out_d.device);
  LAUNCH_CHECK();
  auto out = out_d.download();
  using CT = host_compute_t<RT>;
  for (int r = 0; r < RA; ++r)
    for (int c = 0; c < CA; ++c) {
      double want = rounded<RT>(kPoison);
      if (r < ra && c < ca) {
        const CT x = static_cast<CT>(to_double(a[r * CA + c]));
        const CT y = static_cast<CT>(to_double(s));
        want = rounded<RT>(ScalarFirst ? Op::template ref<CT>(y, x) : Op::template ref<CT>(x, y));
      }
      check.value(to_double(out[r * CA + c]), want, "out", r, c);
    }
}

#define UNARY_OP(Name, call, expr)                                                                 \
  struct Name {                                                                                    \
    static constexpr const char *name = #call;                                                     \
    template <class RT, class A> __device__ static auto apply(const A &a) { return call<RT>(a); }  \
    template <class CT> static CT ref(CT x) { return expr; }                                       \
  };
UNARY_OP(Neg, neg, -x)
UNARY_OP(Abs, abs, std::fabs(x))
UNARY_OP(Exp, exp, std::exp(x))
UNARY_OP(Exp2, exp2, std::exp2(x))
UNARY_OP(Log, log, std::log(x))
UNARY_OP(Sqrt, sqrt, std::sqrt(x))
UNARY_OP(Rsqrt, rsqrt, CT(1) / std::sqrt(x))
UNARY_OP(Tanh, tanh, std::tanh(x))
UNARY_OP(Sigmoid, sigmoid, CT(1) / (CT(1) + std::exp(-x)))
UNARY_OP(Erf, erf, std::erf(x))
#undef UNARY_OP

template <class Op, class RT, class TA, int R, int C, class L>
__global__ void __launch_bounds__(L::threads) k_unary(const TA *a, int rows, int cols, RT *out) {
  Frag<TA, R, C, L> f;
  load(f, a, C, 1, rows, cols);
  auto r = Op::template apply<RT>(f);
  static_assert(is_same_v<decltype(r), Frag<RT, R, C, L>>, "unary result type");
  store(out, r, C, 1);
}

template <class Op, class RT, class TA, int R, int C, class L>
void test_unary(int rows, int cols, double lo, double hi) {
  Checker check(std::string(Op::name) + "<" + type_name<RT>() + ">(" + type_name<TA>() + " " +
                shape(R, C, rows, cols) + ") " + layout_name<L>());
  std::vector<TA> a = random_values<TA>(R * C, lo, hi);
  Buffer<TA> a_d(a);
  Buffer<RT> out_d(std::vector<RT>(R * C, from_double<RT>(kPoison)));
  k_unary<Op, RT, TA, R, C, L><<<1, L::threads>>>(a_d.device, rows, cols, out_d.device);
  LAUNCH_CHECK();
  auto out = out_d.download();
  using CT = host_compute_t<RT>;
  // Device libm is within a few ulp of the host's (and rsqrtf within 2 ulp of 1/sqrt).
  const double tol = 2 * ulp_tol<RT>() + (is_same_v<CT, float> ? 4e-7 : 1e-15);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      const double want =
          r < rows && c < cols
              ? rounded<RT>(Op::template ref<CT>(static_cast<CT>(to_double(a[r * C + c]))))
              : rounded<RT>(kPoison);
      check.value(to_double(out[r * C + c]), want, "out", r, c, tol, 1e-30);
    }
}

// Comparisons, logical ops, where and cast in one kernel: a (R x C) against b (1 x C).
template <class TA, class TB, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_logic(const TA *a, const TB *b, int rows, int cols, bool *out_lt, bool *out_le, bool *out_gt,
            bool *out_ge, bool *out_eq, bool *out_ne, bool *out_and, bool *out_or, bool *out_not,
            float *out_where, __half *out_cast, int *out_cast_int) {
  Frag<TA, R, C, L> fa;
  load(fa, a, C, 1, rows, cols);
  Frag<TB, 1, C, L> fb;
  load(fb, b, C, 1, 1, cols);
  store(out_lt, lt(fa, fb), C, 1);
  store(out_le, le(fa, fb), C, 1);
  store(out_gt, gt(fa, fb), C, 1);
  store(out_ge, ge(fa, fb), C, 1);
  store(out_eq, eq(fa, fb), C, 1);
  store(out_ne, ne(fa, fb), C, 1);
  auto positive = gt(fa, 0.0f);
  store(out_and, logical_and(positive, lt(fa, fb)), C, 1);
  store(out_or, logical_or(positive, eq(fa, fb)), C, 1);
  store(out_not, logical_not(fa), C, 1);
  store(out_where, where<float>(lt(fa, fb), fa, -1.0f), C, 1);
  auto h = cast<__half>(fa);
  static_assert(is_same_v<decltype(h), Frag<__half, R, C, L>>, "cast result type");
  store(out_cast, h, C, 1);
  store(out_cast_int, cast<int>(fa), C, 1);
}

template <class TA, class TB, int R, int C, class L> void test_logic(int rows, int cols) {
  const std::string suffix = std::string("(") + type_name<TA>() + " " + shape(R, C, rows, cols) +
                             ", " + type_name<TB>() + " 1x" + std::to_string(C) + ") " +
                             layout_name<L>();
  std::vector<TA> a = random_ints<TA>(R * C, -3, 3);
  std::vector<TB> b = random_ints<TB>(C, -3, 3);
  a[5] = from_double<TA>(2.75);
  a[6] = from_double<TA>(-2.75);
  a[9] = from_double<TA>(NAN);
  Buffer<TA> a_d(a);
  Buffer<TB> b_d(b);
  std::vector<Buffer<bool> *> outs;
  for (int k = 0; k < 9; ++k)
    outs.push_back(new Buffer<bool>(std::vector<bool>(R * C, false).size()));
  Buffer<float> where_d(std::vector<float>(R * C, kPoison));
  Buffer<__half> cast_d(std::vector<__half>(R * C, from_double<__half>(kPoison)));
  Buffer<int> cast_int_d(std::vector<int>(R * C, -777));
  for (auto *o : outs)
    CUDA_CHECK(cudaMemset(o->device, 0x7f, R * C)); // neither false nor true: poison
  k_logic<TA, TB, R, C, L><<<1, L::threads>>>(
      a_d.device, b_d.device, rows, cols, outs[0]->device, outs[1]->device, outs[2]->device,
      outs[3]->device, outs[4]->device, outs[5]->device, outs[6]->device, outs[7]->device,
      outs[8]->device, where_d.device, cast_d.device, cast_int_d.device);
  LAUNCH_CHECK();
  const char *names[9] = {"lt", "le",          "gt",         "ge",         "eq",
                          "ne", "logical_and", "logical_or", "logical_not"};
  for (int k = 0; k < 9; ++k) {
    Checker check(std::string(names[k]) + suffix);
    std::vector<unsigned char> raw(R * C);
    CUDA_CHECK(cudaMemcpy(raw.data(), outs[k]->device, R * C, cudaMemcpyDeviceToHost));
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        double want = 0x7f;
        if (r < rows && c < cols) {
          const float x = static_cast<float>(to_double(a[r * C + c]));
          const float y = static_cast<float>(to_double(b[c]));
          const bool results[9] = {
              x<y, x <= y, x> y, x >= y, x == y, x != y, x > 0 && x<y, x> 0 || x == y, !(x != 0)};
          want = results[k];
        }
        check.value(raw[r * C + c], want, names[k], r, c);
      }
    delete outs[k];
  }
  {
    Checker check(std::string("where/cast") + suffix);
    auto w = where_d.download();
    auto h = cast_d.download();
    auto i = cast_int_d.download();
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) {
        const bool in = r < rows && c < cols;
        const float x = static_cast<float>(to_double(a[r * C + c]));
        const float y = static_cast<float>(to_double(b[c]));
        check.value(w[r * C + c], in ? (x < y ? x : -1.0) : kPoison, "where", r, c);
        check.value(to_double(h[r * C + c]), in ? rounded<__half>(x) : rounded<__half>(kPoison),
                    "cast<f16>", r, c);
        if (!std::isnan(x) || !in)
          check.value(i[r * C + c], in ? static_cast<int>(x) : -777, "cast<i32>", r, c);
      }
  }
}

// Rounding of conversions: float -> f16/bf16 to nearest even, ints through float, bool.
__global__ void k_convert(const float *in, int n, __half *h, __nv_bfloat16 *b, signed char *i8,
                          long long *i64, bool *flag, float *from_i64, __half *half_from_int,
                          double *from_bf16) {
  for (int k = threadIdx.x; k < n; k += blockDim.x) {
    h[k] = convert<__half>(in[k]);
    b[k] = convert<__nv_bfloat16>(in[k]);
    i8[k] = convert<signed char>(convert<int>(in[k]));
    i64[k] = convert<long long>(in[k]);
    flag[k] = convert<bool>(convert<__half>(in[k]));
    from_i64[k] = convert<float>(convert<long long>(in[k]) * 1000000007ll);
    half_from_int[k] = convert<__half>(convert<int>(in[k]));
    from_bf16[k] = convert<double>(convert<__nv_bfloat16>(in[k]));
  }
}

void test_convert() {
  Checker check("convert (rounding, ints, bool)");
  std::vector<float> in = {0.0f,
                           -0.0f,
                           1.0f,
                           -1.5f,
                           2.5f,
                           100.75f,
                           -100.25f,
                           1e-8f,
                           65504.0f,
                           70000.0f,
                           1.00390625f /* bf16 tie */,
                           1.01171875f /* bf16 tie */,
                           1.0009765625f + 0.00048828125f /* f16 tie */,
                           3.999f,
                           -7.9f,
                           127.0f};
  for (int k = 0; k < 48; ++k)
    in.push_back(static_cast<float>(uniform(-200, 200)));
  const int n = static_cast<int>(in.size());
  Buffer<float> in_d(in);
  Buffer<__half> h_d(n);
  Buffer<__nv_bfloat16> b_d(n);
  Buffer<signed char> i8_d(n);
  Buffer<long long> i64_d(n);
  Buffer<bool> flag_d(n);
  Buffer<float> f_d(n);
  Buffer<__half> hi_d(n);
  Buffer<double> d_d(n);
  k_convert<<<1, 64>>>(in_d.device, n, h_d.device, b_d.device, i8_d.device, i64_d.device,
                       flag_d.device, f_d.device, hi_d.device, d_d.device);
  LAUNCH_CHECK();
  auto h = h_d.download();
  auto b = b_d.download();
  auto i8 = i8_d.download();
  auto i64 = i64_d.download();
  std::vector<unsigned char> flag(n);
  CUDA_CHECK(cudaMemcpy(flag.data(), flag_d.device, n, cudaMemcpyDeviceToHost));
  auto f = f_d.download();
  auto hi = hi_d.download();
  auto d = d_d.download();
  for (int k = 0; k < n; ++k) {
    const float x = in[k];
    check.value(to_double(h[k]), to_double(__float2half_rn(x)), "f16", k, 0);
    check.value(to_double(b[k]), to_double(__float2bfloat16_rn(x)), "bf16", k, 0);
    if (std::fabs(x) < 127)
      check.value(i8[k], static_cast<signed char>(static_cast<int>(x)), "i8", k, 0);
    check.value(static_cast<double>(i64[k]), static_cast<double>(static_cast<long long>(x)), "i64",
                k, 0);
    check.value(flag[k], to_double(__float2half_rn(x)) != 0, "bool", k, 0);
    check.value(f[k], static_cast<float>(static_cast<long long>(x) * 1000000007ll), "f32<-i64", k,
                0);
    check.value(to_double(hi[k]),
                to_double(__float2half_rn(static_cast<float>(static_cast<int>(x)))), "f16<-i32", k,
                0);
    check.value(d[k], to_double(__float2bfloat16_rn(x)), "f64<-bf16", k, 0);
  }
  // Ties go to even.
  check.value(to_double(__float2bfloat16_rn(1.00390625f)), 1.0, "host bf16 tie", 0, 0);
  check.value(to_double(b[10]), 1.0, "bf16 tie", 10, 0);
  check.value(to_double(b[11]), 1.015625, "bf16 tie", 11, 0);
  check.value(to_double(h[12]), 1.0009765625 + 0.0009765625, "f16 tie", 12, 0);
}

// Ops on plain values (no Frag): scalar_op<RT>(...) and op<RT>(...) on scalars.
__global__ void k_scalar(const float *in, int n, float *out) {
  for (int k = threadIdx.x; k < n; k += blockDim.x) {
    const float x = in[k];
    float *o = out + 16 * k;
    o[0] = scalar_exp<float>(x);
    o[1] = scalar_exp2<float>(x);
    o[2] = scalar_log<float>(x);
    o[3] = scalar_sqrt<float>(x);
    o[4] = scalar_rsqrt<float>(x);
    o[5] = scalar_tanh<float>(x);
    o[6] = scalar_sigmoid<float>(x);
    o[7] = scalar_erf<float>(x);
    o[8] = scalar_abs<float>(-x);
    o[9] = scalar_neg<float>(x);
    o[10] = scalar_maximum<float>(x, 1.0f);
    o[11] = scalar_minimum<float>(x, 1.0f);
    o[12] = scalar_pow<float>(x, 1.5f);
    o[13] = convert<float>(scalar_add<__nv_bfloat16>(x, 1.0f));
    o[14] = add<float>(x, 2);
    o[15] = static_cast<float>(scalar_maximum<int>(static_cast<int>(x), 3));
  }
}

void test_scalar_ops() {
  Checker check("scalar ops (scalar_exp ... scalar_pow)");
  std::vector<float> in = random_values<float>(64, 0.01, 8);
  Buffer<float> in_d(in);
  Buffer<float> out_d(std::vector<float>(16 * in.size(), kPoison));
  k_scalar<<<1, 64>>>(in_d.device, static_cast<int>(in.size()), out_d.device);
  LAUNCH_CHECK();
  auto out = out_d.download();
  for (size_t k = 0; k < in.size(); ++k) {
    const float x = in[k];
    const double want[16] = {std::exp(x),
                             std::exp2(x),
                             std::log(x),
                             std::sqrt(x),
                             1 / std::sqrt(x),
                             std::tanh(x),
                             1 / (1 + std::exp(-x)),
                             std::erf(x),
                             x,
                             -x,
                             std::max(x, 1.0f),
                             std::min(x, 1.0f),
                             std::pow(x, 1.5f),
                             rounded<__nv_bfloat16>(x + 1.0f),
                             x + 2.0f,
                             static_cast<double>(std::max(static_cast<int>(x), 3))};
    for (int i = 0; i < 16; ++i)
      check.value(out[16 * k + i], want[i], "op", static_cast<int>(k), i, 1e-6);
  }
}

void test_elementwise() {
  using bf16 = __nv_bfloat16;
  // Same shapes, then each broadcast direction, with mixed operand types.
  test_binary<Add, float, bf16, 16, 64, float, 16, 64, L128x16>(13, 50, 13, 50, -4, 4);
  test_binary<Sub, bf16, bf16, 16, 64, float, 1, 64, L128x16>(13, 50, 1, 50, -4, 4);
  test_binary<Mul, __half, float, 16, 64, __half, 16, 1, L128x16>(13, 50, 13, 1, -4, 4);
  test_binary<Div, float, float, 1, 64, bf16, 16, 1, L128x16>(1, 50, 13, 1, 0.5, 4);
  test_binary<Div, double, double, 16, 64, double, 16, 64, L256x64>(13, 50, 13, 50, 0.5, 4);
  test_binary<Maximum, float, float, 16, 64, float, 1, 64, L256x64>(13, 50, 1, 50, -4, 4, true);
  test_binary<Minimum, bf16, bf16, 16, 64, bf16, 16, 1, L64x1>(13, 50, 13, 1, -4, 4, true);
  test_binary<Maximum, int, int, 16, 64, int, 1, 64, L128x16>(13, 50, 1, 50, -100, 100);
  test_binary<Pow, float, float, 16, 64, float, 16, 64, L128x16>(13, 50, 13, 50, 0.1, 3);
  test_binary<Add, float, float, 32, 256, float, 32, 256, L128x8v4>(31, 255, 31, 255, -4, 4);
  test_binary<Add, float, float, 4, 8, float, 4, 8, L128x16>(3, 5, 3, 5, -4, 4);
  test_binary<Mul, float, __half, 2, 256, float, 1, 256, L128x128>(2, 201, 1, 201, -4, 4);
  test_binary_scalar<Mul, float, false, bf16, 16, 64, float, L128x16>(13, 50, 0.37f, -4, 4);
  test_binary_scalar<Sub, __half, true, float, 1, 128, float, L128x16>(1, 77, 2.5f, -4, 4);
  test_binary_scalar<Add, long long, false, int, 16, 64, long long, L128x16>(13, 50, 1ll << 40,
                                                                             -100, 100);

  test_unary<Neg, float, bf16, 16, 64, L128x16>(13, 50, -4, 4);
  test_unary<Abs, __half, __half, 16, 64, L256x64>(13, 50, -4, 4);
  test_unary<Exp, float, float, 16, 64, L128x16>(13, 50, -10, 10);
  test_unary<Exp, bf16, bf16, 1, 128, L128x16>(1, 77, -10, 10);
  test_unary<Exp2, float, __half, 16, 1, L128x16>(13, 1, -10, 10);
  test_unary<Log, float, float, 16, 64, L128x16>(13, 50, 0.01, 100);
  test_unary<Log, double, double, 16, 64, L64x32>(13, 50, 0.01, 100);
  test_unary<Sqrt, float, float, 16, 64, L128x16>(13, 50, 0, 100);
  test_unary<Rsqrt, float, float, 16, 64, L128x16>(13, 50, 0.01, 100);
  test_unary<Tanh, __half, float, 16, 64, L128x16>(13, 50, -5, 5);
  test_unary<Sigmoid, float, bf16, 16, 64, L64x1>(13, 50, -20, 20);
  test_unary<Erf, float, float, 16, 64, L128x128>(13, 50, -3, 3);
  test_unary<Neg, int, int, 16, 64, L128x16>(13, 50, -100, 100);

  test_logic<float, float, 16, 64, L128x16>(13, 50);
  test_logic<__nv_bfloat16, int, 16, 64, L256x64>(13, 50);
  test_convert();
  test_scalar_ops();
}

// ---- Reductions -----------------------------------------------------------------------------

template <class RT> struct ReduceOut {
  RT *sum, *max, *min, *mean;
  long long *argmax, *argmin;
};

template <class T, class RT, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_reduce(const T *in, int rows, int cols, ReduceOut<RT> by_cols, ReduceOut<RT> by_rows) {
  Frag<T, R, C, L> f;
  load(f, in, C, 1, rows, cols);
  // Over columns: R x 1, stored as a column.
  store(by_cols.sum, reduce_sum_cols<RT>(f), 1, 0);
  store(by_cols.max, reduce_max_cols<RT>(f), 1, 0);
  store(by_cols.min, reduce_min_cols<RT>(f), 1, 0);
  store(by_cols.mean, reduce_mean_cols<RT>(f), 1, 0);
  auto am = reduce_argmax_cols(f);
  static_assert(is_same_v<decltype(am), Frag<long long, R, 1, L>>, "argmax result type");
  store(by_cols.argmax, am, 1, 0);
  store(by_cols.argmin, reduce_argmin_cols<long long>(f), 1, 0);
  // Over rows: 1 x C.
  store(by_rows.sum, reduce_sum_rows<RT>(f), 0, 1);
  store(by_rows.max, reduce_max_rows<RT>(f), 0, 1);
  store(by_rows.min, reduce_min_rows<RT>(f), 0, 1);
  store(by_rows.mean, reduce_mean_rows<RT>(f), 0, 1);
  store(by_rows.argmax, reduce_argmax_rows(f), 0, 1);
  store(by_rows.argmin, reduce_argmin_rows(f), 0, 1);
}

// A reduced row must be the same in every thread: use it in a broadcast and store it all.
template <class T, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_reduce_replicated(const T *in, int rows, int cols, float *out) {
  Frag<T, R, C, L> f;
  load(f, in, C, 1, rows, cols);
  auto centered = sub<float>(f, reduce_max_cols<float>(f));
  auto shifted = sub<float>(centered, reduce_min_rows<float>(centered));
  store(out, shifted, C, 1);
}

// Reductions back to back on the two scratch buffers without closing barriers, the last of each
// iteration keeping its barrier (as generated loop bodies do). Every iteration depends on the one
// before, so a reduction whose buffer the next one overwrites too early gives a wrong value (and
// compute-sanitizer racecheck reports the hazard). Integer-valued data keeps the sums exact.
template <class T, int R, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_reduce_buffers(const T *in, int rows, int cols, int iterations, float *out, float *totals) {
  Frag<T, R, C, L> f;
  load(f, in, C, 1, rows, cols);
  auto x = cast<float>(f);
  auto total = full<float, R, 1, L>(0.0f, rows, 1);
  for (int it = 0; it < iterations; ++it) {
    const auto row_max = reduce_max_cols<float, 0, skip_barrier>(x);
    const auto shifted = sub<float>(x, row_max);
    total = add<float>(total, reduce_sum_cols<float, 1, skip_barrier>(shifted));
    const auto col_min = reduce_min_rows<float, 0, keep_barrier>(shifted);
    x = sub<float>(shifted, col_min);
  }
  store(out, x, C, 1);
  store(totals, total, 1, 0);
}

template <class T> struct ReduceRef {
  double sum = 0, max = -INFINITY, min = INFINITY;
  long long argmax = -1, argmin = -1;
  double amax = 0, amin = 0;
  bool nan = false;
  void add(double x, long long index) {
    sum += x;
    if (std::isnan(x)) {
      if (!nan)
        argmax = argmin = index;
      nan = true;
      return;
    }
    if (nan)
      return;
    if (argmax < 0 || x > amax) {
      amax = x;
      argmax = index;
    }
    if (argmin < 0 || x < amin) {
      amin = x;
      argmin = index;
    }
    max = x > max ? x : max;
    min = x < min ? x : min;
  }
  double max_value() const { return nan ? NAN : max; }
  double min_value() const { return nan ? NAN : min; }
};

template <class T, class RT, int R, int C, class L>
void test_reduce(int rows, int cols, int nan_every = 0) {
  const std::string name = std::string("reduce<") + type_name<RT>() + ">(" + type_name<T>() + " " +
                           shape(R, C, rows, cols) + ") " + layout_name<L>() +
                           (nan_every ? " with NaN" : "");
  std::vector<T> in = random_ints<T>(R * C, -20, 20);
  if (nan_every)
    in = with_nans(in, nan_every);
  Buffer<T> in_d(in);
  std::vector<Buffer<RT> *> values;
  std::vector<Buffer<long long> *> indices;
  for (int k = 0; k < 8; ++k)
    values.push_back(new Buffer<RT>(std::vector<RT>(k < 4 ? R : C, from_double<RT>(kPoison))));
  for (int k = 0; k < 4; ++k)
    indices.push_back(new Buffer<long long>(std::vector<long long>(k < 2 ? R : C, -777)));
  ReduceOut<RT> by_cols{values[0]->device, values[1]->device,  values[2]->device,
                        values[3]->device, indices[0]->device, indices[1]->device};
  ReduceOut<RT> by_rows{values[4]->device, values[5]->device,  values[6]->device,
                        values[7]->device, indices[2]->device, indices[3]->device};
  k_reduce<T, RT, R, C, L><<<1, L::threads>>>(in_d.device, rows, cols, by_cols, by_rows);
  LAUNCH_CHECK();

  using CT = host_compute_t<RT>;
  {
    Checker check(name + " over cols");
    auto sum = values[0]->download(), max = values[1]->download(), min = values[2]->download(),
         mean = values[3]->download();
    auto amax = indices[0]->download(), amin = indices[1]->download();
    for (int r = 0; r < R; ++r) {
      if (r >= rows) {
        check.value(to_double(sum[r]), rounded<RT>(kPoison), "sum", r, 0);
        check.value(static_cast<double>(amax[r]), -777, "argmax", r, 0);
        continue;
      }
      ReduceRef<T> ref;
      for (int c = 0; c < cols; ++c)
        ref.add(to_double(in[r * C + c]), c);
      check.value(to_double(sum[r]), rounded<RT>(ref.sum), "sum", r, 0);
      check.value(to_double(max[r]), rounded<RT>(ref.max_value()), "max", r, 0);
      check.value(to_double(min[r]), rounded<RT>(ref.min_value()), "min", r, 0);
      check.value(to_double(mean[r]), rounded<RT>(static_cast<CT>(ref.sum) / static_cast<CT>(cols)),
                  "mean", r, 0);
      check.value(static_cast<double>(amax[r]), static_cast<double>(ref.argmax), "argmax", r, 0);
      check.value(static_cast<double>(amin[r]), static_cast<double>(ref.argmin), "argmin", r, 0);
    }
  }
  {
    Checker check(name + " over rows");
    auto sum = values[4]->download(), max = values[5]->download(), min = values[6]->download(),
         mean = values[7]->download();
    auto amax = indices[2]->download(), amin = indices[3]->download();
    for (int c = 0; c < C; ++c) {
      if (c >= cols) {
        check.value(to_double(max[c]), rounded<RT>(kPoison), "max", 0, c);
        check.value(static_cast<double>(amin[c]), -777, "argmin", 0, c);
        continue;
      }
      ReduceRef<T> ref;
      for (int r = 0; r < rows; ++r)
        ref.add(to_double(in[r * C + c]), r);
      check.value(to_double(sum[c]), rounded<RT>(ref.sum), "sum", 0, c);
      check.value(to_double(max[c]), rounded<RT>(ref.max_value()), "max", 0, c);
      check.value(to_double(min[c]), rounded<RT>(ref.min_value()), "min", 0, c);
      check.value(to_double(mean[c]), rounded<RT>(static_cast<CT>(ref.sum) / static_cast<CT>(rows)),
                  "mean", 0, c);
      check.value(static_cast<double>(amax[c]), static_cast<double>(ref.argmax), "argmax", 0, c);
      check.value(static_cast<double>(amin[c]), static_cast<double>(ref.argmin), "argmin", 0, c);
    }
  }
  for (auto *v : values)
    delete v;
  for (auto *v : indices)
    delete v;
}

template <class T, int R, int C, class L> void test_reduce_replicated(int rows, int cols) {
  Checker check(std::string("reduce result replicated (x - max_cols(x) - min_rows(...)) ") +
                type_name<T>() + " " + shape(R, C, rows, cols) + " " + layout_name<L>());
  std::vector<T> in = random_ints<T>(R * C, -20, 20);
  Buffer<T> in_d(in);
  Buffer<float> out_d(std::vector<float>(R * C, kPoison));
  k_reduce_replicated<T, R, C, L><<<1, L::threads>>>(in_d.device, rows, cols, out_d.device);
  LAUNCH_CHECK();
  auto out = out_d.download();
  std::vector<double> centered(R * C, 0);
  for (int r = 0; r < rows; ++r) {
    double m = -INFINITY;
    for (int c = 0; c < cols; ++c)
      m = std::max(m, to_double(in[r * C + c]));
    for (int c = 0; c < cols; ++c)
      centered[r * C + c] = to_double(in[r * C + c]) - m;
  }
  for (int c = 0; c < cols; ++c) {
    double m = INFINITY;
    for (int r = 0; r < rows; ++r)
      m = std::min(m, centered[r * C + c]);
    for (int r = 0; r < rows; ++r)
      centered[r * C + c] -= m;
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c)
      check.value(out[r * C + c], r < rows && c < cols ? centered[r * C + c] : kPoison, "out", r,
                  c);
}

template <class T, int R, int C, class L>
void test_reduce_buffers(int rows, int cols, int iterations) {
  Checker check(std::string("reductions alternating scratch buffers ") + type_name<T>() + " " +
                shape(R, C, rows, cols) + " " + layout_name<L>());
  std::vector<T> in = random_ints<T>(R * C, -20, 20);
  Buffer<T> in_d(in);
  Buffer<float> out_d(std::vector<float>(R * C, kPoison)), totals_d(std::vector<float>(R, kPoison));
  k_reduce_buffers<T, R, C, L>
      <<<1, L::threads>>>(in_d.device, rows, cols, iterations, out_d.device, totals_d.device);
  LAUNCH_CHECK();
  std::vector<double> x(R * C, 0), total(R, 0);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      x[r * C + c] = to_double(in[r * C + c]);
  for (int it = 0; it < iterations; ++it) {
    for (int r = 0; r < rows; ++r) {
      double m = -INFINITY;
      for (int c = 0; c < cols; ++c)
        m = std::max(m, x[r * C + c]);
      for (int c = 0; c < cols; ++c) {
        x[r * C + c] -= m;
        total[r] += x[r * C + c];
      }
    }
    for (int c = 0; c < cols; ++c) {
      double m = INFINITY;
      for (int r = 0; r < rows; ++r)
        m = std::min(m, x[r * C + c]);
      for (int r = 0; r < rows; ++r)
        x[r * C + c] -= m;
    }
  }
  auto out = out_d.download(), totals = totals_d.download();
  for (int r = 0; r < R; ++r) {
    check.value(totals[r], r < rows ? total[r] : kPoison, "total", r, 0);
    for (int c = 0; c < C; ++c)
      check.value(out[r * C + c], r < rows && c < cols ? x[r * C + c] : kPoison, "out", r, c);
  }
}

void test_reductions() {
  using bf16 = __nv_bfloat16;
  test_reduce<float, float, 16, 64, L128x16>(13, 50);
  test_reduce<float, float, 16, 64, L128x16>(13, 50, 9);
  test_reduce<bf16, float, 16, 64, L256x64>(13, 50);
  test_reduce<bf16, bf16, 16, 256, L256x64>(13, 200, 23);
  test_reduce<__half, float, 8, 512, L128x128>(5, 333);
  test_reduce<float, float, 64, 16, L64x1>(61, 9);
  test_reduce<float, float, 1, 128, L128x16>(1, 77);
  test_reduce<float, float, 16, 1, L128x16>(13, 1);
  test_reduce<float, float, 4, 8, L128x16>(3, 5);
  test_reduce<float, float, 32, 64, L64x32>(31, 63, 5);
  test_reduce<double, double, 16, 64, L128x16>(13, 50);
  test_reduce<int, long long, 16, 64, L256x64>(13, 50);
  test_reduce<float, float, 64, 256, L128x8v4>(50, 255);
  test_reduce<float, float, 128, 128, Layout<1024, 256>>(100, 99);
  test_reduce_replicated<float, 16, 64, L128x16>(13, 50);
  test_reduce_replicated<bf16, 16, 128, L256x64>(11, 100);
  test_reduce_replicated<float, 32, 8, L64x1>(30, 7);
  // Full tiles take the unmasked fold.
  test_reduce<float, float, 16, 64, L128x16>(16, 64);
  test_reduce<bf16, float, 16, 256, L256x64>(16, 256, 23);
  test_reduce<float, float, 128, 128, Layout<1024, 256>>(128, 128);
  test_reduce<int, long long, 16, 64, L256x64>(16, 64);
  test_reduce_buffers<float, 16, 64, L128x16>(16, 64, 6);
  test_reduce_buffers<bf16, 16, 128, L256x64>(11, 100, 5);
  test_reduce_buffers<float, 8, 512, L128x128>(8, 512, 4);
  test_reduce_buffers<float, 4, 1024, Layout<512, 512>>(3, 1000, 7);
}

// ---- dot ------------------------------------------------------------------------------------

// Tolerance of a dot, relative to the sum of |products|: fp8 products are exact, but the tensor
// cores may add them with fewer bits than float keeps.
template <class T> constexpr double dot_rtol() { return is_fp8_v<T> ? 1e-3 : 1e-5; }

// out (M x N, M <= R, N <= C) = a (M x KT) @ b (KT x N), looping over K-wide tiles.
template <class TA, class TB, int R, int K, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_dot(const TA *a, const TB *b, float *out, int m, int n, int kt) {
  auto acc = full<float, R, C, L>(0.0f, m, n);
  for (int k0 = 0; k0 < kt; k0 += K) {
    const int k = kt - k0 < K ? kt - k0 : K;
    Frag<TA, R, K, L> fa;
    load(fa, a + k0, kt, 1, m, k);
    Frag<TB, K, C, L> fb;
    load(fb, b + static_cast<long long>(k0) * n, n, 1, k, n);
    dot(acc, fa, fb);
  }
  store(out, acc, n, 1);
}

template <class TA, class TB, int R, int K, int C, class L> void test_dot(int m, int n, int kt) {
  Checker check(std::string("dot ") + type_name<TA>() + " x " + type_name<TB>() + " tile " +
                std::to_string(R) + "x" + std::to_string(K) + "x" + std::to_string(C) +
                " problem " + std::to_string(m) + "x" + std::to_string(kt) + "x" +
                std::to_string(n) + " " + layout_name<L>() +
                (detail::dot_mma_eligible<float, R, K, C, TA, TB> ? " (mma)" : " (simt)"));
  std::vector<TA> a = random_values<TA>(static_cast<size_t>(m) * kt, -1, 1);
  std::vector<TB> b = random_values<TB>(static_cast<size_t>(kt) * n, -1, 1);
  Buffer<TA> a_d(a);
  Buffer<TB> b_d(b);
  Buffer<float> out_d(std::vector<float>(static_cast<size_t>(m) * n, kPoison));
  k_dot<TA, TB, R, K, C, L><<<1, L::threads>>>(a_d.device, b_d.device, out_d.device, m, n, kt);
  LAUNCH_CHECK();
  auto out = out_d.download();
  for (int r = 0; r < m; ++r)
    for (int c = 0; c < n; ++c) {
      double want = 0, scale = 0;
      for (int k = 0; k < kt; ++k) {
        const double p = to_double(a[r * kt + k]) * to_double(b[k * n + c]);
        want += p;
        scale += std::fabs(p);
      }
      check.value(out[r * n + c], want, "out", r, c, 0, dot_rtol<TA>() * (scale + 1));
    }
}

// dot_loop: out = a[0:m, k_begin:k_end] @ b[k_begin:k_end, 0:n], b read through strides
// (b_transposed: b stored as n x kt).
template <class TA, class TB, int R, int BK, int C, class L>
__global__ void __launch_bounds__(L::threads)
    k_dot_loop(const TA *a, const TB *b, float *out, int m, int n, int kt, long long k_begin,
               long long b_rs, long long b_cs) {
  auto acc = full<float, R, C, L>(0.0f, m, n);
  dot_loop<BK>(acc, a, kt, 1, b, b_rs, b_cs, k_begin, kt, m, n);
  store(out, acc, n, 1);
}

template <class TA, class TB, int R, int BK, int C, class L>
void test_dot_loop(int m, int n, int kt, int k_begin, bool b_transposed) {
  Checker check(std::string("dot_loop<") + std::to_string(BK) + "> " + type_name<TA>() + " x " +
                type_name<TB>() + " tile " + std::to_string(R) + "x" + std::to_string(C) +
                " problem " + std::to_string(m) + "x[" + std::to_string(k_begin) + "," +
                std::to_string(kt) + ")x" + std::to_string(n) + (b_transposed ? " b^T " : " ") +
                layout_name<L>());
  std::vector<TA> a = random_values<TA>(static_cast<size_t>(m) * kt, -1, 1);
  std::vector<TB> b = random_values<TB>(static_cast<size_t>(kt) * n, -1, 1);
  const long long b_rs = b_transposed ? 1 : n, b_cs = b_transposed ? kt : 1;
  Buffer<TA> a_d(a);
  Buffer<TB> b_d(b);
  Buffer<float> out_d(std::vector<float>(static_cast<size_t>(m) * n, kPoison));
  k_dot_loop<TA, TB, R, BK, C, L>
      <<<1, L::threads>>>(a_d.device, b_d.device, out_d.device, m, n, kt, k_begin, b_rs, b_cs);
  LAUNCH_CHECK();
  auto out = out_d.download();
  for (int r = 0; r < m; ++r)
    for (int c = 0; c < n; ++c) {
      double want = 0, scale = 0;
      for (int k = k_begin; k < kt; ++k) {
        const double p = to_double(a[r * kt + k]) * to_double(b[k * b_rs + c * b_cs]);
        want += p;
        scale += std::fabs(p);
      }
      check.value(out[r * n + c], want, "out", r, c, 0, dot_rtol<TA>() * (scale + 1));
    }
}

// A whole matmul shaped like the generated one: out (m x n, f32) = a (m x kt) @ b (kt x n), one
// BM x BN tile per block, tile pointers offset by rows/columns as the translator emits them.
template <class T, int BM, int BN, int BK, int NT>
__global__ void __launch_bounds__(NT)
    k_dot_matmul(const T *a, const T *b, float *out, long long m, long long n, long long kt,
                 long long lda, long long ldb) {
  using L = Layout<NT, 32>;
  long long pid = program_id(0);
  const long long tn_tiles = (n + BN - 1) / BN;
  const long long tn_begin = pid % tn_tiles * BN;
  const long long tm_begin = pid / tn_tiles * BM;
  const int tn_size = static_cast<int>(n - tn_begin < BN ? n - tn_begin : BN);
  const int tm_size = static_cast<int>(m - tm_begin < BM ? m - tm_begin : BM);
  auto acc = full<float, BM, BN, L>(0.0f, tm_size, tn_size);
  dot_loop<BK>(acc, a + tm_begin * lda, lda, 1LL, b + tn_begin, ldb, 1LL, 0LL, kt, tm_size,
               tn_size);
  store(out + tm_begin * n + tn_begin, acc, n, 1LL);
}

// A rows x cols operand in rows of ld elements, random in [-1, 1); the padding holds NaN, so
// reading it would show.
template <class T> std::vector<T> padded_random(int rows, int cols, int ld) {
  std::vector<T> v = random_values<T>(static_cast<size_t>(rows) * ld, -1, 1);
  for (int r = 0; r < rows; ++r)
    for (int c = cols; c < ld; ++c)
      v[static_cast<size_t>(r) * ld + c] = from_double<T>(NAN);
  return v;
}

// out (m x n) against a @ b in double, within 1e-5 of the sum of |products|.
template <class T>
void check_matmul(Checker &check, const std::vector<float> &out, const std::vector<T> &a,
                  const std::vector<T> &b, int m, int n, int kt, int lda, int ldb) {
  for (int r = 0; r < m; ++r)
    for (int c = 0; c < n; ++c) {
      double want = 0, scale = 0;
      for (int k = 0; k < kt; ++k) {
        const double p = to_double(a[static_cast<size_t>(r) * lda + k]) *
                         to_double(b[static_cast<size_t>(k) * ldb + c]);
        want += p;
        scale += std::fabs(p);
      }
      check.value(out[static_cast<size_t>(r) * n + c], want, "out", r, c, 0,
                  dot_rtol<T>() * (scale + 1));
    }
}

// padded: rows of a and b padded to a multiple of 8 plus 8 (aligned strides with ragged extents).
template <class T, int BM, int BN, int BK, int W>
void test_dot_matmul(int m, int n, int kt, bool padded = false) {
  const int lda = padded ? (kt + 7) / 8 * 8 + 8 : kt, ldb = padded ? (n + 7) / 8 * 8 + 8 : n;
  const bool fast = lda % 8 == 0 && ldb % 8 == 0;
  Checker check(std::string("matmul dot_loop<") + std::to_string(BK) + "> " + type_name<T>() +
                " tile " + std::to_string(BM) + "x" + std::to_string(BN) + " warps " +
                std::to_string(W) + " problem " + std::to_string(m) + "x" + std::to_string(kt) +
                "x" + std::to_string(n) + (padded ? " padded" : "") +
                (fast ? " (pipeline)" : " (fallback)"));
  std::vector<T> a = padded_random<T>(m, kt, lda), b = padded_random<T>(kt, n, ldb);
  Buffer<T> a_d(a);
  Buffer<T> b_d(b);
  Buffer<float> out_d(std::vector<float>(static_cast<size_t>(m) * n, kPoison));
  const long long grid = ((m + BM - 1) / BM) * ((n + BN - 1) / BN);
  k_dot_matmul<T, BM, BN, BK, W * 32>
      <<<static_cast<unsigned>(grid), W * 32>>>(a_d.device, b_d.device, out_d.device, m, n, kt,
                                                lda, ldb);
  LAUNCH_CHECK();
  check_matmul(check, out_d.download(), a, b, m, n, kt, lda, ldb);
}

// dot_loop_store (the generated matmul's k-loop): out (m x n, f32) = a @ b straight from the
// tensor-core registers, in SMEM bytes of dynamic shared memory; INSTR dot_wgmma asks for the
// sm_90a warpgroup pipeline (dot_wgmma.cuh).
template <class T, int BM, int BN, int BK, int NT, int STAGES, int INSTR, int SMEM>
__global__ void __launch_bounds__(NT)
    k_dot_store(const T *a, const T *b, float *out, long long m, long long n, long long kt,
                long long lda, long long ldb) {
  using L = Layout<NT, 32>;
  const long long tn_tiles = (n + BN - 1) / BN;
  const long long tn_begin = program_id(0) % tn_tiles * BN;
  const long long tm_begin = program_id(0) / tn_tiles * BM;
  const int tn_size = static_cast<int>(n - tn_begin < BN ? n - tn_begin : BN);
  const int tm_size = static_cast<int>(m - tm_begin < BM ? m - tm_begin : BM);
  dot_loop_store<BK, STAGES, BM, BN, L, SMEM, INSTR>(out + tm_begin * n + tn_begin, n, 1LL,
                                                     a + tm_begin * lda, lda, 1LL, b + tn_begin,
                                                     ldb, 1LL, 0LL, kt, tm_size, tn_size);
}

// Whether this binary's device code has the sm_90a instructions (read once from the GPU).
__global__ void k_has_wgmma(int *flag) { *flag = TILECC_DEV_HAS_WGMMA; }
bool wgmma_built() {
  static int built = -1;
  if (built < 0) {
    Buffer<int> flag(std::vector<int>(1, 0));
    k_has_wgmma<<<1, 1>>>(flag.device);
    LAUNCH_CHECK();
    built = flag.download()[0];
  }
  return built == 1;
}

// padded: as test_dot_matmul; odd: a row stride that is not a multiple of 8 (the fallback path).
template <class T, int BM, int BN, int BK, int W, int STAGES, int INSTR>
void test_dot_store(int m, int n, int kt, bool padded = false, bool odd = false) {
  // As codegen asks: the wgmma stages where they run, else the mma.sync pipeline's.
  constexpr int SMEM = cmax(detail::wgmma_smem<BM, BN, STAGES, 227 * 1024>::bytes, 64 * 1024);
  const int lda = padded ? (kt + 7) / 8 * 8 + 8 : odd ? kt + 1 : kt;
  const int ldb = padded ? (n + 7) / 8 * 8 + 8 : n;
  constexpr bool wgmma = INSTR == dot_wgmma &&
                         detail::dot_wgmma_eligible<BK, BM, BN, W * 32, T, T, STAGES, SMEM>;
  const bool fast = lda % 8 == 0 && ldb % 8 == 0;
  Checker check(std::string("dot_loop_store<") + std::to_string(BK) + ", " +
                std::to_string(STAGES) + " stages> " + type_name<T>() + " tile " +
                std::to_string(BM) + "x" + std::to_string(BN) + " warps " + std::to_string(W) +
                " problem " + std::to_string(m) + "x" + std::to_string(kt) + "x" +
                std::to_string(n) + (padded ? " padded" : "") +
                (!fast ? " (fallback)" : wgmma && wgmma_built() ? " (wgmma)" : " (mma.sync)"));
  std::vector<T> a = padded_random<T>(m, kt, lda), b = padded_random<T>(kt, n, ldb);
  Buffer<T> a_d(a);
  Buffer<T> b_d(b);
  Buffer<float> out_d(std::vector<float>(static_cast<size_t>(m) * n, kPoison));
  auto kernel = k_dot_store<T, BM, BN, BK, W * 32, STAGES, INSTR, SMEM>;
  CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, SMEM));
  const long long grid = ((m + BM - 1) / BM) * ((n + BN - 1) / BN);
  kernel<<<static_cast<unsigned>(grid), W * 32, SMEM>>>(a_d.device, b_d.device, out_d.device, m,
                                                        n, kt, lda, ldb);
  LAUNCH_CHECK();
  check_matmul(check, out_d.download(), a, b, m, n, kt, lda, ldb);
}

void test_dot_stores() {
  using bf16 = __nv_bfloat16;
  constexpr int W = dot_wgmma, M = dot_mma_sync;
  test_dot_store<bf16, 128, 128, 32, 4, 4, M>(300, 260, 520);
  test_dot_store<bf16, 128, 256, 64, 8, 4, W>(300, 520, 1000);
  test_dot_store<bf16, 128, 256, 64, 8, 4, W>(256, 512, 1024);
  test_dot_store<__half, 128, 256, 64, 8, 3, W>(130, 250, 72);
  test_dot_store<bf16, 128, 128, 64, 8, 2, W>(1, 1, 1);
  test_dot_store<bf16, 128, 128, 64, 4, 4, W>(200, 136, 264);
  test_dot_store<bf16, 128, 128, 64, 4, 5, W>(129, 129, 129, true);
  test_dot_store<__half, 256, 128, 64, 8, 4, W>(300, 200, 520, true);
  test_dot_store<bf16, 64, 64, 64, 4, 4, W>(100, 70, 200);
  test_dot_store<bf16, 128, 256, 64, 8, 4, W>(100, 300, 90, false, true); // fallback
  // fp8: mma.sync m16n8k32 on sm_89+ (bf16 staging before), never wgmma.
  test_dot_store<__nv_fp8_e4m3, 128, 128, 32, 4, 4, M>(300, 260, 520);
  test_dot_store<__nv_fp8_e4m3, 128, 128, 64, 4, 4, W>(130, 70, 200, false, true);
}

void test_dots() {
  using bf16 = __nv_bfloat16;
  test_dot<float, float, 16, 32, 64, L128x16>(13, 50, 29);
  test_dot<float, float, 16, 32, 64, L128x16>(13, 50, 100);
  test_dot<__half, __half, 64, 64, 64, L128x16>(61, 37, 150);
  test_dot<bf16, bf16, 32, 16, 64, L256x64>(29, 50, 77);
  test_dot<__half, __half, 16, 16, 8, L128x16>(13, 7, 40);
  test_dot<bf16, bf16, 128, 32, 128, L128x8v4>(100, 101, 70);
  test_dot<bf16, bf16, 1, 64, 32, L128x16>(1, 29, 100);
  test_dot<__half, float, 16, 16, 64, L64x32>(16, 64, 32);
  test_dot<float, float, 64, 8, 1, L64x1>(50, 1, 20);
  test_dot<double, double, 16, 16, 16, L128x16>(15, 13, 33);
  test_dot<__nv_fp8_e4m3, __nv_fp8_e4m3, 64, 64, 64, L128x16>(61, 37, 150);
  test_dot<__nv_fp8_e5m2, __nv_fp8_e5m2, 32, 32, 64, L256x64>(29, 50, 77);
  test_dot<__nv_fp8_e4m3, __nv_fp8_e4m3, 16, 16, 64, L64x32>(16, 64, 40); // K % 32 != 0: SIMT
  test_dot_loop<__nv_fp8_e4m3, __nv_fp8_e4m3, 64, 32, 64, L128x16>(61, 50, 200, 0, false);
  test_dot_loop<__nv_fp8_e5m2, __nv_fp8_e5m2, 64, 64, 64, L128x16>(37, 60, 150, 3, true);
  test_dot_loop<bf16, bf16, 64, 32, 64, L128x16>(61, 50, 200, 0, false);
  test_dot_loop<__half, __half, 32, 16, 64, L256x64>(32, 64, 77, 5, true);
  test_dot_loop<float, float, 16, 32, 64, L128x16>(13, 50, 100, 0, false);
  test_dot_loop<bf16, bf16, 16, 64, 32, L64x32>(16, 32, 64, 0, false);
  // Big tiles: register-resident products over many steps; one shared stage (64 x 64 x 128).
  test_dot_loop<bf16, bf16, 128, 32, 128, Layout<256, 16>>(120, 110, 300, 0, false);
  test_dot_loop<__half, __half, 64, 64, 128, Layout<256, 16>>(64, 128, 256, 0, false);
  test_dot_loop<__half, __half, 64, 64, 128, Layout<256, 16>>(37, 99, 250, 3, true);
  test_dot<bf16, bf16, 128, 16, 128, Layout<256, 16>>(127, 128, 48);
  // The cp.async pipeline (dot_pipeline.cuh): row-major, 16-byte aligned rows (n, kt % 8 == 0)
  // take it; odd strides, k_begin % 8 != 0 and b^T fall back inside the same kernel.
  using L256x32 = Layout<256, 32>;
  test_dot_loop<bf16, bf16, 128, 32, 128, L256x32>(128, 128, 512, 0, false);
  test_dot_loop<__half, __half, 128, 32, 128, L256x32>(120, 72, 264, 8, false);
  test_dot_loop<bf16, bf16, 128, 32, 128, L256x32>(1, 8, 8, 0, false);
  test_dot_loop<bf16, bf16, 128, 32, 128, L256x32>(17, 32, 72, 0, false);
  test_dot_loop<bf16, bf16, 128, 32, 128, L256x32>(130 - 2, 70 - 6, 257, 0, false); // fallback
  test_dot_loop<bf16, bf16, 128, 32, 128, L256x32>(17, 33, 65, 0, false);           // fallback
  test_dot_loop<__half, __half, 128, 32, 128, L256x32>(1, 1, 1, 0, false);          // fallback
  test_dot_loop<__half, __half, 128, 32, 128, L256x32>(100, 96, 200, 3, false);    // fallback
  test_dot_loop<bf16, bf16, 64, 32, 64, Layout<128, 32>>(64, 40, 1000, 16, false);
  test_dot_loop<__half, __half, 128, 64, 64, Layout<128, 32>>(99, 64, 333 + 3, 0, false);
  test_dot_loop<bf16, bf16, 64, 32, 128, Layout<128, 16>>(50, 128, 40, 0, false);
  test_dot_loop<bf16, bf16, 128, 32, 128, L256x32>(128, 128, 96, 0, true);         // b^T
  test_dot_matmul<bf16, 128, 128, 32, 8>(130, 70, 257);
  test_dot_matmul<__half, 128, 128, 32, 8>(1, 1, 1);
  test_dot_matmul<bf16, 128, 128, 32, 8>(17, 33, 65);
  test_dot_matmul<__half, 128, 128, 32, 8>(130, 72, 264);
  test_dot_matmul<bf16, 128, 128, 32, 8>(512, 512, 512);
  test_dot_matmul<__half, 64, 64, 32, 4>(512, 512, 512);
  test_dot_matmul<bf16, 128, 64, 32, 4>(300, 200, 520);
  test_dot_matmul<bf16, 128, 256, 32, 8>(300, 520, 136);
  test_dot_matmul<bf16, 128, 128, 32, 8>(130, 70, 257, true);
  test_dot_matmul<__half, 128, 128, 32, 8>(1, 1, 1, true);
  test_dot_matmul<bf16, 128, 128, 32, 8>(17, 33, 65, true);
  test_dot_matmul<__half, 64, 128, 64, 4>(200, 150, 301, true);
}

} // namespace

int main() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("templates: no GPU, skipped\n");
    return 0;
  }
  test_load_store();
  test_packed_loads();
  test_access_policies();
  test_tma_policies();
  test_gather<float, int, 16, 64, L128x16>(13, 50);
  test_gather<__half, long long, 32, 128, L256x64>(29, 100);
  test_gather<float, int, 1, 64, L128x16>(1, 50);
  test_atomics();
  test_create<16, 64, L128x16>(13, 50);
  test_create<1, 128, L128x16>(1, 77);
  test_create<16, 1, L256x64>(13, 1);
  test_program_id();
  test_elementwise();
  test_reductions();
  test_dots();
  test_dot_stores();
  std::printf("templates: %d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
