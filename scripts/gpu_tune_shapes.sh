#!/usr/bin/env bash
# Tuning over a set of shapes and the dispatching launcher, on the GPU machine:
#   softmax, layer_norm (bf16): rows {1024, 8192} x columns {512, 4096, 16384}, timed there
#     and at five shapes not tuned (3000x6000, 2000x1000, 6000x12000, 12000x6000, 1500x12000);
#   matmul (bf16, M x K x N): 4096^3, 8192^3 and 1024 x 8192 x 1024 (deep K).
# For each kernel: `tilecc tune --shapes` (one budget for the set, --deploy translate: the
# generic kernels `translate --tuned` prints), `translate --tuned` (the dispatching launcher),
# and a benchmark built with nvcc that times, at every shape, the default config, every
# shape's tuned config, the dispatching launcher (checked against the default's output), and
# PyTorch, measured alike (CUDA events, L2 flushed by writing before each run, median).
# The table: shape | default | tuned for it | dispatched | PyTorch, and the tuning wall time.
#
#   scripts/gpu_tune_shapes.sh prepare             # here, with Clang: .carry/shapes (a Clang-free
#                                                  # tilecc and the bf16 kernels' serialized IR)
#   OUT=... scripts/gpu_tune_shapes.sh [KERNEL...] # there, carry [".carry"]; KERNEL: softmax
#                                                  # layer_norm matmul (default: all three)
# Expected there: per row kernel ~80 s of tuning (budget 30 s), matmul ~100 s (budget 45 s),
# the three nvcc builds ~1-2 min in parallel, timing and PyTorch < 1 min: about 7 min for all
# three under the step limits below; pass fewer kernels to split it over calls.
# In $OUT: summary.txt (the table last), <kernel>.tune.json (every shape's result, every
# trial), tuning.json (the database), <kernel>.dispatch.cu (the dispatching launcher),
# workers.log. SKIP_TUNE=1 reuses $OUT's tuning results (to rebuild and time again).
set -uo pipefail
cd "$(dirname "$0")/.."
carry=.carry/shapes

if [ "${1:-}" = prepare ]; then
  set -e
  frontend=${TILECC:-build/cli/tilecc}
  nc_build=${TILECC_NOCLANG_BUILD:-/tmp/tilecc_noclang}
  mkdir -p "$carry"
  cmake -S . -B "$nc_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_WITH_CLANG=OFF -DTILECC_BUILD_TESTS=OFF > /dev/null
  cmake --build "$nc_build" --target tilecc
  cp "$nc_build/cli/tilecc" "$carry/tilecc"
  for k in softmax layer_norm matmul; do
    "$frontend" translate "examples/$k.tile.cpp" --emit-ir -o "$carry/$k.all.json"
    # The bf16 instance alone: the benchmark builds only what it times.
    python3 - "$carry/$k.all.json" "$carry/$k.json" "$k" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["kernels"] = [k for k in m["kernels"] if k["name"] == sys.argv[3] and k["instance"] == "tilecc::bf16"]
assert len(m["kernels"]) == 1, "no bf16 instance of " + sys.argv[3]
json.dump(m, open(sys.argv[2], "w"))
PY
    rm "$carry/$k.all.json"
  done
  echo "gpu_tune_shapes: $(du -sh "$carry" | cut -f1) in $carry; there: OUT=... scripts/gpu_tune_shapes.sh (carry .carry)"
  exit 0
fi

out=${OUT:-/tmp/tune_shapes_out}
work=/tmp/tune_shapes_work
mkdir -p "$out" "$work"
kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(softmax layer_norm matmul)

