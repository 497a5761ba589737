"""The CLI's progress goes to standard error only, with --progress (or on a terminal), and
leaves standard output byte for byte as it is without."""

import pathlib
import subprocess

import pytest

import aiguillage
from conftest import FR2025, PERSONS, YOUTH

CLI = pathlib.Path(aiguillage.__file__).resolve().parents[2] / "aiguillage"
pytestmark = pytest.mark.skipif(not CLI.exists(), reason="the aiguillage command is not built")


def _run(*args):
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, timeout=300)


@pytest.mark.parametrize("command", ["eval", "orient"])
def test_progress_on_stderr_only(tmp_path, command):
    lines = PERSONS.read_bytes() * 3
    data = tmp_path / "persons.jsonl"
    data.write_bytes(lines)
    pack = FR2025 if command == "orient" else YOUTH
    extra = ["--date", "2025-03-01"] if command == "orient" else ["--allow-unknown-fields", "--date", "2025-03-01"]
    quiet = _run(command, pack, data, *extra)
    shown = _run(command, pack, data, *extra, "--progress")
    assert shown.returncode == quiet.returncode
    assert shown.stdout == quiet.stdout and quiet.stderr == b""
    last = shown.stderr.decode().strip().splitlines()[-1]
    assert last.startswith("aiguillage %s: 3000 records" % command) and ", done" in last


def test_progress_is_refused_by_short_commands():
    done = _run("check", FR2025, "--progress")
    assert done.returncode == 2 and b"--progress" in done.stderr
