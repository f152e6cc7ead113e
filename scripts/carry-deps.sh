#!/usr/bin/env bash
# Copies the header-only dependencies (CLI11, fmt, nlohmann-json, Catch2 and its CMake
# module) from this machine into .carry/ (git-ignored), for a machine that has no Debian
# packages, such as the GPU machine. Name `.carry` in the device tool's `carry`; there,
# configure with -DTILECC_WITH_CLANG=OFF and CMake finds the headers under .carry/include.
set -euo pipefail
cd "$(dirname "$0")/.."

rm -rf .carry
mkdir -p .carry/include .carry/cmake
for dir in CLI fmt nlohmann catch2; do
  [ -d "/usr/include/$dir" ] || { echo "carry-deps: /usr/include/$dir missing; run scripts/setup.sh" >&2; exit 1; }
  cp -r "/usr/include/$dir" .carry/include/
done
cp /usr/lib/cmake/Catch2/Catch.cmake /usr/lib/cmake/Catch2/CatchAddTests.cmake .carry/cmake/
echo "carry-deps: $(du -sh .carry | cut -f1) in .carry/"
