"""`aiguillage serve` refusing work it cannot do now, and taking keys without a restart:
429 when too many requests are in flight, 503 when a request runs over its time, when the
PostgreSQL log is down (and service again once it is back), and the keys file read again on
SIGHUP."""

import concurrent.futures
import json
import signal
import time

from conftest import PostgresCluster, Service, person, run_cli

DATE = "2025-03-01"
ROLES = ("france_travail", "mission_locale", "cap_emploi", "president_conseil_departemental",
         "auditor", "admin")


def batch(n):
    return "\n".join(json.dumps(person(1 + k % 1000)) for k in range(n)) + "\n"


def assert_error(doc, status, name):
    assert doc["schema"] == "aiguillage.error" and doc["status"] == status, doc
    assert doc["errors"][0]["name"] == name, doc


def test_too_many_in_flight_is_429(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl", "--threads", "8",
                             "--max-in-flight", "1"], roles=("admin",))
    body = batch(3000)
    try:
        def orient(_):
            return svc.request("POST", f"/v1/orient?date={DATE}", body, role="admin",
                               content_type="application/x-ndjson", raw=True)
        refused = []
        for _ in range(10):  # eight batches at once on eight workers: all but one are refused
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(orient, range(8)))
            assert all(status in (200, 429) for status, _ in answers)
            refused = [json.loads(text) for status, text in answers if status == 429]
            if refused and any(status == 200 for status, _ in answers):
                break
        assert refused, "no request was refused with eight in flight and a limit of one"
        assert_error(refused[0], 429, "overloaded")
        assert refused[0]["errors"][0]["code"] == -607
        # Once the burst is over, the service serves again.
        assert svc.request("POST", f"/v1/orient?date={DATE}", person(1), role="admin")[0] == 200
        status, text = svc.request("GET", "/metrics", role="admin")
        assert 'aiguillage_errors_total{code="overloaded"}' in text
    finally:
        assert svc.stop() == 0


def test_retry_after_and_open_routes_under_a_zero_limit(tmp_path):
    import urllib.request
    import urllib.error
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl", "--max-in-flight", "0"],
                  roles=("admin",))
    try:
        req = urllib.request.Request(svc.base + "/v1/packs",
                                     headers={"Authorization": "Bearer " + svc.keys["admin"]})
        try:
            urllib.request.urlopen(req, timeout=30)
            raise AssertionError("a limit of zero requests in flight let one through")
        except urllib.error.HTTPError as e:
            assert e.code == 429 and e.headers["Retry-After"] == "1"
            assert_error(json.loads(e.read()), 429, "overloaded")
        # Liveness and readiness are never refused: a load balancer must see the process.
        assert svc.request("GET", "/health")[0] == 200
        assert svc.request("GET", "/ready")[0] == 200
    finally:
        assert svc.stop() == 0


def test_request_over_its_time_is_503(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl", "--request-timeout-ms", "1"],
                  roles=("admin",))
    try:
        status, doc = svc.request("POST", f"/v1/orient?date={DATE}", batch(3000), role="admin",
                                  content_type="application/x-ndjson")
        assert status == 503
        assert_error(doc, 503, "request_timeout")
    finally:
        assert svc.stop() == 0


def test_database_down_is_503_and_service_resumes(tmp_path):
    pg = PostgresCluster()
    try:
        url = pg.new_database()
        svc = Service(tmp_path, ["--db", url, "--threads", "4"], roles=ROLES)
        try:
            status, p = svc.request("POST", f"/v1/orient?date={DATE}", person(1), role="admin")
            role = p["outputs"]["decideur"]
            body = {"person": person(1), "reference_date": DATE, "action": "confirm",
                    "decided_at": "2025-03-02T10:00:00Z"}
            assert svc.request("POST", "/v1/decisions", body, role=role)[0] == 201
            pg.pause()
            status, ready = svc.request("GET", "/ready")
            assert status == 503 and ready["status"] == "not_ready"
            status, doc = svc.request("POST", "/v1/decisions", body, role=role)
            assert status == 503
            assert_error(doc, 503, "unavailable")
            # Proposals need no database: they go on.
            assert svc.request("POST", f"/v1/orient?date={DATE}", person(2), role="admin")[0] \
                == 200
            pg.resume()
            deadline = time.monotonic() + 30
            while svc.request("GET", "/ready")[0] != 200:
                assert time.monotonic() < deadline, "not ready again after the database came back"
                time.sleep(0.2)
            status, receipt = svc.request("POST", "/v1/decisions", body, role=role)
            assert status == 201 and receipt["seq"] == 2
        finally:
            svc.stop()
        v = run_cli("log", "verify", "--db", url)
        assert v.stdout.startswith("ok: 2 records")
    finally:
        pg.stop()


def test_keys_read_again_on_sighup(tmp_path):
    svc = Service(tmp_path, ["--log", tmp_path / "log.jsonl"], roles=("admin",))
    try:
        out = run_cli("keys", "add", "--file", svc.keys_file, "--role", "auditor").stdout
        auditor = out.strip().splitlines()[-1]
        # Added after the start: unknown until the file is read again.
        assert svc.request("GET", "/v1/packs", key=auditor)[0] == 401
        svc.proc.send_signal(signal.SIGHUP)
        wait_status(svc, auditor, 200)
        run_cli("keys", "revoke", "--file", svc.keys_file, auditor.split("_")[1])
        svc.proc.send_signal(signal.SIGHUP)
        wait_status(svc, auditor, 401)
        assert svc.request("GET", "/v1/packs", role="admin")[0] == 200
        # A broken keys file is refused; the keys in use stay.
        text = svc.keys_file.read_text()
        svc.keys_file.write_text("{broken")
        svc.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        assert svc.proc.poll() is None
        assert svc.request("GET", "/v1/packs", role="admin")[0] == 200
        svc.keys_file.write_text(text)
    finally:
        assert svc.stop() == 0
    log = open(svc.stderr.name).read()
    assert "keys read again (1 active)" in log and "the keys file is refused" in log


def wait_status(svc, key, expected):
    deadline = time.monotonic() + 10
    while True:
        status = svc.request("GET", "/v1/packs", key=key)[0]
        if status == expected:
            return
        assert time.monotonic() < deadline, f"still {status}, not {expected}, after SIGHUP"
        time.sleep(0.05)
