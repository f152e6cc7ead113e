// Benchmark (not a test): the example ports that bench/bench_kernels.cu does not time, each at
// its default translation, bf16 (fp8 and int4 weights where the example is about them), at one
// large shape. Memory-bound kernels move ~64-200 MB; the dot kernels are 4096-class products.
// Same method as bench_kernels.cu: CUDA events, L2 flushed by reading 256 MB before every
// repetition, median (bench/timing.cuh). Prints, for the table that scripts/gpu_bench_ports.sh
// joins with the PyTorch timings of bench/bench_ports_torch.py (same shapes and dtypes):
//   copy <ms> ms <GB/s> GB/s                         device copy of 1 GiB, read + write
//   port <name> <shape> <ms> ms bytes|flops <count>  one per port
// Build and run: scripts/gpu_bench_ports.sh prepare (here), then on the GPU machine
//   OUT=dir scripts/gpu_bench_ports.sh run
#include <cuda_bf16.h>
#include <cuda_fp8.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <numeric>
#include <string>
#include <type_traits>
#include <vector>

#include "gen/batch_softmax.cu"
#include "gen/bmm.cu"
#include "gen/broadcast_matmul.cu"
#include "gen/concat.cu"
#include "gen/cross_entropy.cu"
#include "gen/cumsum.cu"
#include "gen/embedding.cu"
#include "gen/exp.cu"
#include "gen/fp8_gemm.cu"
#include "gen/gather_gemv.cu"
#include "gen/geglu.cu"
#include "gen/grouped_gemm.cu"
#include "gen/int4_gemm.cu"
#include "gen/jagged.cu"
#include "gen/jagged_dense_add.cu"
#include "gen/jagged_layer_norm.cu"
#include "gen/jagged_softmax.cu"
#include "gen/layer_norm_backward.cu"
#include "gen/long_sum.cu"
#include "gen/matmul_bias_relu.cu"
#include "gen/matmul_layernorm.cu"
#include "gen/moe_matmul.cu"
#include "gen/rms_norm_backward.cu"
#include "gen/rope.cu"
#include "gen/segment_reduction.cu"
#include "gen/softmax_backward.cu"
#include "gen/split_k.cu"
#include "gen/squeeze_and_excitation.cu"
#include "gen/swiglu.cu"
#include "gen/welford.cu"
// Variants: the same ports translated with another config (scripts/gpu_bench_ports.sh's
// `variants`), in namespaces of their own; the headers they include are already in.
namespace variant_persistent {
#include "gen/layer_norm_backward_persistent.cu"
}  // namespace variant_persistent

#include "../test/support/cuda_check.hpp"
#include "timing.cuh"

namespace {

using bf16 = __nv_bfloat16;
using fp8 = __nv_fp8_e4m3;
using i64 = tilecc::i64;
template <class T, int R> using Ten = tilecc::Tensor<T, R>;
template <class T, int R> using In = tilecc::Tensor<const T, R>;

bench::Timer* timer = nullptr;

/// The integer hash both this file and bench_ports_torch.py draw indices and lengths from:
/// (i * 2654435761 mod 2^32) >> 16, in [0, 65536).
long long hash16(long long i) {
  return static_cast<long long>((static_cast<std::uint64_t>(i) * 2654435761ull) & 0xffffffffull) >> 16;
}

__global__ void fill_kernel_f32(float* p, size_t n, unsigned seed, float lo, float hi) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x) {
    unsigned x = unsigned(i) * 0x9E3779B1u ^ unsigned(i >> 32) * 0x85EBCA77u ^ seed * 0xC2B2AE3Du;
    x ^= x >> 15;
    x *= 0x2C1B3C6Du;
    x ^= x >> 12;
    x *= 0x297A2D39u;
    x ^= x >> 15;
    p[i] = lo + (hi - lo) * float(x >> 8) * (1.0f / 16777216.0f);
  }
}

template <class T> __global__ void convert_kernel(const float* src, T* dst, size_t n) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < n; i += size_t(gridDim.x) * blockDim.x)
    dst[i] = T(src[i]);
}

