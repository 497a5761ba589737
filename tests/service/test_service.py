"""`aiguillage serve` end to end: every endpoint over HTTP against the file and PostgreSQL logs,
keys and roles, limits, the log exported from PostgreSQL byte-identical to the file log,
signed checkpoints, concurrent decisions and graceful shutdown."""

import concurrent.futures
import json
import signal
import subprocess

import pytest

from conftest import CLI, PACKS, PSEUDONYM_KEY, Service, person, run_cli

DATE = "2025-03-01"
PACK = "fr/orientation"


def decision_body(n=1, action="confirm", **more):
    body = {"person": person(n), "reference_date": DATE, "action": action,
            "decided_at": "2025-03-02T10:00:00Z"}
    body.update(more)
    return body


def role_for(svc, n):
    """The counsellor role the pack reserves the decision on person n to."""
    status, p = svc.request("POST", f"/v1/orient?date={DATE}", person(n), role="admin")
    assert status == 200, p
    return p["outputs"]["decideur"]


@pytest.fixture(scope="module")
def file_service(tmp_path_factory):
    d = tmp_path_factory.mktemp("file")
    svc = Service(d, ["--log", d / "decisions.jsonl"],
                  roles=("france_travail", "mission_locale", "cap_emploi",
                         "president_conseil_departemental", "auditor", "admin"))
    svc.log_path = d / "decisions.jsonl"
    yield svc
    svc.stop()


def test_health_ready_openapi_need_no_key(file_service):
    assert file_service.request("GET", "/health") == (200, {"status": "ok"})
    status, ready = file_service.request("GET", "/ready")
    assert status == 200 and ready["status"] == "ready" and ready["log"] == "file"
    status, doc = file_service.request("GET", "/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1")


# Every protected operation: (method, path, body, a role that may, a role that may not).
def operations():
    return [
        ("GET", "/v1/packs", None, "auditor", None),
        ("GET", "/v1/packs/" + PACK, None, "mission_locale", None),
        ("POST", f"/v1/packs/{PACK}/evaluate?date={DATE}", person(1), "admin", "auditor"),
        ("POST", f"/v1/orient?date={DATE}", person(1), "france_travail", "auditor"),
        ("POST", f"/v1/notice?date={DATE}", person(1), "admin", "auditor"),
        ("POST", "/v1/decisions", decision_body(1), None, "auditor"),
        ("GET", "/v1/decisions/1", None, "auditor", "france_travail"),
        ("GET", "/v1/log/verify", None, "auditor", "mission_locale"),
        ("POST", "/v1/replay", {}, "auditor", "france_travail"),
        ("POST", "/v1/log/checkpoints", None, None, "auditor"),
        ("POST", "/v1/match", None, "admin", "auditor"),
        ("POST", "/v1/explain-match", {}, None, "auditor"),
        ("GET", "/metrics", None, "admin", "france_travail"),
    ]


@pytest.mark.parametrize("method,path,body,allowed,denied", operations())
def test_every_endpoint_401_without_key_403_with_wrong_role(file_service, method, path, body,
                                                             allowed, denied):
    status, doc = file_service.request(method, path, body)
    assert status == 401, doc
    assert doc["schema"] == "aiguillage.error" and doc["errors"][0]["name"] == "unauthorized"
    status, doc = file_service.request(method, path, body, key="aig_000000000000_" + "0" * 48)
    assert status == 401 and doc["errors"][0]["code"] == -601
    if denied:
        status, doc = file_service.request(method, path, body, role=denied)
        assert status == 403, doc
        assert doc["errors"][0]["name"] == "forbidden" and doc["errors"][0]["code"] == -602
    if allowed:
        status, doc = file_service.request(method, path, body, role=allowed)
        assert status not in (401, 403), doc


def test_packs_list_and_detail(file_service):
    status, doc = file_service.request("GET", "/v1/packs", role="auditor")
    assert status == 200
    ids = {p["id"] for p in doc["packs"]}
    assert PACK in ids
    status, doc = file_service.request("GET", "/v1/packs/" + PACK, role="auditor")
    assert status == 200
    v = doc["versions"][0]
    assert v["hash"].startswith("sha256:") and v["valid_from"]
    birth = next(i for i in v["inputs"] if i["name"] == "birth_date")
    assert birth["label"]["fr"] and birth["label"]["en"]
    assert "mission_locale" in v["decision_roles"]
    status, doc = file_service.request("GET", "/v1/packs/no/such-pack", role="auditor")
    assert status == 404 and doc["errors"][0]["name"] == "not_found"


