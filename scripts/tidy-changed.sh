#!/usr/bin/env bash
# Runs clang-tidy (the checks of .clang-tidy) on the C++ sources a change touches, with the
# compile commands of an existing build: scripts/tidy-changed.sh [BUILD] [BASE].
# BASE defaults to $AIG_TIDY_BASE, else origin/main when it differs from HEAD, else HEAD~1.
# A header that changed brings in the sources of its folder that include it.
# Exits 0 when nothing to check or no finding; 1 on a finding; 2 when clang-tidy is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
if [[ -z "$tidy" ]]; then
  echo "clang-tidy not found (Debian: clang-tidy-14; scripts/install-deps.sh with AIG_WITH_TIDY=1)" >&2
  exit 2
fi
if [[ ! -f "$build/compile_commands.json" ]]; then
  echo "no $build/compile_commands.json: configure the build first" >&2
  exit 2
fi
base=${2:-${AIG_TIDY_BASE:-}}
if [[ -z "$base" ]]; then
  if git rev-parse -q --verify origin/main >/dev/null &&
     [[ $(git rev-parse origin/main) != $(git rev-parse HEAD) ]]; then
    base=$(git merge-base origin/main HEAD)
  elif git rev-parse -q --verify HEAD~1 >/dev/null; then
    base=HEAD~1
  else
    echo "tidy: no base commit to compare with"; exit 0
  fi
fi

# The library, its surfaces and the tests (the Python extension is compiled with pybind11's
# link-time optimisation flags, which clang does not take as GCC gives them).
changed=$(git diff --name-only --diff-filter=ACMR "$base" -- src include tests examples)
files=()
for f in $changed; do
  case "$f" in
    *.cpp) files+=("$f") ;;
    *.hpp)
      # The sources beside the header (or of its layer) that include it.
      stem=$(basename "$f")
      dir=$(dirname "$f"); dir=${dir/#include\/aiguillage/src}
      [[ -d "$dir" ]] || continue
      while IFS= read -r src; do files+=("$src"); done \
        < <(grep -rl --include='*.cpp' "$stem\"" "$dir" || true) ;;
  esac
done
# Only the sources the build compiles (the compile database knows their flags).
mapfile -t files < <(printf '%s\n' "${files[@]}" | sort -u | while read -r f; do
  [[ -n "$f" && -f "$f" ]] && grep -q "\"file\": \"$PWD/$f\"" "$build/compile_commands.json" && echo "$f"
done || true)
if ((${#files[@]} == 0)); then
  echo "tidy: no changed C++ source since $base"
  exit 0
fi
echo "tidy: ${#files[@]} file(s) changed since $base"
printf '%s\n' "${files[@]}" | xargs -P "${JOBS:-2}" -n 1 nice "$tidy" -p "$build" --quiet \
  --extra-arg=-Wno-unknown-warning-option 2> >(grep -v "warnings generated" >&2)
echo "tidy: no finding"
