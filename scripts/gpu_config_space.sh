#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there), over .carry/cfg from
# scripts/gpu_config_space_translate.sh, in one call (about 5-7 minutes on an H200):
#  1. builds test/gpu/check_config_sample.cu once per sampled config i (every example
#     translated with config i of its seeded sample), test/gpu/tma_check.cu and the cuBLAS
#     reference, 16 at a time;
#  2. tma_check: the TMA loads / stores against the register path at awkward shapes, plainly
#     and under compute-sanitizer memcheck;
#  3. every config i: every example against the plain-loop references at odd sizes, plainly and
#     under compute-sanitizer memcheck;
#  4. times every sampled config of matmul (bf16 4096^3) and softmax (bf16 8192 x 4096), the
#     repetitions capped by time (a config taking seconds runs once), then cuBLAS and PyTorch in
#     the same run; prints a table and best / median / worst per kernel.
# Results in $OUT: summary.txt (the table), checks.log, memchecks.log, builds.log.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/cfg_out}
logs=/tmp/cfg_logs
bin=/tmp/cfgbin
rm -rf "$logs" "$bin"
mkdir -p "$out" "$logs" "$bin"
nvcc=/usr/local/cuda/bin/nvcc
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
arch=(-gencode=arch=compute_90a,code=sm_90a)
tree=.carry/cfg/tree  # include/, templates/, bench/, test/ as translated against
n=$(ls -d .carry/cfg/[0-9]*/ | wc -l)
summary="$out/summary.txt"
: > "$summary"
say() { echo "$*" | tee -a "$summary"; }
say "$(nvidia-smi --query-gpu=name --format=csv,noheader)"

# ---- 1. builds --------------------------------------------------------------------------------
start=$SECONDS
build() {  # build <target>: check_<i>, tma_check or cublas
  case "$1" in
    cublas) $nvcc -std=c++20 -O2 "${arch[@]}" $tree/bench/config_sample_cublas.cu -lcublas -o $bin/cublas ;;
    tma_check) $nvcc -std=c++20 -O2 "${arch[@]}" -I$tree/templates $tree/test/gpu/tma_check.cu -o $bin/tma_check ;;
    check_*) $nvcc -std=c++20 -O2 "${arch[@]}" -I$tree/include -I$tree/templates -I".carry/cfg/${1#check_}" \
               $tree/test/gpu/check_config_sample.cu -o "$bin/$1" ;;
  esac > "$logs/build_$1.log" 2>&1 || echo "BUILD FAIL $1"
}
export -f build; export nvcc tree bin logs; export arch_flags="${arch[*]}"
{ echo cublas; echo tma_check; seq 0 $((n - 1)) | sed 's/^/check_/'; } |
  xargs -P "$(nproc)" -I{} bash -c 'arch=($arch_flags); build {}' | tee -a "$summary"
cat "$logs"/build_*.log > "$out/builds.log"
say "built $n sampled variants + tma_check + cublas in $((SECONDS - start)) s"

# ---- 2. TMA templates ---------------------------------------------------------------------------
start=$SECONDS
$bin/tma_check > "$logs/tma_check.log" 2>&1
say "tma_check rc=$?: $(tail -1 "$logs/tma_check.log")"
$sanitizer --tool memcheck --print-limit 5 $bin/tma_check > "$logs/tma_memcheck.log" 2>&1
say "tma_check memcheck rc=$?: $(grep -E 'ERROR SUMMARY' "$logs/tma_memcheck.log" | tail -1)"

# ---- 3. every sampled config at odd sizes, plainly and under memcheck ---------------------------
seq 0 $((n - 1)) | xargs -P 8 -I{} bash -c \
  "$bin/check_{} > $logs/check_{}.log 2>&1; echo \"check {} rc=\$?: \$(tail -1 $logs/check_{}.log)\"" |
  sort -n -k2 | tee "$logs/checks.txt" | tee -a "$summary"
say "checks: $(grep -c 'rc=0: .* 0 failed' "$logs/checks.txt") of $n configs pass, in $((SECONDS - start)) s"
start=$SECONDS
seq 0 $((n - 1)) | xargs -P 10 -I{} bash -c \
  "$sanitizer --tool memcheck --print-limit 5 $bin/check_{} > $logs/memcheck_{}.log 2>&1; echo \"memcheck {} rc=\$?: \$(grep -E 'ERROR SUMMARY' $logs/memcheck_{}.log | tail -1)\"" |
  sort -n -k2 | tee "$logs/memchecks.txt" | tee -a "$summary"
