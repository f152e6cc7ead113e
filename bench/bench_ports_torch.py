# PyTorch equivalents of the ports that bench/bench_ports.cu times, at the same shapes and
# dtypes, each timed eager and through torch.compile (compiled once) the way bench/bench_torch.py
# times: CUDA events, the L2 flushed by reading 256 MB before every repetition, median.
# Prints "torch <eager|compile> <port> <ms> ms" lines, which scripts/gpu_bench_ports.sh joins with
# the tilecc timings (OUT=dir scripts/gpu_bench_ports.sh run). Alone, for some or all ports:
#   python3 bench/bench_ports_torch.py [port ...]
# Every function is compiled and run once before any is timed. With BENCH_PORTS_READY and
# BENCH_PORTS_GATE set (the run script sets them), the script then creates the first file and
# waits for the second before timing, so that the tilecc benchmark has the GPU to itself between.
#
# Where PyTorch has no single op for a port (the jagged ports, rms_norm backward, int4 weights,
# moe and grouped products) the function is the vectorized PyTorch a user would write, with its
# index tensors built from the offsets once, outside the timing. Results match the kernels' up to
# rounding; where dtypes of small outputs differ, a comment says so.
import os
import sys
import time

import torch
import torch.nn.functional as F

dev = "cuda"
bf16 = torch.bfloat16
flush = torch.ones(64 << 20, dtype=torch.int32, device=dev)


def time_ms(fn, reps=30):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        flush.max()  # reads 256 MB, leaves the L2 clean
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2]


def hash16(i):
    """The integer hash bench_ports.cu draws indices and lengths from, in [0, 65536)."""
    return ((i * 2654435761) % (1 << 32)) >> 16


def rand(*shape, lo=-1.0, hi=1.0, dtype=bf16):
    return (torch.rand(*shape, device=dev) * (hi - lo) + lo).to(dtype)


def ids(values):
    return torch.tensor(values, dtype=torch.int64, device=dev)


def jagged_offsets(batches, mean):
    off = [0]
    for b in range(batches):
        off.append(off[-1] + 1 + hash16(b) % (2 * mean - 1))
    return off


ports = []  # (name, function, arguments, repetitions)


def port(name, fn, args, reps=30):
    ports.append((name, fn, args, reps))


# Row kernels over M x N bf16 (64 MiB a tensor).
M, N = 8192, 4096
E = M * N
x, y = rand(M, N), rand(M, N)
w, bias = rand(N), rand(N)


def batch_softmax(x):
    return torch.softmax(x, -1)


def concat(a, b):
    return torch.cat([a, b], 1)


def cross_entropy(logits, labels):
    return F.cross_entropy(logits, labels, reduction="none")  # the loss in bf16 (tilecc: f32)


def cumsum(x):
    return torch.cumsum(x, 1)


def embedding(idx, table):
    return F.embedding(idx, table)


def exp(x):
    return torch.exp(x)


def geglu(a, b):
    return F.gelu(a) * b  # the exact (erf) GELU, as the example


def swiglu(a, b):
    return F.silu(a) * b


def layer_norm_backward(dy, x, mean, rstd, w, b):
    # The backward op PyTorch's autograd runs, from the forward's saved row statistics
    # (the kernel recomputes them); dweight and dbias in bf16 (tilecc: f32).
    return torch.ops.aten.native_layer_norm_backward(dy, x, [x.shape[1]], mean, rstd, w, b, [True, True, True])


def rms_norm_backward(x, w, dy):
    # PyTorch has no public RMS norm backward op: the formula of examples/rms_norm_backward.tile.cpp.
    xf, gf = x.float(), dy.float()
    r = torch.rsqrt(xf.pow(2).mean(1, keepdim=True) + 1e-5)
    gw = gf * w.float()
    dx = r * (gw - xf * (r * r) * (gw * xf).mean(1, keepdim=True))
    return dx.to(x.dtype), (gf * xf * r).sum(0)


def long_sum(x):
    return x.sum(1)


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    c, s = cos[:, None, :], sin[:, None, :]
    return torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], -1).to(x.dtype)