/// Device memory of n elements, freed at the end of the port's scope.
template <class T> struct Buf {
  T* p = nullptr;
  size_t n = 0;
  explicit Buf(size_t count) : n(count) { CUDA_OK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T))); }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  ~Buf() { cudaFree(p); }
  /// Uniform values in [lo, hi), drawn on the device (for float types).
  Buf& random(unsigned seed, float lo = -1, float hi = 1) {
    if constexpr (std::is_same_v<T, float>) {
      fill_kernel_f32<<<1024, 256>>>(p, n, seed, lo, hi);
    } else {
      Buf<float> f(n);
      fill_kernel_f32<<<1024, 256>>>(f.p, n, seed, lo, hi);
      convert_kernel<T><<<1024, 256>>>(f.p, p, n);
      CUDA_OK(cudaDeviceSynchronize());
    }
    CUDA_OK(cudaGetLastError());
    return *this;
  }
  Buf& upload(const std::vector<T>& h) {
    CUDA_OK(cudaMemcpy(p, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice));
    return *this;
  }
};

/// Times one port (the first call checked; a launcher that refuses the shape is reported and
/// skipped) and prints its line: bytes moved for memory-bound ports, flops for dot ports.
void port(const char* name, const std::string& shape, const char* unit, double amount,
          const std::function<cudaError_t()>& fn, int reps = 30) {
  const cudaError_t first = fn();
  if (first != cudaSuccess) {
    std::printf("note: %s not timed: %s (%s)\n", name, cudaGetErrorString(first),
                tilecc::last_launch_message().c_str());
    return;
  }
  CUDA_OK(cudaDeviceSynchronize());
  const double ms = timer->median_ms([&] { CUDA_OK(fn()); }, reps);
  std::printf("port %s %s %.5f ms %s %.0f\n", name, shape.c_str(), ms, unit, amount);
  std::fflush(stdout);
}

std::string dims(std::initializer_list<long long> d) {
  std::string s;
  for (long long v : d) {
    if (!s.empty()) s += 'x';
    s += std::to_string(v);
  }
  return s;
}

/// Batches of lengths 1 + hash16(b) % (2 * mean - 1) (mean `mean`), as offsets.
std::vector<i64> jagged_offsets(long long batches, long long mean) {
  std::vector<i64> off(batches + 1, 0);
  for (long long b = 0; b < batches; ++b) off[b + 1] = off[b] + 1 + hash16(b) % (2 * mean - 1);
  return off;
}

// Row kernels over M x N bf16 (64 MiB a tensor).
constexpr long long M = 8192, N = 4096, E = M * N;