def test_evaluate_one_with_trace_and_explanation_equals_cli(file_service, tmp_path):
    p = person(3)
    p.pop("person_id")
    status, doc = file_service.request(
        "POST", f"/v1/packs/{PACK}/evaluate?date={DATE}&trace=1&explain=en", p, role="admin")
    assert status == 200, doc
    assert doc["outputs"]["organisme_referent"]
    assert "trace" in doc and doc["explanation"]
    f = tmp_path / "one.jsonl"
    f.write_text(json.dumps(p) + "\n")
    cli = run_cli("eval", PACKS / "orientation" / "fr-2025", f, "--date", DATE, "--trace").stdout
    served = dict(doc)
    served.pop("explanation")
    assert served == json.loads(cli)


def test_evaluate_batch_ndjson_keeps_good_records(file_service, tmp_path):
    lines = []
    for n in range(1, 21):
        p = person(n)
        p.pop("person_id")
        lines.append(json.dumps(p))
    lines.insert(5, '{"birth_date": "not a date"}')
    body = "\n".join(lines) + "\n"
    status, text = file_service.request("POST", f"/v1/packs/{PACK}/evaluate?date={DATE}", body,
                                        role="admin", content_type="application/x-ndjson")
    assert status == 200
    results = [json.loads(x) for x in text.splitlines()]
    assert len(results) == 21
    assert results[5]["status"] == "error" and results[5]["line"] == 6
    f = tmp_path / "batch.jsonl"
    f.write_text(body)
    cli = run_cli("eval", PACKS / "orientation" / "fr-2025", f, "--date", DATE, check=False)
    assert text == cli.stdout


def test_orient_one_and_batch_equal_cli(file_service, tmp_path):
    status, doc = file_service.request("POST", f"/v1/orient?date={DATE}", person(2),
                                       role="france_travail")
    assert status == 200 and doc["person_id"] == "demo-0002"
    assert {"evident", "review_reasons", "questions", "outputs"} <= set(doc)
    lines = [json.dumps(person(n)) for n in range(1, 101)]
    body = "\n".join(lines) + "\n"
    status, text = file_service.request("POST", f"/v1/orient?date={DATE}", body,
                                        role="france_travail",
                                        content_type="application/x-ndjson")
    assert status == 200
    f = tmp_path / "persons.jsonl"
    f.write_text(body)
    cli = run_cli("orient", PACKS / "orientation" / "fr-2025", f, "--date", DATE)
    assert text == cli.stdout
    assert json.loads(text.splitlines()[1]) == doc


def test_orient_one_person_id_forms(file_service):
    # ?date reads the body as the CLI reads a line; without it the person's reference_date
    # decides: both give the same proposal.
    with_query = file_service.request("POST", f"/v1/orient?date={DATE}", person(3),
                                      role="admin")
    in_body = file_service.request("POST", "/v1/orient", person(3, reference_date=DATE),
                                   role="admin")
    assert with_query[0] == in_body[0] == 200 and with_query[1] == in_body[1]
    status, doc = file_service.request("POST", f"/v1/orient?date={DATE}",
                                       person(3, person_id=42), role="admin")
    assert status == 200 and doc["person_id"] == "42"
    for bad in ({"nested": 1}, "", None):
        status, doc = file_service.request("POST", f"/v1/orient?date={DATE}",
                                           person(3, person_id=bad), role="admin")
        assert status == 422 and doc["errors"][0]["pointer"] == "/person_id", (bad, doc)
    status, doc = file_service.request("POST", f"/v1/orient?date={DATE}", "[1, 2]",
                                       role="admin")
    assert status in (400, 422) and doc["schema"] == "aiguillage.error"


def test_notice_text_and_html(file_service):
    status, text = file_service.request("POST", f"/v1/notice?date={DATE}&lang=fr", person(4),
                                        role="admin")
    assert status == 200 and "algorithm" in text.lower()
    status, html = file_service.request("POST", f"/v1/notice?date={DATE}&lang=en&format=html",
                                        person(4), role="admin")
    assert status == 200 and html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
    assert "demo-0004" not in html and "demo-0004" not in text


