"""Load and fault runs of `aiguillage serve` (numbers go to benchmarks/RESULTS.md).

  /usr/bin/python3 benchmarks/service/bench.py [--seconds 10]

1. single-record orient over keep-alive with wrk (2 threads, 8 connections): p50, p99, req/s;
2. JSON Lines batch orient (1000 persons) over HTTP vs `aiguillage orient` on the same file;
3. decisions/s with 64 concurrent keep-alive clients: file log (one instance) and PostgreSQL
   (two instances sharing one database), p50/p99;
4. fault: kill -9 one PostgreSQL instance mid-load, restart it, verify the chain and that every
   acknowledged decision is present exactly once.
"""

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "service"))
from conftest import CLI, PACKS, SOURCE, PostgresCluster, Service, person, run_cli  # noqa: E402

DATE = "2025-03-01"
ROLES = ("france_travail", "mission_locale", "cap_emploi", "president_conseil_departemental",
         "auditor", "admin")


def wrk(svc, path, body, seconds, connections=8, content_type="application/json"):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(body)
    env = dict(os.environ, AIG_BODY_FILE=f.name, AIG_KEY=svc.keys["admin"],
               AIG_CONTENT_TYPE=content_type)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s",
                          str(Path(__file__).with_name("orient.lua")), svc.base + path],
                         env=env, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    return rps, lat.get("50"), lat.get("99")


class Client(threading.Thread):
    """One keep-alive client posting decisions until told to stop; keeps every receipt."""

    def __init__(self, svcs, body, key, stop):
        super().__init__(daemon=True)
        self.svcs, self.body, self.key, self.stop = svcs, body, key, stop
        self.receipts, self.latencies, self.failures, self.reasons = [], [], 0, []

    def run(self):
        k = 0
        conn = None
        while not self.stop.is_set():
            svc = self.svcs[k % len(self.svcs)]
            try:
                conn = conn or http.client.HTTPConnection("127.0.0.1", svc.port, timeout=30)
                t = time.perf_counter()
                conn.request("POST", "/v1/decisions", self.body,
                             {"Content-Type": "application/json",
                              "Authorization": "Bearer " + self.key})
                r = conn.getresponse()
                data = r.read()
                if r.status == 201:
                    self.latencies.append(time.perf_counter() - t)
                    self.receipts.append(json.loads(data)["hash"])
                else:
                    self.failures += 1
                    self.reasons.append(f"{r.status} {data[:200]!r}")
            except (OSError, http.client.HTTPException) as e:
                self.failures += 1
                self.reasons.append(repr(e))
                conn = None
                k += 1  # another instance
                time.sleep(0.01)


def load(svcs, seconds, clients=64, during=None):
    body = json.dumps({"person": person(1), "reference_date": DATE, "action": "confirm",
                       "decided_at": "2025-03-02T10:00:00Z"})
    _, p = svcs[0].request("POST", f"/v1/orient?date={DATE}", person(1), role="admin")
    key = svcs[0].keys[p["outputs"]["decideur"]]
    stop = threading.Event()
    threads = [Client(svcs[k % len(svcs):] + svcs[:k % len(svcs)], body, key, stop)
               for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    if during:
        during()
    time.sleep(max(0, seconds - (time.perf_counter() - t0)))
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    lat = sorted(x for t in threads for x in t.latencies)
    receipts = [h for t in threads for h in t.receipts]
    pct = (lambda q: lat[int(q * (len(lat) - 1))] * 1000) if lat else (lambda q: float("nan"))
    reasons = sorted({r for t in threads for r in t.reasons})
    if reasons and not during:
        print("  failures:", reasons[:3])
    return len(receipts) / elapsed, pct(0.5), pct(0.99), receipts, sum(t.failures for t in threads)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aig-bench-"))
    print("load average:", open("/proc/loadavg").read().strip())

    svc = Service(work, ["--log", work / "file.jsonl", "--threads", "72"], roles=ROLES)
    one = json.dumps(person(1))
    rps, p50, p99 = wrk(svc, f"/v1/orient?date={DATE}", one, a.seconds)
    print(f"orient, one record, wrk -t2 -c8: {rps:.0f} req/s, p50 {p50}, p99 {p99}")
    persons = SOURCE / "examples" / "data" / "persons-1000.jsonl"
    batch = persons.read_text()
    t = time.perf_counter()
    runs = 20
    for _ in range(runs):
        status, text = svc.request("POST", f"/v1/orient?date={DATE}", batch, role="admin",
                                   content_type="application/x-ndjson", raw=True)
        assert status == 200
    http_rate = runs * 1000 / (time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(runs):
        run_cli("orient", PACKS / "orientation" / "fr-2025", persons, "--date", DATE)
    cli_rate = runs * 1000 / (time.perf_counter() - t)
    print(f"batch orient, 1000 persons x {runs}: HTTP {http_rate:.0f} records/s, "
          f"CLI {cli_rate:.0f} records/s (process start included), ratio {http_rate / cli_rate:.2f}")
    rate, p50, p99, receipts, failures = load([svc], a.seconds)
    svc.stop()
    print(f"decisions, file log, 64 clients: {rate:.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"{failures} failures")

    pg = PostgresCluster()
    try:
        url = pg.new_database()
        s1 = Service(work, ["--db", url, "--threads", "40"], roles=ROLES)
        s2 = Service(work, ["--db", url, "--threads", "40"], keys=s1.keys)
        rate, p50, p99, receipts, failures = load([s1, s2], a.seconds)
        print(f"decisions, PostgreSQL, 2 instances, 64 clients: {rate:.0f}/s, p50 {p50:.1f} ms, "
              f"p99 {p99:.1f} ms, {failures} failures")

        def kill_and_restart():
            time.sleep(a.seconds / 3)
            s2.proc.send_signal(signal.SIGKILL)
            s2.proc.wait()
            time.sleep(1)
            s2.__init__(work, ["--db", url, "--threads", "40"], keys=s1.keys)

        before = int(run_cli("log", "verify", "--db", url, "--json").stdout and
                     json.loads(run_cli("log", "verify", "--db", url, "--json").stdout)["records"])
        rate, p50, p99, acked, failures = load([s1, s2], a.seconds, during=kill_and_restart)
        s1.stop()
        s2.stop()
        v = json.loads(run_cli("log", "verify", "--db", url, "--json", check=False).stdout)
        lines = run_cli("log", "export", "--db", url).stdout.splitlines()
        hashes = [json.loads(x)["hash"] for x in lines[before:]]
        present = set(hashes)
        missing = [h for h in acked if h not in present]
        print(f"fault run (kill -9 one of two instances mid-load, restart): {len(acked)} "
              f"acknowledged, {len(hashes)} lines written, chain ok={v['ok']}, "
              f"acknowledged missing={len(missing)}, duplicates={len(hashes) - len(present)}, "
              f"failed requests={failures}")
    finally:
        pg.stop()
    print("load average:", open("/proc/loadavg").read().strip())


if __name__ == "__main__":
    main()
