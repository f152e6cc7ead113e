#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there), over .carry/cfg from
# scripts/gpu_config_space_translate.sh: for every sampled config i, builds
# test/gpu/check_config_sample.cu against .carry/cfg/<i>, checks every example against the
# plain-loop references at odd sizes, runs the check again under compute-sanitizer memcheck,
# and times matmul bf16 4096^3 and softmax bf16 16384x1024; then cuBLAS and PyTorch in the
# same run. Prints a table and the best / median / worst time per kernel.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/cfg_out}
mkdir -p "$out" /tmp/cfgbin
nvcc=/usr/local/cuda/bin/nvcc
nvidia-smi --query-gpu=name --format=csv,noheader
n=$(ls -d .carry/cfg/[0-9]*/ | wc -l)
tree=.carry/cfg/tree  # include/, templates/, bench/, test/ as translated against
jobs=$(nproc)
build() {
  $nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -I$tree/include -I$tree/templates -I".carry/cfg/$1" \
    $tree/test/gpu/check_config_sample.cu -o "/tmp/cfgbin/check_$1" > "$out/build_$1.log" 2>&1 || echo "BUILD FAIL $1"
}
export -f build; export nvcc out tree
start=$SECONDS
( $nvcc -std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a $tree/bench/config_sample_cublas.cu -lcublas \
    -o /tmp/cfgbin/cublas > "$out/build_cublas.log" 2>&1 || echo "BUILD FAIL cublas" ) &
seq 0 $((n - 1)) | xargs -P "$jobs" -I{} bash -c 'build {}'
wait
echo "built $n variants in $((SECONDS - start)) s"
start=$SECONDS
# Correctness and memcheck, several processes at once (small inputs).
seq 0 $((n - 1)) | xargs -P 8 -I{} bash -c \
  '/tmp/cfgbin/check_{} > '"$out"'/check_{}.log 2>&1; echo "check {} rc=$?: $(tail -1 '"$out"'/check_{}.log)"' | sort -n -k2
echo "checks in $((SECONDS - start)) s"
start=$SECONDS
seq 0 $((n - 1)) | xargs -P 10 -I{} bash -c \
  'compute-sanitizer --tool memcheck --print-limit 5 /tmp/cfgbin/check_{} > '"$out"'/memcheck_{}.log 2>&1; echo "memcheck {} rc=$?: $(grep -E "ERROR SUMMARY" '"$out"'/memcheck_{}.log | tail -1)"' | sort -n -k2
echo "memchecks in $((SECONDS - start)) s"
# Timings, one process at a time.
for i in $(seq 0 $((n - 1))); do
  [ -x /tmp/cfgbin/check_$i ] || continue
  /tmp/cfgbin/check_$i --bench 2>&1 | grep '^time' | sed "s/^/$i /"
done | tee "$out/times.txt"
/tmp/cfgbin/cublas | tee "$out/cublas.txt"
python3 - <<'PY' | tee "$out/torch.txt"
import torch
flush = torch.ones(64 << 20, dtype=torch.int32, device="cuda")
def time_ms(fn, reps=30):
    for _ in range(3): fn()
    torch.cuda.synchronize(); t = []
    for i in range(reps):
        flush.max()
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize(); t.append(a.elapsed_time(b))
    return sorted(t)[len(t) // 2]
x = torch.randn(16384, 1024, device="cuda", dtype=torch.bfloat16)
ms = time_ms(lambda: torch.softmax(x, 1))
print(f"torch softmax_bf16_16384x1024 {ms:.4f} ms {2 * x.numel() * 2 / (ms * 1e-3) / 1e12:.3f} TB/s")
a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16); b = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
ms = time_ms(lambda: a @ b, 20)
print(f"torch matmul_bf16_4096 {ms:.4f} ms {2 * 4096**3 / (ms * 1e-3) / 1e12:.1f} TFLOP/s")
PY
python3 - "$out/times.txt" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if 'time' in l]
for name, col in [("matmul bf16 4096^3 (ms)", 3), ("softmax bf16 16384x1024 (ms)", 8)]:
    v = sorted(float(r[col]) for r in rows)
    if v: print(f"{name}: best {v[0]:.4f} median {v[len(v)//2]:.4f} worst {v[-1]:.4f} over {len(v)} configs")
PY
