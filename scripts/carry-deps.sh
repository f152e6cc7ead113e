#!/usr/bin/env bash
# Copies the header-only dependencies (CLI11, fmt, nlohmann-json, Catch2) from this machine
# into .carry/<name>/ (git-ignored), for a machine without the Debian packages, such as the
# GPU machine. Name `.carry` in the device tool's `carry`; there, configure with
# -DTILECC_WITH_CLANG=OFF and CMake takes what it lacks from .carry.
set -euo pipefail
cd "$(dirname "$0")/.."

copy() { # copy <name> <files...>
  local name=$1; shift
  rm -rf ".carry/$name"  # only this dependency: .carry also holds translated files of others
  mkdir -p ".carry/$name"
  for f in "$@"; do
    [ -e "$f" ] || { echo "carry-deps: $f missing; run scripts/setup.sh" >&2; exit 1; }
    cp -r "$f" ".carry/$name/"
  done
}

copy cli11 /usr/include/CLI
copy fmt /usr/include/fmt
copy json /usr/include/nlohmann
copy catch2 /usr/include/catch2
echo "carry-deps: $(du -sh .carry | cut -f1) in .carry/"