void row_ports() {
  Buf<bf16> x(E), y(E), out(E);
  x.random(1);
  y.random(2);
  Buf<bf16> w(N), bias(N);
  w.random(3);
  bias.random(4);
  const double b2 = 2.0 * E * 2, b3 = 3.0 * E * 2;
  const std::string mn = dims({M, N});

  port("batch_softmax", dims({8, M / 8, N}), "bytes", b2, [&] {
    return batch_softmax<bf16>(In<bf16, 3>(x.p, {8, M / 8, N}), Ten<bf16, 3>(out.p, {8, M / 8, N}));
  });
  port("concat", "8192x(2048+2048)", "bytes", b2, [&] {
    return concat<bf16>(In<bf16, 2>(x.p, {M, N / 2}), In<bf16, 2>(y.p, {M, N / 2}), Ten<bf16, 2>(out.p, {M, N}));
  });
  {
    std::vector<i64> labels(M);
    for (long long i = 0; i < M; ++i) labels[i] = hash16(i) % N;
    Buf<i64> dl(M);
    dl.upload(labels);
    Buf<float> loss(M);
    port("cross_entropy", mn, "bytes", E * 2.0 + M * 12.0, [&] {
      return cross_entropy<bf16>(In<bf16, 2>(x.p, {M, N}), In<i64, 1>(dl.p, {M}), Ten<float, 1>(loss.p, {M}));
    });
  }
  port("cumsum", mn, "bytes", b2, [&] { return cumsum<bf16>(In<bf16, 2>(x.p, {M, N}), Ten<bf16, 2>(out.p, {M, N})); });
  {
    // out[i, :] = table[idx[i], :] for M indices into a table of M rows of N.
    std::vector<i64> idx(M);
    for (long long i = 0; i < M; ++i) idx[i] = hash16(i * 7 + 1) % M;
    Buf<i64> di(M);
    di.upload(idx);
    port("embedding", dims({M, N}) + "[" + std::to_string(M) + "]", "bytes", b2 + M * 8.0, [&] {
      return embedding<bf16>(In<i64, 1>(di.p, {M}), In<bf16, 2>(x.p, {M, N}), Ten<bf16, 2>(out.p, {M, N}));
    });
  }
  port("exp", dims({E}), "bytes", b2, [&] { return exp<bf16>(In<bf16, 1>(x.p, {E}), Ten<bf16, 1>(out.p, {E})); });
  port("geglu", mn, "bytes", b3, [&] {
    return geglu<bf16>(In<bf16, 2>(x.p, {M, N}), In<bf16, 2>(y.p, {M, N}), Ten<bf16, 2>(out.p, {M, N}));
  });
  port("swiglu", mn, "bytes", b3, [&] {
    return swiglu<bf16>(In<bf16, 2>(x.p, {M, N}), In<bf16, 2>(y.p, {M, N}), Ten<bf16, 2>(out.p, {M, N}));
  });
  {
    // dweight / dbias are float sums the kernel adds into: zeroed inside every timed call.
    Buf<float> dw(N), db(N);
    port("layer_norm_backward", mn, "bytes", b3 + N * 2.0 * 2, [&] {
      CUDA_OK(cudaMemsetAsync(dw.p, 0, N * sizeof(float)));
      CUDA_OK(cudaMemsetAsync(db.p, 0, N * sizeof(float)));
      return layer_norm_backward<bf16>(In<bf16, 2>(x.p, {M, N}), In<bf16, 1>(w.p, {N}), In<bf16, 2>(y.p, {M, N}), 1e-5f,
                                       Ten<bf16, 2>(out.p, {M, N}), Ten<float, 1>(dw.p, {N}), Ten<float, 1>(db.p, {N}));
    });
    port("layer_norm_backward:persistent", mn, "bytes", b3 + N * 2.0 * 2, [&] {
      CUDA_OK(cudaMemsetAsync(dw.p, 0, N * sizeof(float)));
      CUDA_OK(cudaMemsetAsync(db.p, 0, N * sizeof(float)));
      return variant_persistent::layer_norm_backward<bf16>(In<bf16, 2>(x.p, {M, N}), In<bf16, 1>(w.p, {N}),
                                                           In<bf16, 2>(y.p, {M, N}), 1e-5f, Ten<bf16, 2>(out.p, {M, N}),
                                                           Ten<float, 1>(dw.p, {N}), Ten<float, 1>(db.p, {N}));
    });
    port("rms_norm_backward", mn, "bytes", b3 + N * 2.0, [&] {
      CUDA_OK(cudaMemsetAsync(dw.p, 0, N * sizeof(float)));
      return rms_norm_backward<bf16>(In<bf16, 2>(x.p, {M, N}), In<bf16, 1>(w.p, {N}), In<bf16, 2>(y.p, {M, N}), 1e-5f,
                                     Ten<bf16, 2>(out.p, {M, N}), Ten<float, 1>(dw.p, {N}));
    });
  }
  {
    const long long rows = 1024, cols = E / rows;  // rows of 32768 elements
    port("long_sum", dims({rows, cols}), "bytes", E * 2.0 + rows * 2.0, [&] {
      return long_sum<bf16>(In<bf16, 2>(x.p, {rows, cols}), Ten<bf16, 1>(out.p, {rows}));
    });
  }
  {
    // Rotary embedding of [positions, heads, head dim] with float cos / sin tables.
    const long long s = 8192, h = 32, d = 128, half = d / 2;
    Buf<float> c(s * half), sn(s * half);
    c.random(5);
    sn.random(6);
    port("rope", dims({s, h, d}), "bytes", b2 + 2.0 * s * half * 4, [&] {
      return rope<bf16>(In<bf16, 3>(x.p, {s, h, d}), In<float, 2>(c.p, {s, half}), In<float, 2>(sn.p, {s, half}),
                        Ten<bf16, 3>(out.p, {s, h, d}));
    });
  }
  {
    // scatter-add of element rows into nodes (sorted indices, 8 elements a node); the float
    // output is zeroed inside every timed call.
    const long long elements = 32768, features = 1024, nodes = 4096;
    std::vector<i64> idx(elements);
    for (long long e = 0; e < elements; ++e) idx[e] = e * nodes / elements;
    Buf<i64> di(elements);
    di.upload(idx);
    Buf<float> acc(nodes * features);
    port("segment_reduction", dims({elements, features}) + "->" + std::to_string(nodes), "bytes",
         elements * features * 2.0 + nodes * features * 4.0 + elements * 8.0, [&] {
           CUDA_OK(cudaMemsetAsync(acc.p, 0, nodes * features * sizeof(float)));
           return segment_reduction<bf16>(In<i64, 1>(di.p, {elements}), In<bf16, 2>(x.p, {elements, features}),
                                          Ten<float, 2>(acc.p, {nodes, features}));
         });
  }
  port("softmax_backward", mn, "bytes", b3, [&] {
    return softmax_backward<bf16>(In<bf16, 2>(x.p, {M, N}), In<bf16, 2>(y.p, {M, N}), Ten<bf16, 2>(out.p, {M, N}));
  });
  port("welford", mn, "bytes", b2, [&] {
    return welford<bf16>(In<bf16, 2>(x.p, {M, N}), In<bf16, 1>(w.p, {N}), In<bf16, 1>(bias.p, {N}), 1e-5f,
                         Ten<bf16, 2>(out.p, {M, N}));
  });
  {
    // 8 gathered 2048 x 2048 matrices (of 16) times a vector: 64 MiB of weights read.
    const long long batch = 16, s = 2048, count = 8;
    Buf<bf16> wm(batch * s * s), v(s), o(count * s);
    wm.random(7);
    v.random(8);
    std::vector<i64> idx(count);
    for (long long i = 0; i < count; ++i) idx[i] = (i * 5 + 3) % batch;
    Buf<i64> di(count);
    di.upload(idx);
    port("gather_gemv", dims({batch, s, s}) + "[" + std::to_string(count) + "]", "bytes",
         count * s * s * 2.0 + s * 2.0 + count * s * 2.0, [&] {
           return gather_gemv<bf16>(In<bf16, 3>(wm.p, {batch, s, s}), In<i64, 1>(di.p, {count}), In<bf16, 1>(v.p, {s}),
                                    Ten<bf16, 2>(o.p, {count, s}));
         });
  }
}

