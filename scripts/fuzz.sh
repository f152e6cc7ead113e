#!/usr/bin/env bash
# Builds and runs the fuzz targets of test/fuzz (docs/FUZZING.md) with clang-16's libFuzzer.
#
#   scripts/fuzz.sh build [DIR]                  configure and build DIR (default build-fuzz)
#   scripts/fuzz.sh seeds TILECC OUT             seed corpora from the examples, OUT/{ir,config,frontend}
#   scripts/fuzz.sh run TARGET SECONDS [ARGS]    run one target; new inputs go to DIR/corpus/TARGET
#   scripts/fuzz.sh smoke TILECC [DIR]           build, seed, run each target briefly (the CI test)
#
# TARGET is fuzz_ir, fuzz_config or fuzz_frontend; ARGS go to libFuzzer (e.g. -jobs=1).
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_SEEDS (default DIR/seeds, made by
# `smoke` or `seeds`). A crash, leak or timeout exits 1 and leaves the input in DIR/artifacts/;
# keep it in test/fuzz/regressions/TARGET/ once fixed. Exits 77 (a skipped test) where
# clang-16 or its libFuzzer is not installed (Debian: clang-16, libclang-rt-16-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

have_libfuzzer() {
  command -v clang++-16 >/dev/null &&
    [ -n "$(find /usr/lib/llvm-16/lib/clang -name 'libclang_rt.fuzzer-x86_64.a' 2>/dev/null | head -1)" ]
}

build() {  # build DIR [CMAKE_BUILD_TYPE [CXX_FLAGS]]
  local dir=$1 type=${2:-RelWithDebInfo} flags=${3:-}
  if ! have_libfuzzer; then
    echo "fuzz: clang++-16 or its libFuzzer (libclang-rt-16-dev) is missing: skipped" >&2
    exit 77
  fi
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    mkdir -p "$dir"
    CC=clang-16 CXX=clang++-16 cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" \
      -DCMAKE_CXX_FLAGS="$flags" -DTILECC_FUZZ=ON "${launcher[@]}" >"$dir/configure.log" 2>&1 ||
      { cat "$dir/configure.log" >&2; exit 1; }
  fi
  local targets=(fuzz_ir fuzz_config)
  grep -q '^TILECC_WITH_CLANG:BOOL=ON' "$dir/CMakeCache.txt" && targets+=(fuzz_frontend)
  cmake --build "$dir" --target "${targets[@]}" -- -j"${FUZZ_JOBS:-2}"
}

seeds() {
  local tilecc=$1 out=$2
  rm -rf "$out" && mkdir -p "$out/ir" "$out/config" "$out/frontend"
  cp test/data/ir/*.json "$out/ir/"
  for f in examples/*.tile.cpp; do
    local name
    name=$(basename "$f" .tile.cpp)
    cp "$f" "$out/frontend/"
    "$tilecc" translate "$f" --emit-ir -o "$out/ir/$name.json"
    # Sampled configs, one per line after the kernel's name; different kernels' knobs mix.
    "$tilecc" config-space "$f" --sample 8 --seed 1 | cut -f2- | split -l 1 - "$out/config/$name."
  done
  cp test/errors/*.tile.cpp "$out/frontend/"
}

run() {
  local dir=$1 target=$2 seconds=$3
  shift 3
  local seeds=${FUZZ_SEEDS:-$dir/seeds}
  local corpus=$dir/corpus/$target regressions=$src/test/fuzz/regressions/$target
  mkdir -p "$corpus" "$dir/artifacts" "$regressions"
  # libFuzzer exits 77 on a crash unless told otherwise: here 77 means a skipped test.
  local opts=(-max_total_time="$seconds" -rss_limit_mb=2048 -close_fd_mask=3 -print_final_stats=1
              -error_exitcode=1 -timeout_exitcode=1
              -artifact_prefix="$dir/artifacts/$target-")
  case $target in
    # Clang frees nothing of a translation unit it abandons after a fatal error: leaks there
    # are Clang's own, not tilecc's.
    fuzz_frontend) opts+=(-timeout=60 -max_len=8192 -detect_leaks=0 -dict="$src/test/fuzz/frontend.dict") ;;
    *) opts+=(-timeout=60 -max_len=131072) ;;
  esac
  local seed_dirs=()
  case $target in
    fuzz_ir) seed_dirs=("$seeds/ir") ;;
    fuzz_config) seed_dirs=("$seeds/config") ;;
    fuzz_frontend) seed_dirs=("$seeds/frontend") ;;
  esac
  for d in "${seed_dirs[@]}"; do [ -d "$d" ] || { echo "fuzz: no seeds in $d (scripts/fuzz.sh seeds)" >&2; exit 1; }; done
  local asan=${ASAN_OPTIONS:-}
  [ "$target" = fuzz_frontend ] && asan="detect_leaks=0${asan:+:$asan}"  # (see the note above)
  ASAN_OPTIONS=$asan nice -n 19 "$dir/test/fuzz/$target" "${opts[@]}" "$@" "$corpus" "${seed_dirs[@]}" "$regressions"
}

cmd=${1:-}
shift || true
case $cmd in
  build) build "${1:-${FUZZ_BUILD_DIR:-build-fuzz}}" ;;
  seeds) seeds "$1" "$2" ;;
  run) run "${FUZZ_BUILD_DIR:-build-fuzz}" "$@" ;;
  smoke)
    tilecc=$1 dir=${2:-${FUZZ_BUILD_DIR:-build-fuzz}}
    # -O1 with line tables compiles in four fifths of the time of -O2 -g and runs about as
    # fast (unoptimized code compiles in a third of it but runs little more than the seeds).
    build "$dir" None "-O1 -gline-tables-only"
    seeds "$tilecc" "$dir/seeds"
    # About a minute in all; the frontend runs Clang per input, so it gets the longest.
    run "$dir" fuzz_ir 20
    run "$dir" fuzz_config 15
    [ -x "$dir/test/fuzz/fuzz_frontend" ] && run "$dir" fuzz_frontend 25
    ;;
  *) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; [ "$cmd" = -h ] || [ "$cmd" = --help ] ;;
esac
