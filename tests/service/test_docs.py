"""The curl examples of docs/service.md, run as written against a running service."""

import os
import re
import subprocess

import pytest

from conftest import SOURCE, Service

ROLES = ("france_travail", "mission_locale", "cap_emploi", "president_conseil_departemental",
         "auditor", "admin")
DOC = (SOURCE / "docs" / "service.md").read_text(encoding="utf-8")
BLOCKS = [b for b in re.findall(r"```sh\n(.*?)```", DOC, re.S) if "$AIG" in b]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    d = tmp_path_factory.mktemp("docs")
    svc = Service(d, ["--log", d / "log.jsonl"], roles=ROLES)
    yield svc
    svc.stop()


def test_there_are_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS)
def test_curl_example_runs(service, block):
    _, proposal = service.request("POST", "/v1/orient?date=2025-03-01",
                                  open(SOURCE / "examples/data/persons-1000.jsonl").readline(),
                                  role="admin")
    env = dict(os.environ, AIG=service.base, ADMIN=service.keys["admin"],
               AUDITOR=service.keys["auditor"],
               COUNSELLOR=service.keys[proposal["outputs"]["decideur"]])
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=SOURCE, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr + r.stdout
    assert r.stdout.strip()