void jagged_ports() {
  // 512 batches of 1..127 rows (mean 64) of 1024 columns: ~64 MiB of values.
  const long long batches = 512, d = 1024, max_len = 64;
  const auto off = jagged_offsets(batches, 64);
  const long long total = off.back();
  Buf<i64> doff(batches + 1);
  doff.upload(off);
  Buf<bf16> v(total * d), out(total * d), sums(batches * d);
  v.random(11);
  const In<i64, 1> o(doff.p, {batches + 1});
  const std::string shape = std::to_string(batches) + "b," + dims({total, d});
  const double vb = total * d * 2.0;
  port("jagged_sum", shape, "bytes", vb + batches * d * 2.0, [&] {
    return jagged_sum<bf16>(o, In<bf16, 2>(v.p, {total, d}), Ten<bf16, 2>(sums.p, {batches, d}));
  });
  port("jagged_mean", shape, "bytes", vb + batches * d * 2.0, [&] {
    return jagged_mean<bf16>(o, In<bf16, 2>(v.p, {total, d}), Ten<bf16, 2>(sums.p, {batches, d}));
  });
  port("jagged_softmax", shape, "bytes", 2 * vb, [&] {
    return jagged_softmax<bf16>(o, In<bf16, 2>(v.p, {total, d}), Ten<bf16, 2>(out.p, {total, d}));
  });
  port("jagged_layer_norm", shape, "bytes", 2 * vb, [&] {
    return jagged_layer_norm<bf16>(o, In<bf16, 2>(v.p, {total, d}), 1e-5f, Ten<bf16, 2>(out.p, {total, d}));
  });
  {
    Buf<bf16> dense(batches * max_len * d), dout(batches * max_len * d);
    dense.random(12);
    long long used = 0;
    for (long long b = 0; b < batches; ++b) used += std::min<long long>(off[b + 1] - off[b], max_len);
    port("jagged_dense_add", shape + "+" + dims({batches, max_len, d}), "bytes",
         2.0 * batches * max_len * d * 2 + used * d * 2.0, [&] {
           return jagged_dense_add<bf16>(o, In<bf16, 2>(v.p, {total, d}), In<bf16, 3>(dense.p, {batches, max_len, d}),
                                         Ten<bf16, 3>(dout.p, {batches, max_len, d}));
         });
  }
}

