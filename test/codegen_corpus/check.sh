#!/bin/sh
# check.sh <codegen_corpus> <manifest> [<tilecc> <source_dir>]
#
# The golden test codegen_corpus:byte_identity: writes the corpus into a fresh temporary folder
# and compares each file's SHA-256 with the manifest (sha256sum format; '#' lines are
# comments). Every file that differs, is missing or is new is named; the corpus is then kept
# for inspection, and scripts/codegen_corpus_diff.sh shows the changed lines.
#
# With <tilecc> and <source_dir>, also checks that two whole-file corpus outputs are byte for
# byte what `tilecc translate` prints when run from the source root, so the corpus keeps
# covering the command rather than a path of its own.
set -u
[ $# -eq 2 ] || [ $# -eq 4 ] || { echo "usage: $0 <codegen_corpus> <manifest> [<tilecc> <source_dir>]" >&2; exit 2; }
corpus_tool=$1 manifest=$2
[ -r "$manifest" ] || { echo "cannot read the manifest $manifest"; exit 1; }

out=$(mktemp -d "${TMPDIR:-/tmp}/codegen_corpus.XXXXXX") || exit 1
keep=0
cleanup() { [ "$keep" = 1 ] || rm -rf "$out"; }
trap cleanup EXIT

"$corpus_tool" "$out/corpus" || { echo "codegen_corpus failed"; exit 1; }
(cd "$out/corpus" && sha256sum -- *) | LC_ALL=C sort -k 2 > "$out/actual.sha256"

LC_ALL=C awk '
  FNR == 1 { file++ }
  /^#/ || NF == 0 { next }
  file == 1 { want[$2] = $1; next }
  { have[$2] = $1 }
  END {
    for (f in want) {
      if (!(f in have)) print "missing (in the manifest, not written): " f
      else if (have[f] != want[f]) print "differs: " f
    }
    for (f in have) if (!(f in want)) print "extra (written, not in the manifest): " f
  }' "$manifest" "$out/actual.sha256" | LC_ALL=C sort > "$out/report"
cat "$out/report"
mismatches=$(($(wc -l < "$out/report")))
[ "$mismatches" = 0 ] || echo "$mismatches files do not match $manifest"

if [ $# -eq 4 ]; then
  tilecc=$3 source_dir=$4
  for args in "examples/softmax.tile.cpp --arch sm_90a --specialize=auto:softmax.auto-sm_90a.cu" \
              "examples/matmul.tile.cpp:matmul.default-sm_80.cu"; do
    cmd=${args%%:*} file=${args##*:}
    # shellcheck disable=SC2086  # cmd is a word list
    if ! (cd "$source_dir" && "$tilecc" translate $cmd) | cmp -s - "$out/corpus/$file"; then
      echo "tilecc translate $cmd does not print $file of the corpus"
      mismatches=$((mismatches + 1))
    fi
  done
fi

if [ "$mismatches" != 0 ]; then
  keep=1
  echo "the corpus is kept in $out/corpus"
  echo "see the changed lines: scripts/codegen_corpus_diff.sh; if the change is intended: scripts/codegen_corpus_diff.sh --update"
  exit 1
fi
echo "$(($(wc -l < "$out/actual.sha256"))) corpus files match $manifest"
