"""docs/python.md's blocks marked "runs as a test" run in order, from the source root; the
walkthrough runs from outside the source tree and writes its chart; Pack.check and Pack.test
give what the CLI's --json gives."""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

import aiguillage
from conftest import FR2025, ROOT

CLI = pathlib.Path(aiguillage.__file__).resolve().parents[2] / "aiguillage"


def _blocks():
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    return re.findall(r"<!-- runs as a test -->\n```python\n(.*?)```", text, re.S)


def test_docs_blocks_run(monkeypatch, capsys):
    blocks = _blocks()
    assert len(blocks) >= 2
    monkeypatch.chdir(ROOT)
    namespace = {"__name__": "docs_python_md"}
    for block in blocks:
        exec(compile(block, "docs/python.md", "exec"), namespace)
    assert (namespace["out"]["error_code"] == 0).all()
    assert "Pack(" in capsys.readouterr().out  # help() printed the class documentation


def test_walkthrough_runs_outside_the_tree(tmp_path):
    out = tmp_path / "out"
    package_dir = pathlib.Path(aiguillage.__file__).resolve().parents[1]
    env = dict(os.environ, AIG_SOURCE_DIR=str(ROOT), MPLBACKEND="Agg",
               PYTHONPATH=str(package_dir))
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "walkthrough.py"),
                           str(out)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert (out / "parcours-per-territory.csv").exists()
    assert done.stdout.count("=" * 72) == 3
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    png = (out / "parcours-per-territory.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000


@pytest.mark.skipif(not CLI.exists(), reason="the aiguillage command is not built")
def test_check_and_test_equal_the_cli():
    pack = aiguillage.Pack(FR2025)
    for command, got in (("check", pack.check()), ("test", pack.test())):
        done = subprocess.run([str(CLI), command, str(FR2025), "--json"], capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == got, command
    assert pack.test()["passed"] > 100 and pack.test()["failed"] == 0
    one = sorted((FR2025 / "tests").glob("*.json"))[0]
    assert pack.test(one)["passed"] >= 1
    with pytest.raises(aiguillage.Error):
        aiguillage.Pack.from_json((FR2025 / "pack.json").read_text()).test()
