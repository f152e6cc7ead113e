#!/usr/bin/env bash
# Runs on the GPU machine (no Clang there): the template primitives' test
# (test/gpu/test_templates.cu) and the GPU checks built from CUDA that `tilecc translate`
# wrote on a machine with Clang into .carry/<variant>/gen, each run plainly and then under
# compute-sanitizer memcheck. Variants: flat (default configs), persistent (persistent
# programs), wgmma (matmul and bmm on sm_90a warpgroup MMA) where prepared.
#   here:  scripts/gpu_translate.sh      (writes .carry/<variant>/gen/*.cu)
#   there: scripts/gpu_check.sh          (VARIANTS="flat wgmma" to pick; MEMCHECK="wgmma" to
#          memcheck only those variants, MEMCHECK=none for none; RACECHECK=0 skips the
#          racecheck of the template test)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp}
nvcc=/usr/local/cuda/bin/nvcc
variants=${VARIANTS:-}
if [ -z "$variants" ]; then
  for v in flat persistent wgmma; do [ -d .carry/$v/gen ] && variants="$variants $v"; done
fi
nvidia-smi --query-gpu=name --format=csv,noheader
flags=(-std=c++20 -O2 -gencode=arch=compute_90a,code=sm_90a -Iinclude -Itemplates)
pids=()
$nvcc "${flags[@]}" test/gpu/test_templates.cu -o /tmp/test_templates > "$out/build_templates.log" 2>&1 &
pids+=($!)
for variant in $variants; do
  $nvcc "${flags[@]}" -I.carry/$variant test/gpu/check_examples.cu -o /tmp/check_$variant \
    > "$out/build_$variant.log" 2>&1 &
  pids+=($!)
  if [ -f .carry/$variant/gen/jagged.cu ]; then
    $nvcc "${flags[@]}" -I.carry/$variant test/gpu/check_language.cu -o /tmp/check_language_$variant \
      > "$out/build_language_$variant.log" 2>&1 &
    pids+=($!)
  fi
  if [ -f .carry/$variant/gen/split_k.cu ]; then
    $nvcc "${flags[@]}" -I.carry/$variant test/gpu/check_ports.cu -o /tmp/check_ports_$variant \
      > "$out/build_ports_$variant.log" 2>&1 &
    pids+=($!)
  fi
done
if [ -f .carry/attention/attention.cu ]; then
  $nvcc "${flags[@]}" -I.carry test/gpu/check_attention.cu -o /tmp/check_attention > "$out/build_attention.log" 2>&1 &
  pids+=($!)
fi
for p in "${pids[@]}"; do wait "$p" || { tail -30 "$out"/build_*.log; exit 1; }; done
status=0
echo "== template primitives"
/tmp/test_templates > "$out/templates.log" 2>&1 || status=1
grep -E "FAIL|passed" "$out/templates.log" | head -20
# Shared-memory hazards (the reductions' scratch buffers without closing barriers).
if [ "${RACECHECK:-1}" = 1 ] && command -v compute-sanitizer >/dev/null; then
  compute-sanitizer --tool racecheck --racecheck-report hazard --print-limit 5 /tmp/test_templates \
    > "$out/racecheck_templates.log" 2>&1 || status=1
  grep -E "RACECHECK SUMMARY|ERROR SUMMARY" "$out/racecheck_templates.log" | tail -2
fi
for variant in $variants; do
  echo "== $variant"
  /tmp/check_$variant > "$out/check_$variant.log" || status=1
  grep -E "FAIL|passed" "$out/check_$variant.log"
  if [ -x /tmp/check_language_$variant ]; then
    /tmp/check_language_$variant > "$out/check_language_$variant.log" || status=1
    grep -E "FAIL|passed" "$out/check_language_$variant.log"
  fi
  if [ -x /tmp/check_ports_$variant ]; then
    /tmp/check_ports_$variant > "$out/check_ports_$variant.log" || status=1
    grep -E "FAIL|passed" "$out/check_ports_$variant.log"
  fi
  if [[ " ${MEMCHECK:-$variants} " == *" $variant "* ]] && command -v compute-sanitizer >/dev/null; then
    compute-sanitizer --tool memcheck --print-limit 5 /tmp/check_$variant > "$out/memcheck_$variant.log" 2>&1 || status=1
    tail -1 "$out/memcheck_$variant.log"
    if [ -x /tmp/check_language_$variant ]; then
      compute-sanitizer --tool memcheck --print-limit 5 /tmp/check_language_$variant \
        > "$out/memcheck_language_$variant.log" 2>&1 || status=1
      tail -1 "$out/memcheck_language_$variant.log"
    fi
    if [ -x /tmp/check_ports_$variant ]; then
      compute-sanitizer --tool memcheck --print-limit 5 /tmp/check_ports_$variant \
        > "$out/memcheck_ports_$variant.log" 2>&1 || status=1
      tail -1 "$out/memcheck_ports_$variant.log"
    fi
  fi
done
if [ -x /tmp/check_attention ]; then
  echo "== attention"
  /tmp/check_attention --bench > "$out/check_attention.log" || status=1
  grep -E "FAIL|passed|bench" "$out/check_attention.log"
  if command -v compute-sanitizer >/dev/null; then
    compute-sanitizer --tool memcheck --print-limit 5 /tmp/check_attention > "$out/memcheck_attention.log" 2>&1 || status=1
    tail -1 "$out/memcheck_attention.log"
  fi
fi
exit $status
