"""What the report's tests share: where the sources and the built command are, a run of the
command, and the demo's decision log (evident cases confirmed by policy, two overrides)."""

import os
import pathlib
import subprocess

ROOT = pathlib.Path(os.environ.get("AIG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("AIG_CLI", str(ROOT / "build" / "aiguillage"))
FR2025 = ROOT / "rules" / "orientation" / "fr-2025"
PERSONS = ROOT / "examples" / "data" / "persons-1000.jsonl"
GOLDEN = ROOT / "tests" / "golden" / "report"
KEY = "demo-key-not-a-secret-use-your-own"


def run(*args, check=True, env=None):
    """`aiguillage ARGS`; raises with its standard error when `check` and it fails."""
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env)
    if check and done.returncode != 0:
        raise AssertionError(f"{args}: exit {done.returncode}\n{done.stderr}")
    return done


def write_demo_log(folder):
    """Decides the demo's persons into `folder`/decisions.log, as `make demo` does."""
    key = folder / "key.txt"
    key.write_text(KEY + "\n", encoding="utf-8")
    log = folder / "decisions.log"
    done = run("decide", FR2025, PERSONS, "--date", "2025-03-01", "--auto", "--at",
               "2025-03-01T09:00:00+01:00", "--decisions", GOLDEN / "counsellor-decisions.jsonl",
               "--key-file", key, "--log", log, check=False)
    assert done.returncode in (0, 1), done.stderr
    return log
