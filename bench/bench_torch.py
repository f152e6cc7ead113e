# PyTorch references for bench/bench_kernels.cu, same sizes, same method:
# CUDA events, L2 flushed before each repetition (by reading 256 MB, or by
# writing it as triton.testing.do_bench does: bench/timing.cuh), median.
import torch

flush = torch.ones(64 << 20, dtype=torch.int32, device="cuda")

def time_ms(fn, reps=30, write_flush=False):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for i in range(reps):
        if write_flush:
            flush.fill_(i)
        else:
            flush.max()  # reads 256 MB, leaves the L2 clean
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2]

m, n = 8192, 4096
x = torch.randn(m, n, device="cuda", dtype=torch.bfloat16)
y = torch.randn(m, n, device="cuda", dtype=torch.bfloat16)
w = torch.randn(n, device="cuda", dtype=torch.bfloat16)
b = torch.randn(n, device="cuda", dtype=torch.bfloat16)
src = torch.empty(1 << 30, dtype=torch.uint8, device="cuda"); dst = torch.empty_like(src)
copy = time_ms(lambda: dst.copy_(src)); copy_tbs = 2 * src.numel() / (copy * 1e-3) / 1e12
copy_w = time_ms(lambda: dst.copy_(src), write_flush=True); copy_tbs_w = 2 * src.numel() / (copy_w * 1e-3) / 1e12
print(f"torch: device copy {copy_tbs:.2f} TB/s (write flush: {copy_tbs_w:.2f})")
two = 2 * x.numel() * 2
for name, fn, by in [
    ("add", lambda: x + y, 3 * x.numel() * 2),
    ("sum (rows)", lambda: x.sum(1), x.numel() * 2 + m * 2),
    ("softmax", lambda: torch.softmax(x, 1), two),
    ("layer_norm", lambda: torch.nn.functional.layer_norm(x, (n,), w, b, 1e-5), two),
    ("rms_norm", lambda: torch.nn.functional.rms_norm(x, (n,), w, 1e-5), two),
]:
    t = time_ms(fn)
    t_w = time_ms(fn, write_flush=True)
    tbs, tbs_w = by / (t * 1e-3) / 1e12, by / (t_w * 1e-3) / 1e12
    print(f"torch {name:12s} {t:8.4f} ms {tbs:6.2f} TB/s {100 * tbs / copy_tbs:6.1f}% of copy"
          f"   write flush: {100 * tbs_w / copy_tbs_w:6.1f}%")

