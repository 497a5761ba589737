#!/usr/bin/env python3
"""The ABI of libaiguillage.so against its baseline under abi/.

    abi.py check  LIBRARY HEADER ABI_DIR   exit 1 on a removed or changed C symbol or declaration,
                                           or on an addition not yet in the baseline
    abi.py update LIBRARY HEADER ABI_DIR   rewrite the baseline (scripts/update-abi.sh)

Two files are pinned:
  abi/libaiguillage.symbols  the C symbols the shared library exports, with their version node
                             (nm -D --defined-only);
  abi/aiguillage.api         every top-level declaration of include/aiguillage.h (functions,
                             typedefs, struct and enum layouts, #define values), one per line,
                             comments and spacing normalised: a changed signature, struct field or
                             error code value shows up here even though the symbol name is the same.
The C++ symbols are not pinned (docs/c_api.md: the C++ API follows the minor version), but every
exported symbol must be either aig_* or in namespace aiguillage: nothing of std, Boost,
nlohmann or Eigen leaks out.
"""
import re
import subprocess
import sys
from pathlib import Path

UPDATE = "scripts/update-abi.sh"


def exported_symbols(library):
    out = subprocess.run(["nm", "-D", "--defined-only", "--with-symbol-versions", library],
                         check=True, capture_output=True, text=True).stdout
    symbols = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] not in ("A",):  # A: the version node itself
            symbols.append(parts[2])
    return sorted(set(symbols))


def demangle(names):
    if not names:
        return []
    out = subprocess.run(["c++filt"], input="\n".join(names), check=True, capture_output=True,
                         text=True).stdout
    return out.splitlines()


def api_declarations(header):
    text = Path(header).read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    decls = {}
    statement, depth = "", 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            m = re.match(r"#\s*define\s+(AIG_\w+)(.*)", stripped)
            if m and m.group(1) not in ("AIG_API",) and not m.group(1).startswith("AIGUILLAGE"):
                decls["#" + m.group(1)] = "#define " + m.group(1) + " " + " ".join(m.group(2).split())
            continue
        if stripped in ('extern "C" {', "}") and depth == 0 and not statement.strip():
            continue
        for ch in line:
            statement += ch
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == ";" and depth == 0:
                norm = " ".join(statement.split())
                norm = re.sub(r"\s*([(),;*{}\[\]])\s*", r"\1", norm)
                statement = ""
                if not norm or norm == ";":
                    continue
                m = re.search(r"(\w+)\s*\(", norm) if "(" in norm and not norm.startswith("typedef") else None
                key = m.group(1) if m else re.findall(r"\w+", norm)[-1]
                decls[key] = norm
        statement += " "
    return decls


def read_lines(path):
    return [l for l in Path(path).read_text().splitlines() if l and not l.startswith("#!")] \
        if Path(path).exists() else []


def main():
    mode, library, header, abi_dir = sys.argv[1:5]
    abi = Path(abi_dir)
    symbols = exported_symbols(library)
    c_symbols = [s for s in symbols if s.startswith("aig_")]
    others = [s for s in symbols if not s.startswith("aig_")]
    decls = api_declarations(header)
    api_lines = [decls[k] for k in sorted(decls)]

    if mode == "update":
        abi.mkdir(parents=True, exist_ok=True)
        (abi / "libaiguillage.symbols").write_text("\n".join(c_symbols) + "\n")
        (abi / "aiguillage.api").write_text("\n".join(api_lines) + "\n")
        print(f"abi: {len(c_symbols)} C symbols and {len(api_lines)} declarations written to {abi}/")
        return 0

    failures, additions = [], []
    leaked = [d for s, d in zip(others, demangle(others))
              if not re.match(r"(aiguillage::|typeinfo (name )?for aiguillage::|vtable for aiguillage::|"
                              r"VTT for aiguillage::|(non-)?virtual thunk to aiguillage::)", d)]
    if leaked:
        failures.append("exported symbols outside the API (hidden visibility or the version script "
                        "should keep them in):\n  " + "\n  ".join(leaked[:40]))

    base_symbols = read_lines(abi / "libaiguillage.symbols")
    removed = sorted(set(base_symbols) - set(c_symbols))
    added = sorted(set(c_symbols) - set(base_symbols))
    if removed:
        failures.append("C symbols removed from the library (an ABI break):\n  " + "\n  ".join(removed))
    if added:
        additions.append("new C symbols:\n  " + "\n  ".join(added))

    base_decls = {}
    for line in read_lines(abi / "aiguillage.api"):
        d = api_declarations_from_line(line)
        base_decls[d[0]] = d[1]
    changed = [f"  was: {base_decls[k]}\n  now: {decls[k]}" for k in sorted(base_decls)
               if k in decls and decls[k] != base_decls[k]]
    gone = [base_decls[k] for k in sorted(base_decls) if k not in decls]
    new = [decls[k] for k in sorted(decls) if k not in base_decls]
    if changed:
        failures.append("declarations of include/aiguillage.h changed (an ABI break):\n" + "\n".join(changed))
    if gone:
        failures.append("declarations removed from include/aiguillage.h (an ABI break):\n  " + "\n  ".join(gone))
    if new:
        additions.append("new declarations in include/aiguillage.h:\n  " + "\n  ".join(new))

    for f in failures:
        print("ABI BREAK: " + f, file=sys.stderr)
    if failures:
        print("\nA removed or changed C symbol, struct field or constant breaks every program built "
              "against libaiguillage.so. Restore it, or (a new "
              "major ABI) raise AIG_ABI_VERSION in CMakeLists.txt and then run " + UPDATE + ".",
              file=sys.stderr)
    if additions:
        print("ABI additions not in the baseline abi/:\n" + "\n".join(additions), file=sys.stderr)
        print(f"\nIf they are intended (an addition is allowed in a minor version), update the "
              f"baseline in the same commit:\n    {UPDATE} {Path(library).parent}\n    git add abi/",
              file=sys.stderr)
    if failures or additions:
        return 1
    print(f"abi: {len(c_symbols)} C symbols, {len(decls)} declarations as pinned; "
          f"{len(others)} C++ symbols, all in namespace aiguillage")
    return 0


def api_declarations_from_line(line):
    if line.startswith("#define "):
        return "#" + line.split()[1], line
    m = re.search(r"(\w+)\s*\(", line) if "(" in line and not line.startswith("typedef") else None
    return (m.group(1) if m else re.findall(r"\w+", line)[-1]), line


if __name__ == "__main__":
    sys.exit(main())
