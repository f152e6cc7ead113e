#!/bin/sh
# if_gpu.sh <command> [args...]: runs the command where the machine has a GPU, else exits 77
# (ctest: skipped) instead of letting a GPU test pass without testing anything.
command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q GPU || { echo "no GPU: skipped"; exit 77; }
exec "$@"
