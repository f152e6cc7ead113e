#!/usr/bin/env bash
# Runs on the GPU machine: builds bench/sweep_rows.cu once per config folder in
# .carry/sweep (written by scripts/gpu_sweep_translate.sh), in parallel; runs each; prints
# the best three configs per kernel. VARIANTS="default precise" also builds each config with
# -DTILECC_PRECISE_MATH (accurate expf and division).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp}
build() {  # config folder, variant (acc|fast)
  local c=$1 v=$2 flag=""
  [ "$v" = precise ] && flag=-DTILECC_PRECISE_MATH
  /usr/local/cuda/bin/nvcc -std=c++20 -O3 -gencode=arch=compute_90a,code=sm_90a -Xptxas -warn-spills \
    -Iinclude -Itemplates -I.carry/sweep/$c $flag -DCONFIG_NAME=\"${c}_$v\" bench/sweep_rows.cu \
    -o /tmp/sweep_${c}_$v > /tmp/sweep_${c}_$v.log 2>&1 || echo "${c}_$v: build failed"
}
export -f build
variants=${VARIANTS:-default}
for c in $(ls .carry/sweep); do for v in $variants; do echo "$c $v"; done; done | xargs -P 16 -L 1 bash -c 'build $0 $1'
grep -l "spill" /tmp/sweep_*.log | sed 's|/tmp/sweep_||; s|.log| spills|' || true
for c in $(ls .carry/sweep); do for v in $variants; do
  [ -x /tmp/sweep_${c}_$v ] && /tmp/sweep_${c}_$v; done; done | tee "$out/sweep.log"
echo "== best per kernel"
for k in softmax layer_norm rms_norm sum; do grep " $k " "$out/sweep.log" | sort -k3 -n | head -3; done
