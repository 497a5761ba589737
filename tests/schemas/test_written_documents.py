"""Every document the command line writes, produced here by the command line itself on the
shipped packs and example data (good records, an incomplete one, a record with a bad value and
a line that is not JSON), validated against its JSON Schema under rules/schemas/."""

import json
import os
import pathlib
import subprocess

import pytest

jsonschema = pytest.importorskip("jsonschema")

ROOT = pathlib.Path(os.environ.get("AIG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
CLI = os.environ.get("AIG_CLI", str(ROOT / "build" / "aiguillage"))
SCHEMAS = ROOT / "rules" / "schemas"
DATA = ROOT / "examples" / "data"
PACK = ROOT / "rules" / "orientation" / "fr-2025"
KEY = "schemas-test-key-0123456789"
DATE = "2025-03-01"

pytestmark = pytest.mark.skipif(not pathlib.Path(CLI).exists(), reason="the CLI is not built")


def load_schemas():
    store = {}
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        store[schema["$id"]] = schema
        store[path.name] = schema
    return store


STORE = load_schemas()


def validator(name):
    schema = STORE[f"aiguillage.{name}.schema.json"]
    resolver = jsonschema.RefResolver.from_schema(schema, store=STORE)
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def assert_valid(name, documents):
    v = validator(name)
    assert documents, f"no {name} document was written"
    for k, doc in enumerate(documents):
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, (f"{name} {k + 1}: {errors[0].message} at {list(errors[0].path)}\n"
                            f"{json.dumps(doc)[:600]}")


def run(*args, ok=(0, 1)):
    env = dict(os.environ, AIG_PSEUDONYM_KEY=KEY)
    done = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, env=env)
    assert done.returncode in ok, done.stderr
    return done.stdout


def lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def persons(tmp_path_factory):
    path = tmp_path_factory.mktemp("persons") / "persons.jsonl"
    with open(DATA / "persons-1000.jsonl", encoding="utf-8") as f:
        head = [next(f) for _ in range(200)]
    head.append(json.dumps({"person_id": "bad-date", "birth_date": "nope"}) + "\n")
    head.append("not json\n")
    path.write_text("".join(head), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def log(persons, tmp_path_factory):
    path = tmp_path_factory.mktemp("log") / "decisions.log"
    out = run("decide", PACK, persons, "--date", DATE, "--log", path, "--auto",
              "--at", f"{DATE}T09:00:00+01:00", "--decisions",
              ROOT / "tests" / "golden" / "report" / "counsellor-decisions.jsonl")
    return path, lines(out)


def test_every_schema_is_a_valid_draft_2020_12_schema():
    for name, schema in STORE.items():
        if name.endswith(".json") and not name.startswith("http"):
            jsonschema.Draft202012Validator.check_schema(schema)


def test_evaluation_results_with_and_without_trace(persons):
    for extra in ([], ["--trace"]):
        docs = lines(run("eval", PACK, persons, "--date", DATE, "--allow-unknown-fields", *extra))
        assert {d["status"] for d in docs} == {"complete", "incomplete", "error"}
        assert ("trace" in docs[0]) == bool(extra)
        assert_valid("evaluation_result", docs)


def test_proposals_with_and_without_trace(persons):
    for extra in ([], ["--trace"]):
        docs = lines(run("orient", PACK, persons, "--date", DATE, *extra))
        assert {d["status"] for d in docs} == {"complete", "incomplete", "error"}
        assert any(d["questions"] for d in docs) and any(d["review_details"] for d in docs)
        assert_valid("proposal", docs)


def test_decide_outcomes_log_lines_and_records(log):
    path, outcomes = log
    assert {o["status"] for o in outcomes} == {"decided", "pending", "error"}
    assert_valid("decide_outcome", outcomes)
    log_lines = lines(path.read_text(encoding="utf-8"))
    assert_valid("decision_log_line", log_lines)
    assert_valid("decision_record", [line["record"] for line in log_lines])


def test_decide_again_reports_already_recorded(log, persons):
    path, _ = log
    outcomes = lines(run("decide", PACK, persons, "--date", DATE, "--log", path, "--auto",
                         "--at", f"{DATE}T09:00:00+01:00"))
    assert "already_recorded" in {o["status"] for o in outcomes}
    assert_valid("decide_outcome", outcomes)


def test_log_verification_and_replay_reports(log):
    path, _ = log
    assert_valid("log_verification", lines(run("log", "verify", path, "--json")))
    broken = path.parent / "broken.log"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    broken.write_text("".join(text[:3]) + text[3].replace('"seq":4', '"seq":5'), encoding="utf-8")
    report = lines(run("log", "verify", broken, "--json"))
    assert report[0]["ok"] is False and report[0]["first_bad"] == 4
    assert_valid("log_verification", report)
    same = json.loads(run("replay", path, "--packs", ROOT / "rules", "--json"))
    assert same["records"] > 0 and same["identical"] == same["records"]
    moved = json.loads(run("replay", path, "--against", DATA / "fr-2025-candidate.json", "--json"))
    assert moved["items"]
    assert_valid("replay_report", [same, moved])


# The referential and scoring named, so that the command does not depend on where it is run.
MATCH_DATA = ("--referential", ROOT / "data" / "rome-subset",
              "--scoring", ROOT / "rules" / "matching" / "scoring-default.json")


@pytest.fixture(scope="module")
def offers(tmp_path_factory):
    path = tmp_path_factory.mktemp("offers") / "offers.jsonl"
    text = (DATA / "offers-subset.jsonl").read_text(encoding="utf-8")
    path.write_text(text + '{"id": 7}\n', encoding="utf-8")
    return path


def test_match_results_and_explanations(offers):
    profiles = DATA / "profiles-subset.jsonl"
    plain = lines(run("match", *MATCH_DATA, "--offers", offers, "--profiles", profiles, "--top", "3"))
    explained = lines(run("match", *MATCH_DATA, "--offers", offers, "--profiles", profiles, "--top", "2",
                          "--explain", "--lang", "en"))
    by_offer = lines(run("match", *MATCH_DATA, "--offers", offers, "--profiles", profiles, "--top", "2",
                         "--persons"))
    assert any("errors" in d for d in plain) and any("explanation" in d for d in explained)
    assert_valid("match_result", plain + explained + by_offer)
    first = next(d for d in plain if "offer_id" in d)
    written = lines(run("explain-match", *MATCH_DATA, "--offers", offers, "--profiles", profiles,
                        "--profile-id", first["profile_id"], "--offer-id", first["offer_id"],
                        "--json"))
    # The rejected offer's line comes first, then the explanation.
    assert_valid("match_result", [d for d in written if "errors" in d])
    one = next(d for d in written if d.get("schema") == "aiguillage.match_explanation")
    assert_valid("match_explanation", [one] + [d["explanation"] for d in explained
                                               if "explanation" in d])


def test_match_exposure_in_both_directions(offers, tmp_path):
    profiles = DATA / "profiles-subset.jsonl"
    written = []
    for direction in ((), ("--persons",)):
        path = tmp_path / f"exposure{len(direction)}.json"
        run("match", *MATCH_DATA, "--offers", offers, "--profiles", profiles, "--top", "2",
            *direction, "--exposure", path)
        written.append(json.loads(path.read_text(encoding="utf-8")))
    assert [d["direction"] for d in written] == ["offers_for_persons", "persons_for_offers"]
    assert_valid("match_exposure", written)


def test_assignment_results_in_both_modes(offers):
    profiles = DATA / "profiles-subset.jsonl"
    for mode in ("optimal", "stable"):
        docs = lines(run("assign", *MATCH_DATA, "--offers", offers, "--profiles", profiles, "--mode", mode))
        assert docs[-1]["summary"]["mode"] == mode and len(docs) > 2
        assert_valid("assignment_result", docs)


def test_jdm_export_of_every_shipped_pack():
    graphs = [json.loads(run("export", "--to", "jdm", pack.parent, ok=(0,)))
              for pack in sorted((ROOT / "rules").glob("**/pack.json"))]
    assert len(graphs) >= 5
    assert_valid("jdm_export", graphs)