main() {
tilecc=$carry/tilecc
if ! "$tilecc" --version > /dev/null 2>&1; then
  echo "gpu_tune_shapes: the carried tilecc does not run here; building one"
  cmake -S . -B /tmp/tune_build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_WITH_CLANG=OFF -DTILECC_BUILD_TESTS=OFF \
    > /tmp/tune_build.log 2>&1 && cmake --build /tmp/tune_build --target tilecc >> /tmp/tune_build.log 2>&1 ||
    { tail -30 /tmp/tune_build.log; exit 1; }
  tilecc=/tmp/tune_build/cli/tilecc
fi
for k in "${kernels[@]}"; do
  [ -f "$carry/$k.json" ] || { echo "gpu_tune_shapes: no $carry/$k.json: run scripts/gpu_tune_shapes.sh prepare"; exit 1; }
done
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader
export TILECC_CACHE_DIR=/tmp/tilecc_shapes_cache
db=$out/tuning.json

# The shapes, one per line as `tune --shapes` reads them; the untuned ones are timed only.
shapes() {  # shapes <kernel> tuned|untuned
  local k=$1 which=$2 r c
  if [ "$k" = matmul ]; then
    [ "$which" = tuned ] || return 0
    for mkn in 4096,4096,4096 8192,8192,8192 1024,8192,1024; do
      IFS=, read -r m kk n <<< "$mkn"
      echo "x=bf16[$m,$kk] y=bf16[$kk,$n] out=bf16[$m,$n]"
    done
    return 0
  fi
  local pairs=()
  if [ "$which" = tuned ]; then
    for r in 1024 8192; do for c in 512 4096 16384; do pairs+=("$r $c"); done; done
  else
    # 12000x6000 (144 MB) and 1500x12000 (36 MB) tell apart what picks between a looped and a
    # whole-row config: the tensor's bytes against L2, or the lanes a whole row leaves idle.
    pairs=("3000 6000" "2000 1000" "6000 12000" "12000 6000" "1500 12000")
  fi
  for p in "${pairs[@]}"; do
    read -r r c <<< "$p"
    if [ "$k" = softmax ]; then echo "x=bf16[$r,$c] out=bf16[$r,$c]"
    else echo "x=bf16[$r,$c] weight=bf16[$c] bias=bf16[$c] eps=1e-5 out=bf16[$r,$c]"; fi
  done
}

# 1. Tuning over each kernel's shapes, one budget per kernel.
for k in "${kernels[@]}"; do
  shapes "$k" tuned > "$work/$k.shapes"
  shapes "$k" untuned > "$work/$k.untuned"
  [ "${SKIP_TUNE:-0}" = 1 ] && continue
  budget=30 limit=170
  [ "$k" = matmul ] && budget=45 limit=230
  t0=$(date +%s.%N)
  timeout "$limit" "$tilecc" tune "$carry/$k.json" -k "$k" --shapes "$work/$k.shapes" --deploy translate \
    --effort quick --budget "$budget" --db "$db" --templates-dir templates --json "$out/$k.tune.json" \
    --worker-log "$out/workers.log"
  echo "gpu_tune_shapes: tune $k exit $?, process wall $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
done

# 2. The translations: default, the dispatching launcher, each shape's tuned config alone.
for k in "${kernels[@]}"; do
  [ -f "$out/$k.tune.json" ] || { echo "gpu_tune_shapes: no tuning result for $k"; continue; }
  rm -f "$work/$k".t*.cu
  "$tilecc" translate "$carry/$k.json" --arch sm_90a -o "$work/$k.default.cu" &&
    "$tilecc" translate "$carry/$k.json" --arch sm_90a --tuned --db "$db" -o "$out/$k.dispatch.cu" ||
    { echo "gpu_tune_shapes: translating $k failed"; continue; }
  awk '/tilecc: tuned shapes/,/^}/' "$out/$k.dispatch.cu"
  # One translation per distinct tuned config; <kernel>.tuned_of says which is each shape's.
  # A shape whose best is the default config is timed as the default itself: the same code
  # timed twice differs only by noise (three copies of the 8192^3 matmul's default measured
  # 1.536, 1.582 and 1.695 ms interleaved on an H100), which is not a tuned-versus-default gap.
  python3 - "$out/$k.tune.json" "$work/$k" <<'PY' > "$work/$k.configs"
import json, sys
configs, of = [], []
for s in json.load(open(sys.argv[1]))["shapes"]:
    c = json.dumps(s["best_config"], separators=(",", ":"), sort_keys=True)
    if c == json.dumps(s["default_config"], separators=(",", ":"), sort_keys=True):
        of.append("default")
        continue
    if c not in configs: configs.append(c)
    of.append(f"t{configs.index(c)}")
for i, c in enumerate(configs): print(f"{sys.argv[2]}.t{i}.cu {c}")
json.dump(of, open(sys.argv[2] + ".tuned_of", "w"))
PY
  while read -r file config; do
    "$tilecc" translate "$carry/$k.json" --arch sm_90a --config "$config" -o "$file" ||
      echo "gpu_tune_shapes: translating $k with $config failed"
  done < "$work/$k.configs"
  # The benchmark: every translation in a namespace of its own, timed at every shape.
  python3 - "$k" "$work" "$out/$k.dispatch.cu" > "$work/$k.bench.cu" <<'PY'
import sys, os
k, work, dispatch = sys.argv[1:4]
variants = [("v_default", f"{work}/{k}.default.cu"), ("v_dispatch", dispatch)]
i = 0
while os.path.exists(f"{work}/{k}.t{i}.cu"):
    variants.append((f"v_t{i}", f"{work}/{k}.t{i}.cu")); i += 1
shapes = [(l.split(), "tuned") for l in open(f"{work}/{k}.shapes") if l.strip()]
shapes += [(l.split(), "untuned") for l in open(f"{work}/{k}.untuned") if l.strip()]
def dims(args):  # {name: [sizes]}
    d = {}
    for a in args:
        n, _, v = a.partition("=")
        if "[" in v: d[n] = [int(x) for x in v[v.index("[") + 1:-1].split(",")]
    return d
print('#include <tilecc/cuda.hpp>\n#include <algorithm>\n#include <cmath>\n#include <cstdio>\n#include <functional>\n#include <utility>\n#include <vector>\n#include "bench/timing.cuh"')
for ns, f in variants: print(f"namespace {ns} {{\n#include \"{f}\"\n}}")
print(r'''
using bf16 = __nv_bfloat16;
using C2 = tilecc::Tensor<const bf16, 2>; using C1 = tilecc::Tensor<const bf16, 1>; using O2 = tilecc::Tensor<bf16, 2>;
__global__ void fill(bf16* p, long long n, unsigned seed) {
  for (long long i = blockIdx.x * 256LL + threadIdx.x; i < n; i += gridDim.x * 256LL) {
    unsigned h = (unsigned)i * 2654435761u ^ seed * 40503u; h ^= h >> 13; h *= 0x5bd1e995u; h ^= h >> 15;
    p[i] = __float2bfloat16(((h & 0xffff) / 65536.0f) * 2.0f - 1.0f);
  }
}
bf16* buffer(long long n, unsigned seed) {
  bf16* p = nullptr; CUDA_OK(cudaMalloc(&p, n * sizeof(bf16)));
  fill<<<1024, 256>>>(p, n, seed); CUDA_OK(cudaGetLastError()); return p;
}
// max |a - b| / max(1, max |b|): bf16 results of two configs differ by rounding only.
double max_diff(const bf16* a, const bf16* b, long long n) {
  std::vector<bf16> ha(n), hb(n);
  CUDA_OK(cudaMemcpy(ha.data(), a, n * 2, cudaMemcpyDeviceToHost)); CUDA_OK(cudaMemcpy(hb.data(), b, n * 2, cudaMemcpyDeviceToHost));
  double m = 0, scale = 1;
  for (long long i = 0; i < n; ++i) {
    m = std::max(m, (double)std::fabs(__bfloat162float(ha[i]) - __bfloat162float(hb[i])));
    scale = std::max(scale, (double)std::fabs(__bfloat162float(hb[i])));
  }
  return m / scale;
}
int main() {
  bench::Timer timer;
  auto ms = [&](const std::function<cudaError_t()>& fn) {
    CUDA_OK(fn()); CUDA_OK(cudaDeviceSynchronize());
    return timer.median_ms_within([&] { CUDA_OK(fn()); }, 400.0, 10, bench::Flush::write);
  };
  // Five rounds over the variants, each round starting one further along; a variant's time is
  // the median of its five round medians.
  auto interleaved = [&](const std::vector<std::pair<const char*, std::function<cudaError_t()>>>& vs) {
    std::vector<std::vector<double>> got(vs.size());
    for (int round = 0; round < 5; ++round)
      for (std::size_t j = 0; j < vs.size(); ++j) {
        const std::size_t v = (j + round) % vs.size();
        got[v].push_back(ms(vs[v].second));
      }
    std::vector<std::pair<const char*, double>> out;
    for (std::size_t v = 0; v < vs.size(); ++v) {
      std::sort(got[v].begin(), got[v].end());
      out.emplace_back(vs[v].first, got[v][got[v].size() / 2]);
    }
    return out;
  };''')
for args, kind in shapes:
    d = dims(args); label = "x".join(map(str, d["x"])) if k != "matmul" else f"{d['x'][0]}x{d['x'][1]}x{d['y'][1]}"
    print("  {")
    if k == "matmul":
        m, kk, n = d["x"][0], d["x"][1], d["y"][1]
        print(f"    const long long m = {m}, kk = {kk}, n = {n};")
        print("    bf16* x = buffer(m * kk, 1); bf16* y = buffer(kk * n, 2); bf16* o = buffer(m * n, 3); bf16* ref = buffer(m * n, 4);")
        call = lambda ns, out: f"{ns}::matmul<bf16>(C2(x, {{m, kk}}), C2(y, {{kk, n}}), O2({out}, {{m, n}}))"
        count = "m * n"
    else:
        r, c = d["x"]
        print(f"    const long long r = {r}, c = {c};")
        print("    bf16* x = buffer(r * c, 1); bf16* w = buffer(c, 2); bf16* b = buffer(c, 3); bf16* o = buffer(r * c, 4); bf16* ref = buffer(r * c, 5);")
        if k == "softmax": call = lambda ns, out: f"{ns}::softmax<bf16>(C2(x, {{r, c}}), O2({out}, {{r, c}}))"
        else: call = lambda ns, out: f"{ns}::layer_norm<bf16>(C2(x, {{r, c}}), C1(w, {{c}}), C1(b, {{c}}), 1e-5f, O2({out}, {{r, c}}))"
        count = "r * c"
    print(f"    CUDA_OK({call('v_default', 'ref')}); CUDA_OK({call('v_dispatch', 'o')}); CUDA_OK(cudaDeviceSynchronize());")
    print(f'    std::printf("CHECK {k} {label} max|dispatch-default|/max|default| %.4g\\n", max_diff(o, ref, {count}));')
    # Interleaved rounds, each in another order: a card heating up under load slows later
    # runs, and timing each variant in one block favoured whichever came first.
    print("    const std::vector<std::pair<const char*, std::function<cudaError_t()>>> vs = {")
    for ns, _ in variants:
        print(f'      {{"{ns[2:]}", [&] {{ return {call(ns, "o")}; }}}},')
    print("    };")
    print(f'    for (const auto& [name, t] : interleaved(vs)) std::printf("RESULT {k} {label} {kind} %s %.5f\\n", name, t);')
    print("    std::fflush(stdout);")
    print("    cudaFree(x); cudaFree(o); cudaFree(ref);" + (" cudaFree(y);" if k == "matmul" else " cudaFree(w); cudaFree(b);"))
    print("  }")
print("}")
PY
done

# 3. Build (the kernels in parallel), then time one kernel after another.
pids=()
for k in "${kernels[@]}"; do
  [ -f "$work/$k.bench.cu" ] || continue
  timeout 300 /usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -I include -I templates \
    -I . "$work/$k.bench.cu" -o "$work/$k.bench" > "$work/$k.build.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
: > "$work/results.txt"
for k in "${kernels[@]}"; do
  [ -x "$work/$k.bench" ] || { echo "gpu_tune_shapes: $k's benchmark did not build:"; tail -20 "$work/$k.build.log"; continue; }
  timeout 120 "$work/$k.bench" | tee -a "$work/results.txt"
done
timeout 90 python3 - "${kernels[@]}" <<'PY' | tee -a "$work/results.txt"
# PyTorch at the same shapes, timed alike (write flush, CUDA events, median of 30).
import sys, torch
l2 = torch.cuda.get_device_properties(0).L2_cache_size
flush = torch.empty(256 << 20, dtype=torch.uint8, device="cuda")
def ms(fn, reps=30):
    for _ in range(3): fn()
    torch.cuda.synchronize(); t = []
    for i in range(reps):
        flush.fill_(i & 0xff)
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record(); fn(); b.record(); b.synchronize(); t.append(a.elapsed_time(b))
    return sorted(t)[len(t) // 2]
rows = [(1024, 512), (1024, 4096), (1024, 16384), (8192, 512), (8192, 4096), (8192, 16384), (3000, 6000), (2000, 1000), (6000, 12000), (12000, 6000), (1500, 12000)]
for k in sys.argv[1:]:
    if k == "matmul":
        for m, kk, n in [(4096, 4096, 4096), (8192, 8192, 8192), (1024, 8192, 1024)]:
            x = torch.randn(m, kk, device="cuda", dtype=torch.bfloat16); y = torch.randn(kk, n, device="cuda", dtype=torch.bfloat16)
            print(f"TORCH matmul {m}x{kk}x{n} {ms(lambda: torch.matmul(x, y)):.5f}")
        continue
    for r, c in rows:
        x = torch.randn(r, c, device="cuda", dtype=torch.bfloat16)
        w = torch.randn(c, device="cuda", dtype=torch.bfloat16); b = torch.randn(c, device="cuda", dtype=torch.bfloat16)
        fn = (lambda: torch.softmax(x, 1)) if k == "softmax" else (lambda: torch.nn.functional.layer_norm(x, (c,), w, b, 1e-5))
        print(f"TORCH {k} {r}x{c} {ms(fn):.5f}")
PY

# 4. The table.
python3 - "$out" "$work/results.txt" "$work" "${kernels[@]}" <<'PY'
import json, os, sys
out, results, work, kernels = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t, torch, check = {}, {}, {}
for line in open(results):
    f = line.split()
    if f[:1] == ["RESULT"]: t.setdefault((f[1], f[2]), {"kind": f[3]})[f[4]] = float(f[5])
    if f[:1] == ["TORCH"]: torch[(f[1], f[2])] = float(f[3])
    if f[:1] == ["CHECK"]: check[(f[1], f[2])] = float(f[-1])
print("\n=== shapes (ms; 'tuned for it' at an untuned shape: the best of all tuned configs and the default there)")
fails = []
for k in kernels:
    p = os.path.join(out, k + ".tune.json")
    if os.path.exists(p):
        r = json.load(open(p))
        print(f"{k}: tuning over {len(r['shapes'])} shapes took {r['wall_seconds']:.1f} s (wall)")
    print(f"  {'shape':<16} {'kind':<8} {'default':>9} {'tuned for it':>13} {'dispatched':>11} {'disp/tuned':>10} "
          f"{'tuned/def':>9} {'PyTorch':>9} {'rel diff':>10}")
    labels = [s for (kk, s) in t if kk == k]
    tuned_labels = [s for s in labels if t[(k, s)]["kind"] == "tuned"]
    for s in labels:
        v = t[(k, s)]
        if v["kind"] == "tuned":
            own = v.get(json.load(open(f"{work}/{k}.tuned_of"))[tuned_labels.index(s)], 0)
        else:
            own = min([x for n, x in v.items() if n.startswith("t") or n == "default"])
        d, dflt, pt = v.get("dispatch", 0), v.get("default", 0), torch.get((k, s), 0)
        ratio = d / own if own else 0
        limit = 1.05 if v["kind"] == "tuned" else 1.10
        if k != "matmul" and ratio > limit: fails.append(f"{k} {s}: dispatched/tuned {ratio:.3f} > {limit}")
        if k == "matmul" and own > dflt * 1.02: fails.append(f"matmul {s}: tuned {own:.4f} slower than default {dflt:.4f}")
        if check.get((k, s), 0) > 0.02: fails.append(f"{k} {s}: dispatched output differs from the default's by {check[(k, s)]} (relative)")
        print(f"  {s:<16} {v['kind']:<8} {dflt:>9.4f} {own:>13.4f} {d:>11.4f} {ratio:>10.3f} {own / dflt if dflt else 0:>9.3f} "
              f"{pt:>9.4f} {check.get((k, s), -1):>10.3g}")
for k in kernels:
    if not any(kk == k for (kk, _) in t): fails.append(f"{k}: nothing was timed")
print("\n=== acceptance: " + ("all within limits" if not fails else "FAILED:\n  " + "\n  ".join(fails)))
PY
}
main 2>&1 | tee "$out/summary.txt"