# Attention forward beside test/gpu/check_attention.cu --bench: bf16, batch-heads 32,
# sequence 4096, PyTorch's scaled_dot_product_attention with its flash backend.
from torch.nn.attention import SDPBackend, sdpa_kernel
for d in (64, 128):
    q, k, v = (torch.randn(1, 32, 4096, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    for causal in (False, True):
        with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
            t = time_ms(lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal), reps=10)
        flops = 4 * 32 * 4096 * 4096 * d * (0.5 if causal else 1.0)
        print(f"torch attention bf16 bh 32 s 4096 d {d} {'causal' if causal else 'noncausal':10s} {t:9.3f} ms"
              f"  {flops / t / 1e9:6.1f} TFLOP/s")

# The Helion ports (bench_kernels.cu's rows of the same names), eager and torch.compile.
lq = torch.log_softmax(x.float(), 1).to(torch.bfloat16)
lp = torch.log_softmax(y.float(), 1).to(torch.bfloat16)
pr = lp.float().exp().to(torch.bfloat16)

def jsd_loss(lq, lp, beta=0.5):
    q, p = lq.float().exp(), lp.float().exp()
    mix = torch.lerp(q, p, beta)
    log_m = mix.log()
    kl = torch.nn.functional.kl_div
    return (beta * kl(log_m, lp.float(), reduction="none", log_target=True).sum(1)
            + (1 - beta) * kl(log_m, lq.float(), reduction="none", log_target=True).sum(1)).sum() / lq.shape[0]

ports = [
    ("low_mem_dropout", lambda: torch.nn.functional.dropout(x, 0.3, training=True), two),
    ("kl_div", lambda: torch.nn.functional.kl_div(lq, pr, reduction="batchmean"), two + m * 4),
    ("jsd (loss)", lambda: jsd_loss(lq, lp), two + m * 4),
]
for name, fn, by in ports:
    for how, f in [("eager", fn), ("compile", torch.compile(fn))]:
        t = time_ms(f)
        tbs = by / (t * 1e-3) / 1e12
        print(f"torch {how:7s} {name:16s} {t:8.4f} ms {tbs:6.2f} TB/s {100 * tbs / copy_tbs:6.1f}% of copy")

# Optional: the tilecc ops of `tilecc translate --emit=torch` (torch.ops.tilecc.*) beside PyTorch
# eager, torch.compile and Triton (where it is installed), bf16, same sizes, same time_ms. Needs
# the extensions scripts/gpu_prepare.sh writes (.carry/torch_ops):
#   python3 bench/bench_torch.py --tilecc-ops .carry/torch_ops
import os
import sys

if "--tilecc-ops" in sys.argv:
    ops_dir = os.path.abspath(sys.argv[sys.argv.index("--tilecc-ops") + 1])
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
    sys.path.insert(0, os.path.join(root, "test", "gpu", "torch_ops"))
    import load_ops

    arch = load_ops.load(ops_dir, ["softmax", "layer_norm", "rms_norm", "add", "matmul"], root,
                         os.environ.get("TILECC_TORCH_BUILD", "/tmp/tilecc_torch_ops"))
    tc = torch.ops.tilecc
    out = torch.empty_like(x)

    try:
        import triton
        import triton.language as tlang
    except ImportError:
        triton = None

    triton_rows = {}
    if triton is not None:
        @triton.jit
        def add_kernel(x_ptr, y_ptr, o_ptr, numel, BLOCK: tlang.constexpr):
            offs = tlang.program_id(0) * BLOCK + tlang.arange(0, BLOCK)
            mask = offs < numel
            s = tlang.load(x_ptr + offs, mask=mask).to(tlang.float32) + tlang.load(y_ptr + offs, mask=mask)
            tlang.store(o_ptr + offs, s.to(o_ptr.dtype.element_ty), mask=mask)

        # One row per program, the whole row in registers (n is a power of two here).
        @triton.jit
        def row_kernel(x_ptr, w_ptr, b_ptr, o_ptr, n, eps, KIND: tlang.constexpr, BLOCK: tlang.constexpr):
            row = tlang.program_id(0).to(tlang.int64)
            cols = tlang.arange(0, BLOCK)
            mask = cols < n
            v = tlang.load(x_ptr + row * n + cols, mask=mask, other=0.0).to(tlang.float32)
            if KIND == 0:  # softmax
                e = tlang.exp(tlang.where(mask, v, float("-inf")) - tlang.max(tlang.where(mask, v, float("-inf")), 0))
                r = e / tlang.sum(e, 0)
            elif KIND == 1:  # layer_norm
                mean = tlang.sum(v, 0) / n
                c = tlang.where(mask, v - mean, 0.0)
                r = c * tlang.rsqrt(tlang.sum(c * c, 0) / n + eps)
                r = r * tlang.load(w_ptr + cols, mask=mask).to(tlang.float32) + \
                    tlang.load(b_ptr + cols, mask=mask).to(tlang.float32)
            else:  # rms_norm
                r = v * tlang.rsqrt(tlang.sum(v * v, 0) / n + eps) * tlang.load(w_ptr + cols, mask=mask).to(tlang.float32)
            tlang.store(o_ptr + row * n + cols, r.to(o_ptr.dtype.element_ty), mask=mask)

        def rows(kind):
            return lambda: row_kernel[(m,)](x, w, b, out, n, 1e-5, KIND=kind, BLOCK=triton.next_power_of_2(n),
                                            num_warps=8)

        triton_rows = {
            "add": lambda: add_kernel[(triton.cdiv(x.numel(), 4096),)](x, y, out, x.numel(), BLOCK=4096),
            "softmax": rows(0), "layer_norm": rows(1), "rms_norm": rows(2),
        }

    print(f"tilecc ops: {arch} extensions from {ops_dir}; Triton: "
          f"{triton.__version__ if triton is not None else 'not installed'}")
    eager = {
        "add": lambda: x + y,
        "softmax": lambda: torch.softmax(x, 1),
        "layer_norm": lambda: torch.nn.functional.layer_norm(x, (n,), w, b, 1e-5),
        "rms_norm": lambda: torch.nn.functional.rms_norm(x, (n,), w, 1e-5),
    }
    tilecc_rows = {
        "add": lambda: tc.add(x, y, out),
        "softmax": lambda: tc.softmax(x, out),
        "layer_norm": lambda: tc.layer_norm(x, w, b, 1e-5, out),
        "rms_norm": lambda: tc.rms_norm(x, w, 1e-5, out),
    }
    for name, by in [("add", 3 * x.numel() * 2), ("softmax", two), ("layer_norm", two), ("rms_norm", two)]:
        hows = [("eager", eager[name]), ("compile", torch.compile(eager[name]))]
        if name in triton_rows:
            hows.append(("triton", triton_rows[name]))
        hows.append(("tilecc", tilecc_rows[name]))
        for how, f in hows:
            t = time_ms(f)
            tbs = by / (t * 1e-3) / 1e12
            print(f"ops {how:7s} {name:12s} {t:8.4f} ms {tbs:6.2f} TB/s {100 * tbs / copy_tbs:6.1f}% of copy")

    # bf16 matmul 4096^3: cuBLAS (eager), torch.compile, tilecc.
    a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
    bm = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
    c = torch.empty_like(a)
    for how, f in [("eager", lambda: a @ bm), ("compile", torch.compile(lambda: a @ bm)),
                   ("tilecc", lambda: tc.matmul(a, bm, c))]:
        t = time_ms(f, reps=10)
        print(f"ops {how:7s} matmul bf16 4096^3 {t:8.4f} ms {2 * 4096**3 / t / 1e9:6.1f} TFLOP/s")
