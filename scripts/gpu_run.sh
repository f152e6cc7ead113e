#!/usr/bin/env bash
# The one GPU-machine job: correctness (scripts/gpu_check.sh: every example against eager,
# flat and persistent programs, then compute-sanitizer memcheck), the benchmark table
# (scripts/gpu_bench.sh) and the matmul config sweep (scripts/gpu_sweep_matmul.sh run).
# Prepare here first: scripts/gpu_translate.sh && scripts/gpu_sweep_matmul.sh translate.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
echo "=== correctness";   scripts/gpu_check.sh || status=1
echo "=== benchmark";     scripts/gpu_bench.sh || status=1
if [ -d .carry/mmsweep ]; then echo "=== matmul sweep"; scripts/gpu_sweep_matmul.sh run || status=1; fi
exit $status
