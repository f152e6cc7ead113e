#!/usr/bin/env bash
# The demo: sets up, builds, translates a bundled example kernel (softmax) to CUDA C++ and
# prints it, then runs the same kernel in eager mode on the CPU.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
echo "== tilecc translate examples/softmax.tile.cpp =="
"${BUILD_DIR:-build}/cli/tilecc" translate examples/softmax.tile.cpp -o -
echo
echo "== the same kernel in eager mode (CPU) =="
demo="${BUILD_DIR:-build}/examples/tilecc_eager_demo"
if [ ! -x "$demo" ]; then
  echo "demo: $demo was not built: examples/eager_demo.cpp is not in this checkout yet" >&2
  exit 1
fi
"$demo" "$@"
