#!/usr/bin/env bash
# Runs on the GPU machine: the autotuner's closing figures (issue 5).
# For bf16 matmul 4096^3 and bf16 softmax 8192x4096: `tilecc tune --effort quick` from
# serialized IR (its wall time, best time), the best of 200 random valid configs measured
# in the same run, and cuBLAS / PyTorch measured the same way (CUDA events, L2 flushed by
# writing 2x its size before each repetition, median).
#
# Prepare on a machine with Clang (scripts/gpu_tune_prepare.sh): .carry/tune/{tilecc,
# matmul.json,softmax.json}. Everything lands in $OUT: logs, --json results, SVG plots,
# tuning.json (the database, for `translate --tuned` back home).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/tune_out}
mkdir -p "$out"
tilecc=.carry/tune/tilecc
if ! "$tilecc" --version > /dev/null 2>&1; then
  echo "gpu_tune: the carried tilecc does not run here; building one" >&2
  cmake -S . -B /tmp/tune_build -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_WITH_CLANG=OFF -DTILECC_BUILD_TESTS=OFF \
    > "$out/build.log" 2>&1 && cmake --build /tmp/tune_build --target tilecc >> "$out/build.log" 2>&1 ||
    { tail -30 "$out/build.log"; exit 1; }
  tilecc=/tmp/tune_build/cli/tilecc
fi
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv,noheader | tee "$out/gpu.txt"
export TILECC_CACHE_DIR=/tmp/tilecc_tune_cache  # cold: compile times count
export TILECC_TUNE_DB="$out/tuning.json"
rm -rf "$TILECC_CACHE_DIR"

tune() {  # tune <name> <ir> <kernel> <args...>
  local name=$1 ir=$2 kernel=$3; shift 3
  local args=()
  for a in "$@"; do args+=(--arg "$a"); done
  local t0=$(date +%s.%N)
  timeout 125 "$tilecc" tune "$ir" -k "$kernel" "${args[@]}" --effort quick --compare-random 200 \
    --templates-dir templates --json "$out/$name.json" --plot "$out/$name.svg" --worker-log "$out/workers.log" \
    > "$out/$name.log" 2> "$out/$name.progress"
  local rc=$?
  echo "gpu_tune: $name exit $rc, process wall $(python3 -c "print(round($(date +%s.%N) - $t0, 1))") s"
  cat "$out/$name.log"
  tail -3 "$out/$name.progress"
  [ $rc -eq 0 ] || tail -20 "$out/workers.log" 2>/dev/null
}
tune matmul .carry/tune/matmul.json matmul x=bf16[4096,4096] y=bf16[4096,4096] out=bf16[4096,4096]
tune softmax .carry/tune/softmax.json softmax x=bf16[8192,4096] out=bf16[8192,4096]
timeout 40 python3 scripts/gpu_tune_refs.py | tee "$out/refs.log"
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
refs = {}
for line in open(os.path.join(out, "refs.log")):
    k, _, v = line.partition("=")
    if _: refs[k.strip()] = float(v.split()[0])
for name, ref in [("matmul", "cublas_matmul_ms"), ("softmax", "torch_softmax_ms")]:
    p = os.path.join(out, name + ".json")
    if not os.path.exists(p):
        print(f"{name}: no result"); continue
    r = json.load(open(p)); rnd = r.get("random", {})
    tb, rb = rnd.get("tuned_best_ms_same_conditions", 0), rnd.get("best_ms", 0)
    print(f"{name}: tune {r['tune_seconds']:.1f} s, best {r['best_ms']:.4f} ms (default {r['default_ms']:.4f}), "
          f"best of {rnd.get('measured')}/{rnd.get('requested')} random {rb:.4f} ms vs tuned {tb:.4f} ms "
          f"(tuned/random {tb / rb if rb else 0:.3f}), random sample took {rnd.get('seconds', 0):.1f} s; "
          f"{ref} {refs.get(ref, 0):.4f} ms (tuned/ref {r['best_ms'] / refs.get(ref, 1):.3f})")
PY
# translate --tuned from the IR, with the database just written (the header names key and time).
for k in matmul softmax; do
  "$tilecc" translate ".carry/tune/$k.json" --tuned --arch sm_90a -o "$out/$k.tuned.cu" &&
    grep -A3 "tuned config from" "$out/$k.tuned.cu" | head -4
done
