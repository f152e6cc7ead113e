#!/usr/bin/env bash
# The example ports beside PyTorch (eager and torch.compile), measured in the same run: every
# example that bench/bench_kernels.cu does not time (nor attention, which has its own
# benchmark), at its default translation. Two modes:
#   here (needs build/cli/tilecc):  scripts/gpu_bench_ports.sh prepare
#       translates the examples into .carry/ports/gen (git-ignored; carry .carry to the GPU).
#   on the GPU machine:             OUT=dir scripts/gpu_bench_ports.sh run
#       builds bench/bench_ports.cu (nvcc) while bench/bench_ports_torch.py compiles its
#       functions, then runs the tilecc benchmark and the PyTorch timings one after the other
#       (never both on the GPU at once) and prints one table joined by port name. Logs in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
ports=(batch_softmax bmm broadcast_matmul concat cross_entropy cumsum embedding exp fp8_gemm gather_gemv geglu
       grouped_gemm int4_gemm jagged jagged_dense_add jagged_layer_norm jagged_softmax layer_norm_backward long_sum
       matmul_bias_relu matmul_layernorm moe_matmul rms_norm_backward rope segment_reduction softmax_backward split_k
       squeeze_and_excitation swiglu welford)
# Other configs of a port, timed beside its default to decide a default (row "port:variant",
# against the port's PyTorch times): name, variant, tilecc translate options.
variants=("layer_norm_backward persistent --set pid=persistent_interleaved")

case "${1:-}" in
  prepare)
    rm -rf .carry/ports
    mkdir -p .carry/ports/gen
    for k in "${ports[@]}"; do
      "${TILECC:-build/cli/tilecc}" translate "examples/$k.tile.cpp" --arch sm_90a -o ".carry/ports/gen/$k.cu"
    done
    for v in "${variants[@]}"; do
      read -r k name opts <<< "$v"
      # shellcheck disable=SC2086  # the options are words
      "${TILECC:-build/cli/tilecc}" translate "examples/$k.tile.cpp" --arch sm_90a $opts -o ".carry/ports/gen/${k}_$name.cu"
    done
    echo "translated ${#ports[@]} examples into .carry/ports/gen"
    ;;
  run)
    out=${OUT:-/tmp}
    mkdir -p "$out"
    [ -d .carry/ports/gen ] || { echo "no .carry/ports/gen: run scripts/gpu_bench_ports.sh prepare first" >&2; exit 1; }
    nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null || true
    start=$(date +%s)
    ready=/tmp/bench_ports_torch.ready gate=/tmp/bench_ports_torch.gate
    rm -f "$ready" "$gate"
    # The build (CPU) overlaps the torch.compile of every PyTorch function; the Python script
    # then waits at the gate until the tilecc benchmark has finished with the GPU.
    /usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates \
      -I.carry/ports bench/bench_ports.cu -o /tmp/bench_ports > "$out/bench_ports_build.log" 2>&1 &
    build=$!
    BENCH_PORTS_READY=$ready BENCH_PORTS_GATE=$gate python3 bench/bench_ports_torch.py > "$out/bench_ports_torch.log" 2>&1 &
    py=$!
    built=1
    wait "$build" || built=0
    echo "nvcc: $([ $built = 1 ] && echo built || echo FAILED) after $(($(date +%s) - start)) s"
    if [ $built = 1 ]; then
      while [ ! -e "$ready" ] && kill -0 "$py" 2>/dev/null; do sleep 1; done
      echo "torch.compile done after $(($(date +%s) - start)) s; running the tilecc benchmark"
      /tmp/bench_ports > "$out/bench_ports.log" 2>&1 || echo "bench_ports exited with status $?"
    else
      tail -30 "$out/bench_ports_build.log"
      : > "$out/bench_ports.log"
    fi
    touch "$gate"
    py_rc=0
    wait "$py" || py_rc=$?
    [ $py_rc = 0 ] || { echo "bench_ports_torch.py exited with status $py_rc:"; tail -20 "$out/bench_ports_torch.log"; }
    echo "total $(($(date +%s) - start)) s"
    grep -v '^port \|^copy ' "$out/bench_ports.log" || true
    grep -v '^torch \|^copy ' "$out/bench_ports_torch.log" || true
    # One table, joined by port name. Ratios are of times: below 1, tilecc is faster.
    python3 - "$out/bench_ports.log" "$out/bench_ports_torch.log" <<'EOF' | tee "$out/bench_ports_table.md"
import sys

ours, order, torch_ms = {}, [], {}
copy_gbs = None
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 7 and f[0] == "port" and f[4] == "ms":
        ours[f[1]] = (f[2], float(f[3]), f[5], float(f[6]))
        order.append(f[1])
    elif len(f) >= 5 and f[0] == "copy" and f[4] == "GB/s":
        copy_gbs = float(f[3])
torch_order = []
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 5 and f[0] == "torch" and f[4] == "ms":
        torch_ms[(f[1], f[2])] = float(f[3])
        if f[2] not in torch_order:
            torch_order.append(f[2])
order += [k for k in torch_order if k not in ours]
print(f"device copy: {copy_gbs:.0f} GB/s (read + write)" if copy_gbs else "device copy: not measured")
print("tilecc / eager, tilecc / compile: ratios of times (below 1: tilecc is faster)")
print()
print("| port | shape | tilecc ms | PyTorch eager ms | torch.compile ms | tilecc / eager | tilecc / compile "
      "| GB/s (% of copy) or TFLOP/s |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
fmt = lambda v: f"{v:.4f}" if v is not None else "-"
for name in order:
    shape, ms, kind, amount = ours.get(name, ("-", None, None, 0.0))
    base = name.split(":")[0]  # a variant is measured against its port's PyTorch times
    eager, comp = torch_ms.get(("eager", base)), torch_ms.get(("compile", base))
    ratio = lambda t: f"{ms / t:.2f}" if ms is not None and t else "-"
    if ms is None:
        rate = "-"
    elif kind == "bytes":
        gbs = amount / (ms * 1e-3) / 1e9
        rate = f"{gbs:.0f} ({100 * gbs / copy_gbs:.0f}%)" if copy_gbs else f"{gbs:.0f}"
    else:
        rate = f"{amount / (ms * 1e-3) / 1e12:.1f} TFLOP/s"
    print(f"| {name} | {shape} | {fmt(ms)} | {fmt(eager)} | {fmt(comp)} | {ratio(eager)} | {ratio(comp)} | {rate} |")
EOF
    ;;
  *)
    echo "usage: scripts/gpu_bench_ports.sh prepare | run  (see the comment at the top)" >&2
    exit 2
    ;;
esac
