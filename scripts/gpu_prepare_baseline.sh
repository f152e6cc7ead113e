#!/usr/bin/env bash
# Prepares, here, a baseline for scripts/gpu_bench.sh to build and time in the same GPU run as
# the working tree: another commit's device templates, language header and benchmark source,
# and the benchmark kernels as that commit's tilecc translates them, in .carry/baseline
# (git-ignored; pass .carry in the device run's carry list).
#
#   scripts/gpu_prepare_baseline.sh <commit> <tilecc built from that commit>
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { echo "usage: $0 <commit> <tilecc of that commit>" >&2; exit 2; }
commit=$1 tilecc=$(realpath "$2")
rm -rf .carry/baseline && mkdir -p .carry/baseline
git archive "$commit" include templates bench test/support scripts/gpu_translate.sh | tar -x -C .carry/baseline
# The commit's own translation of the benchmark variants (its gpu_translate.sh), run in a copy
# of its examples so that the header comments name the same paths.
git archive "$commit" examples | tar -x -C .carry/baseline
(cd .carry/baseline && TILECC="$tilecc" bash scripts/gpu_translate.sh > /dev/null)
rm -rf .carry/baseline/.carry/flat .carry/baseline/.carry/persistent .carry/baseline/.carry/wgmma
echo "gpu_prepare_baseline: $(git rev-parse --short "$commit") in .carry/baseline"
