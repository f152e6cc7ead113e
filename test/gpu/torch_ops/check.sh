#!/bin/sh
# check.sh <tilecc source root> <work folder>: the --emit=torch ops against PyTorch (check.py),
# with the translations scripts/gpu_prepare.sh wrote into .carry/torch_ops. Exit 77 (ctest:
# skipped) without a GPU, without python3 and torch, or without the translations.
set -u
root=$1 work=$2
command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q GPU || { echo "no GPU: skipped"; exit 77; }
python=${PYTHON:-python3}
command -v "$python" >/dev/null || { echo "no $python: skipped"; exit 77; }
mkdir -p "$work"
# faulthandler: a crash inside an extension prints the Python line that called it.
exec "$python" -X faulthandler "$root/test/gpu/torch_ops/check.py" "$root" "$root/.carry/torch_ops" "$work"