void dot_ports() {
  const int reps = 10;
  {
    const long long b = 8, s = 2048;
    Buf<bf16> x(b * s * s), y(b * s * s), out(b * s * s);
    x.random(21);
    y.random(22);
    const double flops = 2.0 * b * s * s * s;
    port(
        "bmm", dims({b, s, s, s}), "flops", flops,
        [&] {
          return bmm<bf16>(In<bf16, 3>(x.p, {b, s, s}), In<bf16, 3>(y.p, {b, s, s}), Ten<bf16, 3>(out.p, {b, s, s}));
        },
        reps);
    port(
        "broadcast_matmul", dims({b, s, s, s}), "flops", flops,
        [&] {
          return broadcast_matmul<bf16>(In<bf16, 3>(x.p, {b, s, s}), In<bf16, 2>(y.p, {s, s}),
                                        Ten<bf16, 3>(out.p, {b, s, s}));
        },
        reps);
  }
  {
    const long long s = 4096;
    Buf<bf16> x(s * s), y(s * s), bias(s), out(s * s);
    x.random(23);
    y.random(24);
    bias.random(25);
    port(
        "matmul_bias_relu", dims({s, s, s}), "flops", 2.0 * s * s * s,
        [&] {
          return matmul_bias_relu<bf16>(In<bf16, 2>(x.p, {s, s}), In<bf16, 2>(y.p, {s, s}), In<bf16, 1>(bias.p, {s}),
                                        Ten<bf16, 2>(out.p, {s, s}));
        },
        reps);
    // int4 weights [k, n] packed two per byte along k; a viewed as [m, k / 2, 2].
    Buf<tilecc::i8> packed(s / 2 * s);
    CUDA_OK(cudaMemset(packed.p, 0x5b, s / 2 * s));
    port(
        "int4_gemm", dims({s, s, s}), "flops", 2.0 * s * s * s,
        [&] {
          return int4_gemm<bf16>(In<bf16, 3>(x.p, {s, s / 2, 2}), In<tilecc::i8, 2>(packed.p, {s / 2, s}),
                                 Ten<bf16, 2>(out.p, {s, s}));
        },
        reps);
    // e4m3 operands from +-400 with per-tensor scales (test/gpu/check_ports.cu); b column-major,
    // the layout torch._scaled_mm takes (and sm_90a's fp8 wgmma reads).
    Buf<fp8> a8(s * s), b8(s * s);
    a8.random(26, -400, 400);
    b8.random(27, -400, 400);
    port(
        "fp8_gemm", dims({s, s, s}), "flops", 2.0 * s * s * s,
        [&] {
          return fp8_gemm<bf16>(In<fp8, 2>(a8.p, {s, s}), In<fp8, 2>(b8.p, {s, s}, {1, s}), 1.0f / 400, 1.0f / 200,
                                Ten<bf16, 2>(out.p, {s, s}));
        },
        reps);
  }
  {
    // Small output, long k: 32 splits of 2048; the float output zeroed inside every timed call.
    const long long m = 512, n = 512, k = 65536, splits = 32;
    Buf<bf16> x(m * k), y(k * n);
    x.random(28);
    y.random(29);
    Buf<float> out(m * n);
    port(
        "split_k", dims({m, k, n}) + "/" + std::to_string(splits), "flops", 2.0 * m * n * k,
        [&] {
          CUDA_OK(cudaMemsetAsync(out.p, 0, m * n * sizeof(float)));
          return split_k<bf16>(In<bf16, 2>(x.p, {m, k}), In<bf16, 2>(y.p, {k, n}), splits,
                               Ten<float, 2>(out.p, {m, n}));
        },
        reps);
  }
  {
    // 16 groups of 1..511 rows (mean 256) against one shared [4096, 4096] operand.
    const long long groups = 16, k = 4096, n = 4096;
    const auto off = jagged_offsets(groups, 256);
    const long long rows = off.back();
    Buf<bf16> a(rows * k), b(k * n), out(rows * n);
    a.random(30);
    b.random(31);
    Buf<i64> doff(groups + 1);
    doff.upload(off);
    port(
        "grouped_gemm", std::to_string(groups) + "g," + dims({rows, k, n}), "flops", 2.0 * rows * k * n,
        [&] {
          return grouped_gemm<bf16>(In<bf16, 2>(a.p, {rows, k}), In<bf16, 2>(b.p, {k, n}),
                                    In<i64, 1>(doff.p, {groups + 1}), Ten<bf16, 2>(out.p, {rows, n}));
        },
        reps);
  }
  {
    // 8192 tokens routed to 8 experts of [2048, 2048] (expert of token t: hash16(t) % 8).
    const long long tokens = 8192, experts = 8, k = 2048, n = 2048;
    std::vector<i64> expert(tokens), order(tokens), off(experts + 1, 0);
    for (long long t = 0; t < tokens; ++t) expert[t] = hash16(t) % experts;
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](i64 p, i64 q) { return expert[p] < expert[q]; });
    for (i64 e : expert) ++off[e + 1];
    std::partial_sum(off.begin(), off.end(), off.begin());
    Buf<bf16> a(tokens * k), w(experts * k * n), out(tokens * n);
    a.random(32);
    w.random(33);
    Buf<i64> doff(experts + 1), dorder(tokens);
    doff.upload(off);
    dorder.upload(order);
    port(
        "moe_matmul", std::to_string(tokens) + "t," + std::to_string(experts) + "e," + dims({k, n}), "flops",
        2.0 * tokens * k * n,
        [&] {
          return moe_matmul<bf16>(In<bf16, 2>(a.p, {tokens, k}), In<bf16, 3>(w.p, {experts, k, n}),
                                  In<i64, 1>(doff.p, {experts + 1}), In<i64, 1>(dorder.p, {tokens}),
                                  Ten<bf16, 2>(out.p, {tokens, n}));
        },
        reps);
  }
  {
    // Both kernels of the block, c = relu(x @ a), d = sigmoid(c @ b), out = x * d, in one time.
    const long long m = 8192, n = 4096, k = 256;
    Buf<bf16> x(m * n), a(n * k), b(k * n), c(m * k), d(m * n), out(m * n);
    x.random(34);
    a.random(35, -0.05f, 0.05f);
    b.random(36, -0.05f, 0.05f);
    port(
        "squeeze_and_excitation", dims({m, n, k}), "flops", 4.0 * m * n * k,
        [&] {
          const cudaError_t e =
              se_squeeze<bf16>(In<bf16, 2>(x.p, {m, n}), In<bf16, 2>(a.p, {n, k}), Ten<bf16, 2>(c.p, {m, k}));
          if (e != cudaSuccess) return e;
          return se_excite<bf16>(In<bf16, 2>(x.p, {m, n}), In<bf16, 2>(c.p, {m, k}), In<bf16, 2>(b.p, {k, n}),
                                 Ten<bf16, 2>(d.p, {m, n}), Ten<bf16, 2>(out.p, {m, n}));
        },
        reps);
    // The default translation holds rows of the product of up to 128 columns (full_extent 128).
    const long long ln = 128;
    Buf<bf16> y(n * ln), w(ln), bias(ln), o(m * ln);
    y.random(37);
    w.random(38, 0.5f, 1.5f);
    bias.random(39);
    port(
        "matmul_layernorm", dims({m, n, ln}), "flops", 2.0 * m * n * ln,
        [&] {
          return matmul_layernorm<bf16>(In<bf16, 2>(x.p, {m, n}), In<bf16, 2>(y.p, {n, ln}), In<bf16, 1>(w.p, {ln}),
                                        In<bf16, 1>(bias.p, {ln}), 1e-5f, Ten<bf16, 2>(o.p, {m, ln}));
        },
        reps);
  }
}

}  // namespace

int main() {
  if (!tilecc::test::gpu_present()) return 0;
  cudaDeviceProp prop{};
  CUDA_OK(cudaGetDeviceProperties(&prop, 0));
  std::printf("GPU: %s, %d SMs\n", prop.name, prop.multiProcessorCount);
  bench::Timer t;
  timer = &t;
  {
    // Reference: device-to-device copy of 1 GiB, counting bytes read + written.
    const size_t bytes = 1ull << 30;
    Buf<char> src(bytes), dst(bytes);
    CUDA_OK(cudaMemset(src.p, 1, bytes));
    const double ms = t.median_ms([&] { CUDA_OK(cudaMemcpyAsync(dst.p, src.p, bytes, cudaMemcpyDeviceToDevice)); });
    const double copy_gbs = 2.0 * bytes / (ms * 1e-3) / 1e9;
    std::printf("copy %.5f ms %.1f GB/s\n", ms, copy_gbs);
  }
  row_ports();
  jagged_ports();
  dot_ports();
  return 0;
}