SEG_NODES, SEG_FEATURES = 4096, 1024


def segment_reduction(idx, x):
    return torch.zeros(SEG_NODES, SEG_FEATURES, dtype=torch.float32, device=x.device).index_add_(0, idx, x.float())


def softmax_backward(dy, y):
    return torch._softmax_backward_data(dy, y, 1, y.dtype)


def welford(x, w, b):
    return F.layer_norm(x, (x.shape[1],), w, b, 1e-5)


def gather_gemv(w, idx, v):
    return w[idx] @ v


port("batch_softmax", batch_softmax, (x.view(8, M // 8, N),))
port("concat", concat, (x.view(-1)[: E // 2].view(M, N // 2), y.view(-1)[: E // 2].view(M, N // 2)))
port("cross_entropy", cross_entropy, (x, ids([hash16(i) % N for i in range(M)])))
port("cumsum", cumsum, (x,))
port("embedding", embedding, (ids([hash16(i * 7 + 1) % M for i in range(M)]), x))
port("exp", exp, (x.view(-1),))
port("geglu", geglu, (x, y))
port("swiglu", swiglu, (x, y))
_, ln_mean, ln_rstd = torch.ops.aten.native_layer_norm(x, [N], w, bias, 1e-5)
port("layer_norm_backward", layer_norm_backward, (y, x, ln_mean, ln_rstd, w, bias))
port("rms_norm_backward", rms_norm_backward, (x, w, y))
port("long_sum", long_sum, (x.view(1024, E // 1024),))
rope_s, rope_h, rope_d = 8192, 32, 128
port("rope", rope, (x.view(rope_s, rope_h, rope_d), rand(rope_s, rope_d // 2, dtype=torch.float32),
                    rand(rope_s, rope_d // 2, dtype=torch.float32)))
seg_elements = 32768
port("segment_reduction", segment_reduction,
     (ids([e * SEG_NODES // seg_elements for e in range(seg_elements)]), x.view(seg_elements, SEG_FEATURES)))
port("softmax_backward", softmax_backward, (y, x))  # tilecc: softmax_backward(y=x, dy=y)
port("welford", welford, (x, w, bias))
gg_batch, gg_s, gg_count = 16, 2048, 8
port("gather_gemv", gather_gemv, (rand(gg_batch, gg_s, gg_s), ids([(i * 5 + 3) % gg_batch for i in range(gg_count)]),
                                  rand(gg_s)))

# Jagged: 512 batches of 1..127 rows (mean 64) of 1024 columns.
JB, JD, JL = 512, 1024, 64
j_off = jagged_offsets(JB, 64)
j_total = j_off[-1]
j_len = [j_off[b + 1] - j_off[b] for b in range(JB)]
j_values = rand(j_total, JD)
j_offsets = ids(j_off)
j_seg = torch.repeat_interleave(torch.arange(JB, device=dev), ids(j_len))
j_counts = ids(j_len).float() * JD


def jagged_sum(values, offsets):
    return torch.segment_reduce(values, "sum", offsets=offsets)


def jagged_mean(values, offsets):
    return torch.segment_reduce(values, "mean", offsets=offsets)


def jagged_sum_index_add(values, seg):
    return torch.zeros(JB, JD, device=values.device).index_add_(0, seg, values.float()).to(values.dtype)


def jagged_mean_index_add(values, seg, counts):
    s = torch.zeros(JB, JD, device=values.device).index_add_(0, seg, values.float())
    return (s / (counts / JD)[:, None]).to(values.dtype)


def jagged_softmax(values, seg, seg2d):
    v = values.float()
    mx = torch.full((JB, JD), float("-inf"), device=v.device).scatter_reduce(0, seg2d, v, "amax")
    e = torch.exp(v - mx[seg])
    s = torch.zeros(JB, JD, device=v.device).index_add_(0, seg, e)
    return (e / s[seg]).to(values.dtype)


def jagged_layer_norm(values, seg, counts):
    v = values.float()
    mean = torch.zeros(JB, device=v.device).index_add_(0, seg, v.sum(1)) / counts
    c = v - mean[seg, None]
    var = torch.zeros(JB, device=v.device).index_add_(0, seg, (c * c).sum(1)) / counts
    return (c * torch.rsqrt(var + 1e-5)[seg, None]).to(values.dtype)


def jagged_dense_add(values, dense, gidx, mask):
    return dense + torch.where(mask, values[gidx].view(dense.shape), 0.0)


try:  # segment_reduce: PyTorch's op for sums over offsets; index_add where it is missing
    jagged_sum(j_values, j_offsets)
    jagged_mean(j_values, j_offsets)
    torch.cuda.synchronize()
    port("jagged_sum", jagged_sum, (j_values, j_offsets))
    port("jagged_mean", jagged_mean, (j_values, j_offsets))
except Exception as e:  # noqa: BLE001
    print(f"note: torch.segment_reduce failed ({type(e).__name__}: {e}); jagged_sum / jagged_mean use index_add_")
    port("jagged_sum", jagged_sum_index_add, (j_values, j_seg))
    port("jagged_mean", jagged_mean_index_add, (j_values, j_seg, j_counts))
port("jagged_softmax", jagged_softmax, (j_values, j_seg, j_seg[:, None].expand(-1, JD)))
port("jagged_layer_norm", jagged_layer_norm, (j_values, j_seg, j_counts))
# Dense [JB, JL, JD] plus the jagged rows padded to JL: gidx names the jagged row of every dense
# row (0 where there is none, masked).
j_gidx = [j_off[b] + r if r < j_len[b] else 0 for b in range(JB) for r in range(JL)]
j_mask = torch.tensor([r < j_len[b] for b in range(JB) for r in range(JL)], device=dev).view(JB, JL, 1)
port("jagged_dense_add", jagged_dense_add, (j_values, rand(JB, JL, JD), ids(j_gidx), j_mask))

# Dot kernels.
DOT = 10


def bmm(x, y):
    return torch.bmm(x, y)


def broadcast_matmul(x, y):
    return torch.matmul(x, y)


def matmul_bias_relu(x, y, b):
    return torch.relu(torch.addmm(b, x, y))


def int4_gemm(a, packed):
    # Unpack the nibbles (low: even k) to bf16 weights, then one matmul.
    low = (packed << 4) >> 4
    high = packed >> 4
    wt = torch.stack((low, high), dim=1).reshape(-1, packed.shape[1]).to(a.dtype)
    return a @ wt


def fp8_gemm(a, b, scale_a, scale_b):
    # Tensor-wise scales: (a @ b) * scale_a * scale_b accumulated in float, as the example.
    return torch._scaled_mm(a, b, scale_a=scale_a, scale_b=scale_b, out_dtype=bf16)


def split_k(x, y):
    return x @ y  # cuBLAS picks its own k split; the output in bf16 (tilecc: f32)


def squeeze_and_excitation(x, a, b):
    c = torch.relu(x @ a)
    d = torch.sigmoid(c @ b)
    return c, d, x * d


def matmul_layernorm(x, y, w, b):
    # The product rounded to bf16 before the norm (the kernel normalizes its float accumulator).
    return F.layer_norm(x @ y, (y.shape[1],), w, b, 1e-5)


bs, bb = 2048, 8
port("bmm", bmm, (rand(bb, bs, bs), rand(bb, bs, bs)), DOT)
port("broadcast_matmul", broadcast_matmul, (rand(bb, bs, bs), rand(bs, bs)), DOT)
S = 4096
xs, ys = rand(S, S), rand(S, S)
port("matmul_bias_relu", matmul_bias_relu, (xs, ys, rand(S)), DOT)
port("int4_gemm", int4_gemm, (xs, torch.randint(-128, 128, (S // 2, S), dtype=torch.int8, device=dev)), DOT)
# e4m3 operands from +-400; _scaled_mm takes b column-major: the transpose of a row-major [n, k].
port("fp8_gemm", fp8_gemm, (rand(S, S, lo=-400, hi=400, dtype=torch.float8_e4m3fn),
                            rand(S, S, lo=-400, hi=400, dtype=torch.float8_e4m3fn).t(),
                            torch.tensor(1.0 / 400, device=dev), torch.tensor(1.0 / 200, device=dev)), DOT)
port("split_k", split_k, (rand(512, 65536), rand(65536, 512)), DOT)

G_OFF = jagged_offsets(16, 256)
G_BOUNDS = [(G_OFF[g], G_OFF[g + 1]) for g in range(16)]


def grouped_gemm(a, b):
    return torch.cat([a[s:e] @ b for s, e in G_BOUNDS])


port("grouped_gemm", grouped_gemm, (rand(G_OFF[-1], S), rand(S, S)), DOT)

MOE_T, MOE_E, MOE_K, MOE_N = 8192, 8, 2048, 2048
moe_expert = [hash16(t) % MOE_E for t in range(MOE_T)]
moe_order = sorted(range(MOE_T), key=lambda t: moe_expert[t])  # stable: tokens in order within an expert
moe_off = [0] * (MOE_E + 1)
for ex in moe_expert:
    moe_off[ex + 1] += 1
for ex in range(MOE_E):
    moe_off[ex + 1] += moe_off[ex]
moe_ids = [ids(moe_order[moe_off[ex]:moe_off[ex + 1]]) for ex in range(MOE_E)]


def moe_matmul(a, w, token_ids):
    out = torch.empty(a.shape[0], w.shape[2], dtype=a.dtype, device=a.device)
    for ex in range(len(token_ids)):
        out[token_ids[ex]] = a[token_ids[ex]] @ w[ex]
    return out


port("moe_matmul", moe_matmul, (rand(MOE_T, MOE_K), rand(MOE_E, MOE_K, MOE_N), moe_ids), DOT)
se_x = rand(M, N)
port("squeeze_and_excitation", squeeze_and_excitation,
     (se_x, rand(N, 256, lo=-0.05, hi=0.05), rand(256, N, lo=-0.05, hi=0.05)), DOT)
port("matmul_layernorm", matmul_layernorm, (se_x, rand(N, 128), rand(128, lo=0.5, hi=1.5), rand(128)), DOT)

wanted = set(sys.argv[1:])
if wanted:
    ports = [p for p in ports if p[0] in wanted]

# Compile (and run) everything first, then time.
print(f"PyTorch {torch.__version__} on {torch.cuda.get_device_name()}")
start = time.time()
runs = []  # (name, how, callable, reps)
for name, fn, args, reps in ports:
    try:
        fn(*args)
        torch.cuda.synchronize()
    except Exception as e:  # noqa: BLE001
        print(f"note: eager {name} failed: {type(e).__name__}: {e}")
        continue
    runs.append((name, "eager", lambda fn=fn, args=args: fn(*args), reps))
    try:
        compiled = torch.compile(fn, dynamic=False)
        compiled(*args)
        torch.cuda.synchronize()
        runs.append((name, "compile", lambda f=compiled, args=args: f(*args), reps))
    except Exception as e:  # noqa: BLE001
        print(f"note: torch.compile {name} failed: {type(e).__name__}: {str(e)[:300]}")
print(f"compiled {sum(how == 'compile' for _, how, _, _ in runs)} functions in {time.time() - start:.0f} s")
sys.stdout.flush()

ready, gate = os.environ.get("BENCH_PORTS_READY"), os.environ.get("BENCH_PORTS_GATE")
if ready:
    open(ready, "w").close()
if gate:
    waited = time.time()
    while not os.path.exists(gate) and time.time() - waited < 900:
        time.sleep(0.5)

for name, how, f, reps in runs:
    try:
        t = time_ms(f, reps)
    except Exception as e:  # noqa: BLE001
        print(f"note: timing {how} {name} failed: {type(e).__name__}: {e}")
        continue
    print(f"torch {how} {name} {t:.5f} ms")
    sys.stdout.flush()
