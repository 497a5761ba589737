#!/usr/bin/env bash
# The Debian packages and the Python wheel, built from one build folder and tried for real:
#   deb    cpack -G DEB; lintian with AIG_LINTIAN=1 (errors fail); dpkg -i into this system; from an empty folder the
#          CLI lists its packs and orients the bundled sample, a C program links with pkg-config,
#          Python imports the package and loads the bundled referential; then dpkg -r, and
#          nothing of the packages is left.
#   wheel  python3 -m build --no-isolation --wheel (reusing the build folder); pip install
#          --no-index into a fresh venv (--system-site-packages); the Python examples run from
#          outside the source tree, on the data the wheel carries.
# Usage: scripts/package-test.sh [deb|wheel|all] [BUILD_DIR]   (default: all build)
# The deb part needs root and dpkg (exit 77, skipped, otherwise); it installs into this system,
# so the ctest packaging:deb runs it only when AIG_TEST_DEB=1 (CI sets it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
what=${1:-all}
build=${2:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
py=/usr/bin/python3
version=$(sed -nE 's/^project\(aiguillage VERSION ([0-9.]+).*/\1/p' "$root/CMakeLists.txt")
work=$(mktemp -d /tmp/aiguillage-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

can_deb() {
  if [[ $(id -u) -ne 0 ]] || ! command -v dpkg >/dev/null || ! command -v cpack >/dev/null; then
    echo "deb: skipped (needs root, dpkg and cpack)"; return 1
  fi
}

test_deb() {
  for p in libaiguillage0 libaiguillage-dev aiguillage python3-aiguillage; do
    ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      fail "$p is already installed on this system"
  done
  rm -rf "$build/packages"
  (cd "$build" && cpack -G DEB >/dev/null)
  local debs=("$build"/packages/*.deb)
  echo "deb: built ${debs[*]##*/}"
  for d in "${debs[@]}"; do
    [[ ${d##*/} == *_${version}-1_* ]] || fail "${d##*/} does not carry version $version"
  done
  # The service's HTTP transport is Boost.Beast, header-only: the command needs no HTTP library.
  ! dpkg-deb -f "$build"/packages/aiguillage_"$version"-1_*.deb Depends | grep -qi httplib ||
    fail "the aiguillage package depends on cpp-httplib"
  if [[ ${AIG_LINTIAN:-0} == 1 ]] && command -v lintian >/dev/null; then
    # Errors fail; warnings are printed (a locally built package is not a Debian upload). Off by
    # default: lintian takes minutes on a busy 2-core machine.
    lintian --tag-display-limit 0 --suppress-tags \
      no-copyright-file,changelog-file-missing-in-native-package,no-manual-page,extended-description-line-too-long \
      "${debs[@]}" | tee "$work/lintian.txt" || true
    ! grep -q '^E:' "$work/lintian.txt" || fail "lintian errors"
  fi
  # Global, not local: the EXIT trap runs after this function has returned.
  deb_installed=0
  cleanup_deb() {
    if [[ ${deb_installed:-0} -eq 1 ]]; then
      dpkg -r python3-aiguillage aiguillage libaiguillage-dev libaiguillage0 >/dev/null
    fi
    deb_installed=0
  }
  trap 'cleanup_deb; rm -rf "$work"' EXIT
  dpkg -i "${debs[@]}" >/dev/null
  deb_installed=1
  cd "$work"
  env -u AIG_DATA_DIR -u AIG_SOURCE_DIR -u PYTHONPATH bash -euo pipefail -c '
    aiguillage version
    aiguillage packs
    aiguillage orient /usr/share/aiguillage/rules/orientation/fr-2025 \
      /usr/share/aiguillage/examples/data/persons-1000.jsonl --date 2025-03-01 >proposals.jsonl
    echo "deb: aiguillage orient: $(wc -l <proposals.jsonl) proposals"
    cc -std=c99 -o portal /usr/share/aiguillage/examples/c/portal.c $(pkg-config --cflags --libs aiguillage)
    ./portal /usr/share/aiguillage/rules/orientation/fr-2025 \
      /usr/share/aiguillage/examples/data/persons-1000.jsonl 2025-03-01 3 | tail -n 1
    /usr/bin/python3 -c "import aiguillage as a; r = a.Referential.bundled(); print(\"deb: python\", a.__version__, a.data_dir())"
  '
  cd "$root"
  cleanup_deb
  for p in libaiguillage0 libaiguillage-dev aiguillage python3-aiguillage; do
    ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      fail "$p still installed after dpkg -r"
  done
  # The removed library package keeps a dpkg record (its maintainer scripts) until purged.
  dpkg -P libaiguillage0 libaiguillage-dev aiguillage python3-aiguillage >/dev/null 2>&1 || true
  [[ ! -e /usr/share/aiguillage && ! -e /usr/bin/aiguillage ]] || fail "files left after dpkg -r"
  ls /usr/lib/libaiguillage* /usr/lib/*/libaiguillage* >/dev/null 2>&1 && fail "library left after dpkg -r"
  echo "deb: ok (installed, used, removed)"
}

test_wheel() {
  (cd "$root" && AIG_BUILD_DIR="$build" "$py" -m build --no-isolation --wheel --outdir "$work/dist" >"$work/build.log" 2>&1) \
    || { tail -n 30 "$work/build.log"; fail "wheel build"; }
  local wheel=("$work"/dist/*.whl)
  [[ ${wheel[0]##*/} == aiguillage-${version}-* ]] || fail "${wheel[0]##*/} does not carry version $version"
  "$py" -m zipfile -l "${wheel[0]}" >"$work/wheel.txt"
  for f in aiguillage/_aiguillage aiguillage/__init__.pyi aiguillage/py.typed \
      aiguillage/share/aiguillage/rules/orientation/fr-2025/pack.json \
      aiguillage/share/aiguillage/data/rome-subset; do
    grep -q "$f" "$work/wheel.txt" || fail "the wheel has no $f"
  done
  "$py" -m venv --system-site-packages "$work/venv"
  "$work/venv/bin/pip" install --no-index --quiet "${wheel[0]}"
  local data
  cd "$work"
  data=$(env -u AIG_DATA_DIR -u AIG_SOURCE_DIR -u PYTHONPATH "$work/venv/bin/python" -c "
import aiguillage
assert aiguillage.__version__ == '$version', aiguillage.__version__
print(aiguillage.data_dir())")
  [[ $data == "$work/venv/"* ]] || fail "the wheel's package finds its data in $data"
  env -u AIG_DATA_DIR -u AIG_SOURCE_DIR -u PYTHONPATH bash -euo pipefail -c '
    py="$1"; data="$2"
    "$py" "$data/examples/python/orient_csv.py" "$data/rules/orientation/fr-2025" \
      "$data/examples/data/persons-1000.jsonl" 2025-03-01 | tail -n 2
    "$py" "$data/examples/python/audit_replay.py" "$data/rules" \
      "$data/examples/data/persons-1000.jsonl" audit.log | tail -n 2
    "$py" "$data/examples/python/match_profile.py" | tail -n 2
  ' _ "$work/venv/bin/python" "$data"
  cd "$root"
  echo "wheel: ok (${wheel[0]##*/}, $(du -h "${wheel[0]}" | cut -f1))"
}

case $what in
  deb) if can_deb; then test_deb; else exit 77; fi ;;
  wheel) test_wheel ;;
  all) test_wheel; if can_deb; then test_deb; fi ;;
  *) echo "usage: $0 [deb|wheel|all] [BUILD_DIR]" >&2; exit 2 ;;
esac
