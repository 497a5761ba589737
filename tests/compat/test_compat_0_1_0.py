"""Documents written by 0.1.0 (tests/compat/0.1.0, see make-0.1.0.sh) and what this version
does with them: the decision log verifies, replays identically under the pack it names by hash,
and takes new records after its old ones; every document still satisfies its schema; the same
records under the same pack give the same results and proposals."""

import json
import os
import pathlib
import shutil
import subprocess

import pytest

jsonschema = pytest.importorskip("jsonschema")

ROOT = pathlib.Path(os.environ.get("AIG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("AIG_CLI", str(ROOT / "build" / "aiguillage"))
SCHEMAS = ROOT / "rules" / "schemas"
OLD = ROOT / "tests" / "compat" / "0.1.0"
KEY = "compat-key-0123456789abcdef"
DATE = "2025-03-01"

pytestmark = pytest.mark.skipif(not pathlib.Path(CLI).exists(), reason="the CLI is not built")


def run(*args, ok=(0,)):
    env = dict(os.environ, AIG_PSEUDONYM_KEY=KEY)
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env)
    assert done.returncode in ok, done.stdout[-2000:] + done.stderr
    return done.stdout


def lines(path_or_text):
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, pathlib.Path) \
        else path_or_text
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def validator(name):
    store = {}
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        store[schema["$id"]] = schema
    schema = json.loads((SCHEMAS / f"aiguillage.{name}.schema.json").read_text(encoding="utf-8"))
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def test_the_fixtures_were_written_by_0_1_0():
    assert (OLD / "VERSION").read_text(encoding="utf-8").split()[1] == "0.1.0"
    for name in ("pack.json", "persons.jsonl", "results.jsonl", "proposals.jsonl",
                 "decisions.log", "decide.jsonl", "matches.jsonl", "assignment.jsonl"):
        assert (OLD / name).stat().st_size > 0, name


def test_the_0_1_0_log_verifies():
    report = json.loads(run("log", "verify", OLD / "decisions.log", "--json"))
    assert report["ok"] is True
    assert report["records"] == len(lines(OLD / "decisions.log")) > 10


def test_the_0_1_0_log_replays_identically_under_its_pack():
    report = json.loads(run("replay", OLD / "decisions.log", "--packs", OLD, "--json"))
    assert report["records"] == len(lines(OLD / "decisions.log"))
    assert report["identical"] == report["records"], report["items"][:3]


def test_this_version_appends_to_a_0_1_0_log(tmp_path):
    log = tmp_path / "decisions.log"
    shutil.copy(OLD / "decisions.log", log)
    before = len(lines(log))
    persons = tmp_path / "later.jsonl"
    with open(ROOT / "examples" / "data" / "persons-1000.jsonl", encoding="utf-8") as f:
        persons.write_text("".join(f.readlines()[500:520]), encoding="utf-8")
    run("decide", OLD / "pack.json", persons, "--date", DATE, "--log", log, "--auto",
        "--at", f"{DATE}T09:00:00+01:00", ok=(0, 1))
    report = json.loads(run("log", "verify", log, "--json"))
    assert report["ok"] is True and report["records"] > before


@pytest.mark.parametrize("name,file", [
    ("evaluation_result", "results.jsonl"),
    ("proposal", "proposals.jsonl"),
    ("decide_outcome", "decide.jsonl"),
    ("decision_log_line", "decisions.log"),
    ("match_result", "matches.jsonl"),
    ("assignment_result", "assignment.jsonl"),
])
def test_0_1_0_documents_satisfy_the_current_schemas(name, file):
    v = validator(name)
    docs = lines(OLD / file)
    assert docs
    for k, doc in enumerate(docs):
        errors = list(v.iter_errors(doc))
        assert not errors, f"{file} line {k + 1}: {errors[0].message} at {list(errors[0].path)}"


def test_same_records_same_results_as_0_1_0():
    old = lines(OLD / "results.jsonl")
    new = lines(run("eval", OLD / "pack.json", OLD / "persons.jsonl", "--date", DATE,
                    "--allow-unknown-fields", "--trace", ok=(0, 1)))
    assert len(new) == len(old)
    for k, (a, b) in enumerate(zip(old, new)):
        for key in ("status", "outputs", "fired", "missing", "line"):
            assert a.get(key) == b.get(key), f"record {k + 1}: {key}"
        assert [e["code"] for e in a.get("errors", [])] == [e["code"] for e in b.get("errors", [])]


def test_same_persons_same_proposals_as_0_1_0():
    old = lines(OLD / "proposals.jsonl")
    new = lines(run("orient", OLD / "pack.json", OLD / "persons.jsonl", "--date", DATE, ok=(0, 1)))
    assert len(new) == len(old)
    for k, (a, b) in enumerate(zip(old, new)):
        for key in ("person_id", "line", "status", "evident", "review_reasons", "outputs",
                    "fired", "pack"):
            assert a.get(key) == b.get(key), f"person {k + 1}: {key}"