def test_decision_role_from_key_and_reserved_structure(file_service):
    owner = role_for(file_service, 1)
    other = "mission_locale" if owner != "mission_locale" else "france_travail"
    status, doc = file_service.request("POST", "/v1/decisions", decision_body(1), role=other)
    assert status == 403 and owner in doc["errors"][0]["message"]
    status, doc = file_service.request("POST", "/v1/decisions",
                                       decision_body(1, actor_role="admin"), role=owner)
    assert status == 400 and doc["errors"][0]["pointer"] == "/actor_role"
    status, doc = file_service.request("POST", "/v1/decisions", decision_body(1), role=owner)
    assert status == 201, doc
    assert doc["record"]["decision"]["actor_role"] == owner
    assert doc["record"]["person"].startswith("hmac-sha256:")
    assert "demo-0001" not in json.dumps(doc)
    seq = doc["seq"]
    status, line = file_service.request("GET", f"/v1/decisions/{seq}", role="auditor")
    assert status == 200 and line["hash"] == doc["hash"] and line["record"] == doc["record"]
    status, v = file_service.request("GET", "/v1/log/verify", role="auditor")
    assert status == 200 and v["ok"] and v["records"] >= seq
    status, report = file_service.request("POST", "/v1/replay", {}, role="auditor")
    assert status == 200 and report["records"] == v["records"] and report["identical"] == v["records"]
    status, doc = file_service.request("GET", "/v1/decisions/999999", role="auditor")
    assert status == 404
    # Nothing personal in the log file.
    assert "demo-0001" not in file_service.log_path.read_text()


def test_override_needs_reason(file_service):
    owner = role_for(file_service, 7)
    status, doc = file_service.request(
        "POST", "/v1/decisions",
        decision_body(7, action="override", outputs={"parcours": "social"}), role=owner)
    assert status == 422 and doc["errors"][0]["name"] == "invalid_argument"


def test_match_and_explain_match(file_service, tmp_path):
    profile = json.loads(open(PACKS.parent / "examples/data/profiles-subset.jsonl").readline())
    status, doc = file_service.request("POST", "/v1/match?top=3", profile, role="admin")
    assert status == 200 and len(doc["matches"]) == 3
    assert doc["matches"][0]["reasons"][0]["text"]
    offer = doc["matches"][0]["offer_id"]
    status, e = file_service.request("POST", "/v1/explain-match?lang=en",
                                     {"profile": profile, "offer_id": offer}, role="admin")
    assert status == 200 and e["offer_id"] == offer
    # The same explanation as the CLI's, ranked by the offer bank rather than by scoring them.
    root = PACKS.parent
    with open(root / "examples/data/offers-subset.jsonl") as f:
        cohort = sum(1 for line in f if line.strip())
    assert e["cohort"] == {"kind": "offers_for_profile", "rank": 1, "size": cohort}
    single = tmp_path / "profile.json"
    single.write_text(json.dumps(profile))
    cli = subprocess.run([CLI, "explain-match", "--referential", root / "data" / "rome-subset",
                          "--offers", root / "examples/data/offers-subset.jsonl",
                          "--profile", single, "--offer-id", offer, "--json", "--lang", "en"],
                         capture_output=True, text=True, check=True)
    assert json.loads(cli.stdout) == e
    status, e = file_service.request("POST", "/v1/explain-match",
                                     {"profile": profile, "offer_id": "nope"}, role="admin")
    assert status == 404


