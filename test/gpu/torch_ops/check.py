# The ops of `tilecc translate --emit=torch` against PyTorch, on the GPU: builds the extensions
# scripts/gpu_prepare.sh wrote into .carry/torch_ops with torch.utils.cpp_extension.load, runs
# each op at odd sizes in float32 and bfloat16 and compares with PyTorch (computed in float from
# the same inputs), then checks that bad arguments raise errors naming the argument.
#
#   python3 check.py <tilecc source root> <ops folder (.carry/torch_ops)> <build folder>
#
# Exit 0: all passed; 1: a failure; 77 (ctest: skipped): no torch, no GPU or no translations.
import os
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("no torch: skipped")
    sys.exit(77)
if not torch.cuda.is_available():
    print("no CUDA device visible to torch: skipped")
    sys.exit(77)

root, ops_dir, build_root = sys.argv[1:4]
if not os.path.isdir(ops_dir):
    print(f"{ops_dir} is missing (run scripts/gpu_prepare.sh where Clang is): skipped")
    sys.exit(77)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_ops  # noqa: E402

torch.manual_seed(0)
arch = load_ops.load(ops_dir, ["softmax", "layer_norm", "rms_norm", "add", "matmul", "torch_scalars"], root,
                     build_root)
ops = torch.ops.tilecc
print(f"built the extensions for {arch} on {torch.cuda.get_device_name()} (torch {torch.__version__})")

failures = []


def compare(what, got, want, atol, rtol):
    try:
        torch.testing.assert_close(got.float(), want.float(), atol=atol, rtol=rtol)
    except AssertionError as e:
        failures.append(f"{what}: {str(e).splitlines()[0]}")
        print(f"FAIL {what}: {e}")


# Tolerances: float32 results may differ from PyTorch's in the last bits (exp, rsqrt, the order
# of a sum); bfloat16 results by one rounding of the float result.
TOL = {torch.float32: (1e-5, 1e-5), torch.bfloat16: (1e-2, 1e-2)}
ROWS = [(1, 1), (3, 7), (37, 129), (257, 1000), (130, 4097), (5, 10000)]

for dtype in (torch.float32, torch.bfloat16):
    atol, rtol = TOL[dtype]
    for m, n in ROWS:
        x = torch.randn(m, n, device="cuda", dtype=dtype)
        y = torch.randn(m, n, device="cuda", dtype=dtype)
        w = torch.randn(n, device="cuda", dtype=dtype)
        b = torch.randn(n, device="cuda", dtype=dtype)
        out = torch.empty_like(x)
        for name in ("softmax", "softmax_two_pass"):
            getattr(ops, name)(x, out)
            compare(f"{name} {dtype} {m}x{n}", out, torch.softmax(x.float(), 1).to(dtype), atol, rtol)
        ops.layer_norm(x, w, b, 1e-5, out)
        want = F.layer_norm(x.float(), (n,), w.float(), b.float(), 1e-5).to(dtype)
        compare(f"layer_norm {dtype} {m}x{n}", out, want, max(atol, 1e-4), rtol)
        ops.rms_norm(x, w, 1e-6, out)
        xf = x.float()
        want = (xf * torch.rsqrt(xf.pow(2).mean(1, keepdim=True) + 1e-6) * w.float()).to(dtype)
        compare(f"rms_norm {dtype} {m}x{n}", out, want, max(atol, 1e-4), rtol)
        ops.add(x, y, out)
        compare(f"add {dtype} {m}x{n}", out, (x.float() + y.float()).to(dtype), atol, rtol)
    # Products: float32 dots may run on TF32 tensor cores; inputs scaled to results of about 1.
    for m, k, n in [(1, 1, 1), (33, 17, 65), (129, 200, 71), (256, 512, 384)]:
        x = torch.randn(m, k, device="cuda", dtype=dtype) / k**0.5
        y = torch.randn(k, n, device="cuda", dtype=dtype)
        out = torch.empty(m, n, device="cuda", dtype=dtype)
        ops.matmul(x, y, out)
        compare(f"matmul {dtype} {m}x{k}x{n}", out, (x.float() @ y.float()).to(dtype), 2e-2, 2e-2)

