#!/usr/bin/env bash
# The demo: sets up, builds, and runs the eager-mode demo on a bundled example kernel.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
demo="${BUILD_DIR:-build}/examples/tilecc_eager_demo"
if [ ! -x "$demo" ]; then
  echo "demo: $demo was not built: examples/eager_demo.cpp is not in this checkout yet" >&2
  exit 1
fi
exec "$demo" "$@"