def test_limits_give_error_documents(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl", "--max-body-bytes", "20000",
                             "--max-json-depth", "8", "--max-batch-records", "5"],
                  roles=("admin",))
    try:
        status, doc = svc.request("POST", f"/v1/orient?date={DATE}", "x" * 30000, role="admin")
        assert status == 413 and doc["errors"][0]["name"] == "payload_too_large"
        status, doc = svc.request("POST", f"/v1/orient?date={DATE}", "[" * 50 + "]" * 50,
                                  role="admin")
        assert status == 400 and doc["errors"][0]["name"] == "too_deep"
        status, doc = svc.request("POST", f"/v1/orient?date={DATE}", "{not json", role="admin")
        assert status == 400 and doc["errors"][0]["name"] == "json_syntax"
        body = "\n".join(json.dumps(person(n)) for n in range(1, 8))
        status, doc = svc.request("POST", f"/v1/orient?date={DATE}", body, role="admin",
                                  content_type="application/x-ndjson")
        assert status == 413 and doc["errors"][0]["name"] == "too_many_items"
        status, doc = svc.request("POST", f"/v1/orient?date={DATE}", {"birth_date": 3},
                                  role="admin")
        assert status == 422 and doc["errors"][0]["pointer"] == "/birth_date"
        status, doc = svc.request("GET", "/v1/nowhere", role="admin")
        assert status == 404 and doc["schema"] == "aiguillage.error"
        status, text = svc.request("GET", "/metrics", role="admin")
        assert 'aiguillage_errors_total{code="too_deep"} 1' in text
        assert "aiguillage_request_duration_seconds_bucket" in text
    finally:
        assert svc.stop() == 0


def test_keys_list_and_revoke(tmp_path):
    keys = tmp_path / "keys.json"
    out = run_cli("keys", "add", "--file", keys, "--role", "auditor", "--label", "ops").stdout
    key = out.strip().splitlines()[-1]
    assert key.startswith("aig_") and key not in keys.read_text()
    key_id = key.split("_")[1]
    assert f"{key_id}\tauditor\tactive\tops" in run_cli("keys", "list", "--file", keys).stdout
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl"], keys={"auditor": key})
    try:
        assert svc.request("GET", "/v1/packs", role="auditor")[0] == 200
    finally:
        svc.stop()
    run_cli("keys", "revoke", "--file", keys, key_id)
    assert "revoked" in run_cli("keys", "list", "--file", keys).stdout
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl"], keys={"auditor": key})
    try:
        assert svc.request("GET", "/v1/packs", role="auditor")[0] == 401
    finally:
        svc.stop()
    bad = run_cli("keys", "add", "--file", keys, "--role", "Bad Role", check=False)
    assert bad.returncode != 0


def decide_all(svc, persons, roles_of):
    def one(n):
        return svc.request("POST", "/v1/decisions", decision_body(n), role=roles_of[n])
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, persons))


def test_postgres_two_instances_one_chain_export_equals_file(postgres, tmp_path):
    url = postgres.new_database()
    a = Service(tmp_path, ["--db", url, "--threads", "8"],
                roles=("france_travail", "mission_locale", "cap_emploi",
                       "president_conseil_departemental", "auditor", "admin"))
    b = Service(tmp_path, ["--db", url, "--threads", "8"], keys=a.keys)
    try:
        persons = list(range(1, 61))
        roles_of = {n: role_for(a, n) for n in persons}
        first = decide_all(a, persons[:30], roles_of)
        second = decide_all(b, persons[30:], roles_of)
        receipts = first + second
        assert all(s == 201 for s, _ in receipts), receipts[:2]
        seqs = sorted(d["seq"] for _, d in receipts)
        assert seqs == list(range(1, 61))
        status, v = b.request("GET", "/v1/log/verify", role="auditor")
        assert v["ok"] and v["records"] == 60 and v["backend"] == "postgresql"
        assert run_cli("log", "verify", "--db", url).stdout.startswith("ok: 60 records")
        assert run_cli("replay", "--db", url, "--packs", PACKS).returncode == 0
    finally:
        a.stop()
        b.stop()


def test_postgres_export_byte_identical_to_file_log_and_import(postgres, tmp_path):
    url = postgres.new_database()
    roles = ("france_travail", "mission_locale", "cap_emploi", "president_conseil_departemental",
             "auditor", "admin")
    pg = Service(tmp_path, ["--db", url], roles=roles)
    fl = Service(tmp_path, ["--log", tmp_path / "same.jsonl"], keys=pg.keys)
    try:
        for n in range(1, 16):
            role = role_for(pg, n)
            body = decision_body(n, reason="entretien du 2 mars" if n % 3 == 0 else "")
            s1, d1 = pg.request("POST", "/v1/decisions", body, role=role)
            s2, d2 = fl.request("POST", "/v1/decisions", body, role=role)
            assert s1 == s2 == 201 and d1 == d2
    finally:
        pg.stop()
        fl.stop()
    exported = run_cli("log", "export", "--db", url).stdout
    assert exported == (tmp_path / "same.jsonl").read_text()
    url2 = postgres.new_database()
    run_cli("log", "import", "--db", url2, tmp_path / "same.jsonl")
    assert run_cli("log", "export", "--db", url2).stdout == exported
    again = run_cli("log", "import", "--db", url2, tmp_path / "same.jsonl", check=False)
    assert again.returncode != 0 and "already holds" in again.stderr


