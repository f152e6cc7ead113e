#!/usr/bin/env bash
# The test command (README, CI): sets up and builds with warnings as errors, then runs every
# test tier that this machine can run. Extra arguments go to ctest, e.g. `-L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh --werror
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2 "$@"
