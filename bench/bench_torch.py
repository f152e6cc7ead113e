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