def test_signed_checkpoints_detect_rewritten_tail(postgres, tmp_path):
    key = tmp_path / "checkpoint.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", key], check=True)
    pub = tmp_path / "checkpoint.pub.pem"
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True)
    url = postgres.new_database()
    svc = Service(tmp_path, ["--db", url, "--checkpoint-key", key, "--checkpoint-every", "5"],
                  roles=("france_travail", "mission_locale", "cap_emploi",
                         "president_conseil_departemental", "auditor", "admin"))
    try:
        roles_of = {n: role_for(svc, n) for n in range(1, 13)}
        assert all(s == 201 for s, _ in decide_all(svc, range(1, 13), roles_of))
        status, c = svc.request("POST", "/v1/log/checkpoints", role="admin")
        assert status == 201 and c["seq"] == 12
        status, v = svc.request("GET", "/v1/log/verify", role="auditor")
        assert v["ok"] and v["checkpoints"] == {"count": 3, "ok": True, "message": ""}
    finally:
        svc.stop()
    assert run_cli("log", "verify", "--db", url, "--public-key", pub).returncode == 0
    # Rewrite the tail from line 8 on, recomputing every hash: the chain alone still verifies.
    text = run_cli("log", "export", "--db", url).stdout
    lines = [json.loads(x) for x in text.splitlines()]
    lines[7]["record"]["territory"] = "99"
    rewritten = tmp_path / "rewritten.jsonl"
    rewritten.write_text("".join(_rechain(lines)))
    url2 = postgres.new_database()
    run_cli("log", "import", "--db", url2, rewritten)
    # Carry the signed checkpoints over, as a forger would.
    for cp in _checkpoints(url):
        subprocess.run(["psql", url2, "-c",
                        f"INSERT INTO aig_log_checkpoints VALUES ({cp[0]}, '{cp[1]}', '{cp[2]}')"],
                       check=True, capture_output=True)
    assert run_cli("log", "verify", "--db", url2).returncode == 0
    r = run_cli("log", "verify", "--db", url2, "--public-key", pub, check=False)
    assert r.returncode == 1 and "checkpoint at seq 10" in r.stdout


def _checkpoints(url):
    out = subprocess.run(["psql", url, "-At", "-F", "|", "-c",
                          "SELECT seq, hash, signature FROM aig_log_checkpoints ORDER BY seq"],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.splitlines()]


def _rechain(lines):
    import hashlib
    prev = "sha256:" + "0" * 64
    for k, line in enumerate(lines, 1):
        record = json.dumps(line["record"], sort_keys=True, separators=(",", ":"),
                            ensure_ascii=False)
        h = "sha256:" + hashlib.sha256((prev + record).encode()).hexdigest()
        yield ('{"seq":%d,"prev":"%s","record":%s,"hash":"%s"}\n' % (k, prev, record, h))
        prev = h


def test_sigterm_finishes_in_flight_and_closes_log(tmp_path):
    log = tmp_path / "log.jsonl"
    svc = Service(tmp_path, ["--log", log, "--threads", "8"],
                  roles=("france_travail", "mission_locale", "cap_emploi",
                         "president_conseil_departemental", "admin"))
    roles_of = {n: role_for(svc, n) for n in range(1, 41)}
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(svc.request, "POST", "/v1/decisions", decision_body(n),
                               role=roles_of[n]) for n in range(1, 41)]
        assert svc.stop(signal.SIGTERM) == 0
        acknowledged = []
        for f in futures:
            try:
                status, doc = f.result()
            except OSError:
                continue
            if status == 201:
                acknowledged.append(doc["hash"])
    text = log.read_text()
    assert run_cli("log", "verify", log).returncode == 0
    hashes = [json.loads(x)["hash"] for x in text.splitlines()]
    assert len(hashes) == len(set(hashes))
    assert set(acknowledged) <= set(hashes)
