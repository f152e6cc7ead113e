#!/usr/bin/env bash
# Formats tilecc's C++ sources with clang-format-16 and the repository's .clang-format; with
# --check, changes nothing and fails (exit 1) naming each file that is not formatted (CI: the
# `format` label of ctest runs the check).
#
#   scripts/format.sh [--check] [file ...]     (no files: every checked file)
#
# Checked: the C++ of translator/, cli/, runtime/, autotune/, include/, templates/, test/support/
# and test/unit/. Not checked: the tile kernels (examples/, test/errors/, test/kernels/, ...):
# golden tests check diagnostics and comments by their line and column, and the examples are
# laid out for reading.
# Environment: CLANG_FORMAT (default clang-format-16).
set -euo pipefail
cd "$(dirname "$0")/.."
clang_format=${CLANG_FORMAT:-clang-format-16}
check=0
files=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "format.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    *) files+=("$arg") ;;
  esac
done
command -v "$clang_format" >/dev/null ||
  { echo "format.sh: $clang_format not found (scripts/setup.sh installs it)" >&2; exit 2; }
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
                         translator cli runtime autotune include templates test/support test/unit |
                       grep -E '\.(cpp|hpp|h|cu|cuh)$')
fi
if [ "$check" = 1 ]; then
  "$clang_format" --dry-run -Werror "${files[@]}" ||
    { echo "format.sh: the files above are not formatted: run scripts/format.sh <file>" >&2; exit 1; }
  echo "format.sh: ${#files[@]} files formatted"
else
  "$clang_format" -i "${files[@]}"
fi
