# cuBLAS (torch.matmul) and PyTorch softmax references for scripts/gpu_tune.sh, measured as
# the tuner measures: CUDA events around each call, L2 flushed before each by writing twice
# its size, median.
import torch

l2 = torch.cuda.get_device_properties(0).L2_cache_size
flush = torch.empty(max(2 * l2, 8 << 20) // 4, dtype=torch.int32, device="cuda")

def time_ms(fn, reps=100):
    for _ in range(5):
        fn()
    torch.cuda.synchronize()
    times = []
    for i in range(reps):
        flush.fill_(i)
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize()
        times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2]

x = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
y = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
t = time_ms(lambda: torch.matmul(x, y))
print(f"cublas_matmul_ms = {t:.4f} ms ({2 * 4096**3 / (t * 1e-3) / 1e12:.0f} TFLOP/s)")
s = torch.randn(8192, 4096, device="cuda", dtype=torch.bfloat16)
t = time_ms(lambda: torch.softmax(s, 1))
print(f"torch_softmax_ms = {t:.4f} ms ({2 * s.numel() * 2 / (t * 1e-3) / 1e12:.2f} TB/s)")
