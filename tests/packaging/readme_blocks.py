#!/usr/bin/env python3
"""Runs every sh and python block of README.md as written, from a scratch folder that looks like
the repository root after `make build` (links to rules/, examples/, data/, scripts/ and build/),
so that the files the blocks write do not land in the sources.

    readme_blocks.py SOURCE_DIR BUILD_DIR [PYTHON]

A block preceded by `<!-- not-run: reason -->` is listed as not run, with its reason.
"""
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
NOT_RUN = re.compile(r"<!--\s*not-run:\s*(.*?)\s*-->")


def blocks(text):
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        lang, start = m.group(1), i
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        skip = NOT_RUN.search(lines[k]) if k >= 0 else None
        yield lang, start + 1, "\n".join(lines[start + 1:j]) + "\n", skip.group(1) if skip else None
        i = j + 1


def main():
    source, build = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    python = sys.argv[3] if len(sys.argv) > 3 else "/usr/bin/python3"
    ran, skipped, failed = 0, [], []
    with tempfile.TemporaryDirectory(prefix="aiguillage-readme-") as tmp:
        root = Path(tmp)
        for name in ("rules", "examples", "data", "scripts", "bindings", "include", "docs"):
            (root / name).symlink_to(source / name)
        (root / "build").symlink_to(build)
        env = dict(os.environ, PYTHONPATH=str(build / "python"))
        for key in ("AIG_PSEUDONYM_KEY", "AIG_DATA_DIR"):
            env.pop(key, None)
        for lang, line, code, skip in blocks((source / "README.md").read_text()):
            if lang not in ("sh", "bash", "shell", "python", "py"):
                continue
            if skip:
                skipped.append(f"README.md:{line} ({lang}) not run: {skip}")
                continue
            cmd = (["bash", "-euo", "pipefail", "-c", code] if lang in ("sh", "bash", "shell")
                   else [python, "-c", code])
            r = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True,
                               timeout=600)
            ran += 1
            if r.returncode != 0:
                failed.append(f"README.md:{line} ({lang}) exit {r.returncode}\n{code}\n"
                              f"--- stdout (end)\n{r.stdout[-2000:]}\n--- stderr (end)\n"
                              f"{r.stderr[-2000:]}")
            else:
                print(f"README.md:{line} ({lang}): ok")
    for s in skipped:
        print(s)
    for f in failed:
        print("FAILED " + f, file=sys.stderr)
    print(f"README blocks: {ran} run, {len(failed)} failed, {len(skipped)} marked not run")
    return 1 if failed or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