# Scalars: a bf16 rounded from the schema float, an int32, a bool (test/kernels/torch_scalars).
x = torch.randn(1001, device="cuda", dtype=torch.bfloat16)
out = torch.empty_like(x)
ops.scale_shift(x, 1.7, -0.25, 3, True, out)
scale = torch.tensor(1.7, dtype=torch.bfloat16).item()
want = (((x * torch.tensor(scale, dtype=torch.bfloat16, device="cuda")).float()) * 3 - 0.25).to(torch.bfloat16)
compare("scale_shift's scalars", out, want, 1e-2, 1e-2)

# Strided inputs and outputs: a transposed view, a slice with a storage offset.
x = torch.randn(300, 129, device="cuda").t()  # 129 x 300, strides (1, 129)
out = torch.empty(300, 129, device="cuda").t()
ops.softmax(x, out)
compare("softmax of a transposed view into one", out, torch.softmax(x, 1), 1e-5, 1e-5)
x = torch.randn(65, 200, device="cuda")[3:, 5:]
y = torch.randn(62, 195, device="cuda")
out = torch.empty(64, 199, device="cuda")[1:63, 4:]
ops.add(x, y, out)
compare("add of slices into a slice", out, x + y, 0, 0)

# The current stream: x is written by work queued on a side stream; the op must run after it.
s = torch.cuda.Stream()
with torch.cuda.stream(s):
    big = torch.randn(4096, 4096, device="cuda")
    x = (big @ big)[:512, :1000] / 64.0
    out = torch.empty_like(x)
    ops.softmax(x, out)
s.synchronize()
compare("softmax on a side stream", out, torch.softmax(x, 1), 1e-5, 1e-5)


def expect_error(what, fn, *fragments):
    try:
        fn()
    except RuntimeError as e:
        message = str(e)
        missing = [f for f in fragments if f not in message]
        if missing:
            failures.append(f"{what}: the error does not say {missing}: {message.splitlines()[0]}")
            print(f"FAIL {what}: {message}")
        else:
            print(f"ok   {what}: {message.splitlines()[0]}")
        return
    failures.append(f"{what}: no error")
    print(f"FAIL {what}: no error")


x = torch.randn(8, 16, device="cuda")
out = torch.empty_like(x)
expect_error("float16 input", lambda: ops.softmax(x.half(), out), "'x' must be", "Half")
expect_error("dtypes that disagree", lambda: ops.softmax(x, out.bfloat16()), "'out' must be Float", "'x' is Float")
expect_error("a CPU tensor", lambda: ops.softmax(x.cpu(), out), "'x' must be a CUDA tensor")
expect_error("a rank-3 tensor", lambda: ops.softmax(x[None], out), "'x' must have 2 dimensions, got 3")
expect_error("a broadcast output", lambda: ops.softmax(x, torch.empty(1, 16, device="cuda").expand(8, 16)),
             "'out' is a broadcast view")
expect_error("a failed TILECC_CHECK", lambda: ops.softmax(x, torch.empty(8, 15, device="cuda")), "TILECC_CHECK(")
x = torch.randn(9, device="cuda", dtype=torch.bfloat16)
expect_error("an int beyond int32", lambda: ops.scale_shift(x, 1.0, 0.0, 2**40, False, x.clone()),
             "'repeat' = 1099511627776 does not fit the kernel's 32-bit integer parameter")
expect_error("a failed check on scalars", lambda: ops.scale_shift(x, 1.0, 0.0, 0, True, x.clone()),
             "TILECC_CHECK(", "repeat >= 1")
torch.cuda.synchronize()

if failures:
    print(f"{len(failures)} failed:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("all torch ops match PyTorch")