say "memchecks: $(grep -c 'rc=0: .*ERROR SUMMARY: 0 errors' "$logs/memchecks.txt") of $n configs clean, in $((SECONDS - start)) s"
cat "$logs"/tma_check.log "$logs"/check_*.log > "$out/checks.log"
cat "$logs"/tma_memcheck.log "$logs"/memcheck_*.log > "$out/memchecks.log"

# ---- 4. timings, one process at a time -----------------------------------------------------------
start=$SECONDS
for i in $(seq 0 $((n - 1))); do
  [ -x "$bin/check_$i" ] || continue
  "$bin/check_$i" --bench-only 2>&1 | grep '^time' | sed "s/^/$i /"
done > "$logs/times.txt"
say "timed $(wc -l < "$logs/times.txt") configs in $((SECONDS - start)) s"
$bin/cublas > "$logs/refs.txt" 2>&1
python3 - >> "$logs/refs.txt" 2>&1 <<'PY'
import torch
flush = torch.ones(64 << 20, dtype=torch.int32, device="cuda")  # 256 MB, read: as bench/timing.cuh
def time_ms(fn, reps=30):
    for _ in range(3): fn()
    torch.cuda.synchronize(); t = []
    for i in range(reps):
        flush.max()
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize(); t.append(a.elapsed_time(b))
    return sorted(t)[len(t) // 2]
x = torch.randn(8192, 4096, device="cuda", dtype=torch.bfloat16)
ms = time_ms(lambda: torch.softmax(x, 1))
print(f"torch softmax_bf16_8192x4096 {ms:.4f} ms {2 * x.numel() * 2 / (ms * 1e-3) / 1e12:.3f} TB/s")
a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16); b = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
ms = time_ms(lambda: a @ b, 20)
print(f"torch matmul_bf16_4096 {ms:.4f} ms {2 * 4096**3 / (ms * 1e-3) / 1e12:.1f} TFLOP/s")
PY
cat "$logs/refs.txt" | tee -a "$summary"
python3 - "$logs/times.txt" "$logs/refs.txt" .carry/cfg/configs.tsv <<'PY' | tee -a "$summary"
import json, sys
times = {}
for line in open(sys.argv[1]):  # "<i> time matmul_bf16_4096 <ms> ms ... softmax_bf16_8192x4096 <ms> ms ..."
    f = line.split()
    times[int(f[0])] = {"matmul": float(f[3]), "softmax": float(f[8])}
refs = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) > 2 and f[0] in ("cublas", "torch"): refs[f[0] + " " + f[1].split("_")[0]] = float(f[2])
configs = {}
for line in open(sys.argv[3]):
    i, kernel, config = line.rstrip("\n").split("\t")
    configs[(int(i), kernel)] = json.loads(config)
def label(c):
    bits = [f"blocks {c['block_sizes']}", f"warps {c['num_warps']}"]
    if c.get("range_num_stages"): bits.append(f"stages {c['range_num_stages']}")
    if c.get("dot_instruction"): bits.append(c["dot_instruction"])
    if any(c.get("load_tma", [])) or any(c.get("store_tma", [])):
        bits.append(f"TMA load {c.get('load_tma', [])} store {c.get('store_tma', [])}")
    if c.get("reduction_loops"): bits.append(f"chunks {c['reduction_loops']}")
    if c.get("pid"): bits.append(c["pid"])
    return ", ".join(bits)
for kernel, ref_name in [("matmul", "cublas matmul"), ("softmax", "torch softmax")]:
    ref = refs.get(ref_name)
    rows = sorted((t[kernel], i) for i, t in times.items() if t[kernel] == t[kernel])  # NaN: refused the shape
    print(f"\n{kernel}: {len(rows)} of {sum(1 for k in configs if k[1] == kernel)} sampled configs timed; "
          f"{ref_name} {ref} ms")
    for ms, i in rows:
        print(f"  {i:2d} {ms:9.4f} ms  {ref / ms if ref else 0:6.3f}x ref  {label(configs[(i, kernel)])}")
    if rows:
        v = [ms for ms, _ in rows]
        print(f"  best {v[0]:.4f} median {v[len(v) // 2]:.4f} worst {v[-1]:.4f} ms; as a fraction of {ref_name}: "
              f"best {ref / v[0]:.3f} median {ref / v[len(v) // 2]:.3f} worst {ref / v[-1]:.3f}")
    tma = [ms for ms, i in rows if "TMA" in label(configs[(i, kernel)])]
    if tma: print(f"  TMA configs: {len(tma)}, best {min(tma):.4f} ms")
PY
