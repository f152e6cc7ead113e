#!/usr/bin/env bash
# Sets up a development machine and builds tilecc into build/ (CMake + Ninja, Release).
# Idempotent: installs only missing Debian packages and prints little when all is done.
#
#   scripts/setup.sh [--no-build] [--no-packages] [--werror] [-DVAR=VALUE ...]
#
#   --no-build      install and configure only
#   --no-packages   do not install Debian packages (machines without apt, e.g. the GPU box)
#   --werror        warnings are errors (same as -DTILECC_WERROR=ON; CI uses it)
#   -D...           passed to CMake, e.g. -DTILECC_WITH_CLANG=OFF
# Environment: BUILD_DIR (default build), CUDAToolkit_ROOT (default /usr/local/cuda).
set -euo pipefail

cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
build=1
packages=1
cmake_args=()

for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --no-packages) packages=0 ;;
    --werror) cmake_args+=(-DTILECC_WERROR=ON) ;;
    -D*) cmake_args+=("$arg") ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
warn() { echo "setup: warning: $*" >&2; }

# --- Debian packages ------------------------------------------------------------------
# libclang-rt-16-dev: clang-16's libFuzzer and sanitizer runtimes (test/fuzz, docs/FUZZING.md);
# clang-format-16: scripts/format.sh and the format test.
deb_packages=(clang-16 libclang-16-dev libclang-cpp16-dev llvm-16-dev llvm-16-tools libclang-rt-16-dev
              clang-format-16 libcli11-dev libfmt-dev catch2 nlohmann-json3-dev ninja-build cmake g++)
if [ "$packages" = 1 ]; then
  missing=()
  for p in "${deb_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    if [ "$(id -u)" != 0 ]; then
      command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
      sudo=(sudo)
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
fi

# --- CUDA toolkit (not a Debian package: only checked) --------------------------------
cuda_root=${CUDAToolkit_ROOT:-/usr/local/cuda}
cuda_missing=()
for f in bin/nvcc include/nvrtc.h lib64/libnvrtc.so; do
  [ -e "$cuda_root/$f" ] || cuda_missing+=("$cuda_root/$f")
done
if [ ${#cuda_missing[@]} -gt 0 ]; then
  warn "CUDA toolkit incomplete, missing: ${cuda_missing[*]}"
  warn "the NVRTC-dependent parts and the nvrtc test tier will be skipped. Install the CUDA"
  warn "toolkit (https://developer.nvidia.com/cuda-downloads) or set CUDAToolkit_ROOT."
fi
if [ -n "${CUDAToolkit_ROOT:-}" ]; then
  cmake_args+=("-DCUDAToolkit_ROOT=$CUDAToolkit_ROOT")
fi

# --- configure + build ----------------------------------------------------------------
# Configure output goes to a log; only tilecc's own notes are shown (or the log on failure).
generator=()
[ -f "$build_dir/CMakeCache.txt" ] || generator=(-G Ninja)
mkdir -p "$build_dir"
log="$build_dir/configure.log"
if ! cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "${cmake_args[@]}" \
     >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: CMake configure failed (log: $log)" >&2
  exit 1
fi
grep -E '^-- tilecc: .*(not|skipped)|CMake Warning' "$log" | sed 's/^-- /setup: /' || true

if [ "$build" = 1 ]; then
  cmake --build "$build_dir"
fi
