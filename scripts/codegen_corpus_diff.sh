#!/usr/bin/env bash
# Shows how the generated CUDA of the working tree differs from that of a commit, file by file
# and line by line, over the corpus of test/codegen_corpus (every example kernel under the
# default configs, --specialize=auto and the nvrtc tier's seeded sample); or rewrites the
# corpus manifest that the golden test codegen_corpus:byte_identity checks.
#
#   scripts/codegen_corpus_diff.sh [<commit>]   unified diff of <commit>'s corpus and the working
#                                               tree's; exit status 0 when they are identical
#   scripts/codegen_corpus_diff.sh --update     rewrite test/data/codegen_corpus.sha256 from the
#                                               working tree (after an intended change of the
#                                               output; commit it together with that change)
#
# <commit> defaults to the manifest's reference: the last commit that changed
# test/data/codegen_corpus.sha256, whose corpus is the one the manifest hashes. The commit must
# contain test/codegen_corpus/codegen_corpus.cpp (the commit that added it and later ones):
# older commits have neither the tool nor the library interface it uses.
#
# The commit is built in a temporary git worktree with its own build folder (only the corpus
# tool), removed afterwards; set CORPUS_DIFF_DIR to a folder to keep the worktree and its build
# there and reuse them on the next run (incremental builds). The working tree's tool is built in
# BUILD_DIR (default build; configured here if it is not yet). JOBS: parallel build jobs.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
manifest=test/data/codegen_corpus.sha256
build_dir=${BUILD_DIR:-build}
jobs=()
[ -n "${JOBS:-}" ] && jobs=(-j "$JOBS")

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; }
die() { echo "codegen_corpus_diff: $*" >&2; exit 2; }

update=0
commit=
for arg in "$@"; do
  case "$arg" in
    --update) update=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option '$arg' (try --help)" ;;
    *) [ -z "$commit" ] || die "one commit at most (try --help)"; commit=$arg ;;
  esac
done
[ "$update" = 0 ] || [ -z "$commit" ] || die "--update takes no commit: it hashes the working tree"

if [ "$update" = 0 ]; then
  if [ -z "$commit" ]; then
    commit=$(git log -1 --format=%H -- "$manifest")
    [ -n "$commit" ] || die "no commit has $manifest yet: name one"
  fi
  resolved=$(git rev-parse --verify --quiet "$commit^{commit}") || die "no commit '$commit'"
  commit=$resolved
  git cat-file -e "$commit:test/codegen_corpus/codegen_corpus.cpp" 2>/dev/null ||
    die "$(git rev-parse --short "$commit") has no test/codegen_corpus/codegen_corpus.cpp: only commits from the one that added it on can be compared"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/codegen_corpus_diff.XXXXXX")
worktree=
cleanup() {
  if [ -n "$worktree" ] && [ -z "${CORPUS_DIFF_DIR:-}" ]; then
    git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# build_corpus_tool <source dir> <build dir>: configures if needed, builds codegen_corpus only.
build_corpus_tool() {
  local src=$1 bld=$2
  if [ ! -f "$bld/CMakeCache.txt" ]; then
    echo "codegen_corpus_diff: configuring $bld" >&2
    cmake -S "$src" -B "$bld" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTILECC_BUILD_TESTS=ON \
      >"$tmp/configure.log" 2>&1 || { cat "$tmp/configure.log" >&2; die "configuring $bld failed"; }
  fi
  echo "codegen_corpus_diff: building codegen_corpus in $bld" >&2
  cmake --build "$bld" --target codegen_corpus "${jobs[@]}" >"$tmp/build.log" 2>&1 ||
    { tail -n 60 "$tmp/build.log" >&2; die "building codegen_corpus in $bld failed"; }
  [ -x "$bld/test/codegen_corpus" ] || die "$bld has no test/codegen_corpus (needs the Clang frontend and TILECC_BUILD_TESTS=ON)"
}

build_corpus_tool "$root" "$build_dir"
"$build_dir/test/codegen_corpus" "$tmp/new" || die "the working tree's codegen_corpus failed"

if [ "$update" = 1 ]; then
  # The commit the working tree stands on, and its uncommitted changes that can reach the output.
  changed=$(git diff --name-only HEAD -- translator templates include cli autotune examples | tr '\n' ' ' | sed 's/ $//')
  {
    echo "# SHA-256 of every file test/codegen_corpus/codegen_corpus.cpp writes (sha256sum format;"
    echo "# sha256sum -c skips these '#' lines), checked by the golden test codegen_corpus:byte_identity."
    echo "# Reference: the last commit that changed this file; scripts/codegen_corpus_diff.sh diffs its"
    echo "# corpus with the working tree's. After an intended change of the generated CUDA, regenerate"
    echo "# it and commit it with that change:  scripts/codegen_corpus_diff.sh --update"
    echo "# Generated from $(git rev-parse --short=12 HEAD)${changed:+ with uncommitted changes to: $changed}"
    (cd "$tmp/new" && sha256sum -- *) | LC_ALL=C sort -k 2
  } >"$tmp/manifest"
  mv "$tmp/manifest" "$manifest"
  echo "codegen_corpus_diff: wrote $manifest ($(find "$tmp/new" -type f | wc -l) files)"
  exit 0
fi

if [ -n "${CORPUS_DIFF_DIR:-}" ]; then
  worktree=$(realpath -m "$CORPUS_DIFF_DIR")
  if [ -e "$worktree/.git" ]; then
    git -C "$worktree" checkout --quiet --detach "$commit"
  else
    git worktree add --quiet --detach "$worktree" "$commit"
  fi
else
  worktree=$tmp/worktree
  git worktree add --quiet --detach "$worktree" "$commit"
fi
build_corpus_tool "$worktree" "$worktree/build-corpus"
"$worktree/build-corpus/test/codegen_corpus" "$tmp/old" || die "the codegen_corpus of $commit failed"

# Folders named after the two sides, so that the diff's file headers say which is which (their
# modification times, which say nothing here, dropped).
short=$(git rev-parse --short "$commit")
mv "$tmp/old" "$tmp/$short"
mv "$tmp/new" "$tmp/working-tree"
status=0
(cd "$tmp" && diff -ru "$short" working-tree) >"$tmp/diff" || status=$?
[ "$status" -le 1 ] || die "diff failed"
sed -E 's/^((---|\+\+\+) [^\t]*)\t.*/\1/' "$tmp/diff"
if [ "$status" = 0 ]; then
  echo "codegen_corpus_diff: identical to $short ($(find "$tmp/working-tree" -type f | wc -l) files)" >&2
else
  echo "codegen_corpus_diff: $(grep -c '^diff -ru ' "$tmp/diff") files differ, $(grep -c '^Only in ' "$tmp/diff") only on one side" >&2
  exit 1
fi
