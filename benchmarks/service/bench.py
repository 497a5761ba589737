"""Load and fault runs of `aiguillage serve` (numbers go to benchmarks/RESULTS.md).

  /usr/bin/python3 benchmarks/service/bench.py [--seconds 10]

1. single-record orient over keep-alive with wrk: one connection (latency p50/p99) and eight
   (throughput), beside GET /health (the HTTP layer alone) and the service's CPU time per
   request (from /proc/PID/stat: what the work costs, whatever else runs on the machine);
2. JSON Lines batch orient (1000 persons) over HTTP vs `aiguillage orient` on the same file;
3. decisions/s with 64 concurrent keep-alive clients (wrk): file log (one instance) and
   PostgreSQL (two instances sharing one database, 32 connections each), p50/p99;
4. fault: kill -9 one PostgreSQL instance mid-load (64 Python clients that keep every receipt),
   restart it, verify the chain and that every acknowledged decision is present exactly once.

Each load measure runs --repeat times; the medians are printed.

`--http-only --compare OTHER_CLI` runs part 1 alone, for the build under test and for another
build of `aiguillage` (another transport, say) in turns, so that both are measured under the
same load of the machine.
"""

import argparse
import http.client
import statistics
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
import conftest  # noqa: E402
from conftest import CLI, PACKS, SOURCE, PostgresCluster, Service, person, run_cli  # noqa: E402

DATE = "2025-03-01"
ROLES = ("france_travail", "mission_locale", "cap_emploi", "president_conseil_departemental",
         "auditor", "admin")


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def micros(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1, "ms": 1000, "s": 1e6}[unit]


def wrk_start(svc, path, body, seconds, connections, threads=1,
              content_type="application/json", key=None):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        f.write(body or "")
    env = dict(os.environ, AIG_BODY_FILE=f.name, AIG_KEY=key or svc.keys["admin"],
               AIG_CONTENT_TYPE=content_type, AIG_METHOD="POST" if body else "GET")
    return subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                             "--latency", "-s", str(Path(__file__).with_name("post.lua")),
                             svc.base + path], env=env, stdout=subprocess.PIPE, text=True)


def wrk_result(proc):
    out = proc.communicate()[0]
    assert proc.returncode == 0, out
    lat = dict(re.findall(r"\s+(50|99)%\s+([\d.]+\w+)", out))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50": micros(lat["50"]), "p99": micros(lat["99"]),
            "errors": int(bad.group(1)) if bad else 0}


def wrk(svc, path, body, seconds, connections, threads=1, key=None):
    """One wrk run; with the service's CPU microseconds per request."""
    cpu = cpu_seconds(svc.proc.pid)
    r = wrk_result(wrk_start(svc, path, body, seconds, connections, threads, key=key))
    r["cpu_us"] = (cpu_seconds(svc.proc.pid) - cpu) * 1e6 / max(1, r["requests"])
    return r


def median_of(runs):
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--http-only", action="store_true", help="part 1 only")
    ap.add_argument("--compare", help="another aiguillage binary measured in part 1 in turns")
    a = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    work = Path(tempfile.mkdtemp(prefix="aig-bench-"))
    print("load average:", open("/proc/loadavg").read().strip())

    one = json.dumps(person(1))
    orient = f"/v1/orient?date={DATE}"
    clis = [CLI] + ([a.compare] if a.compare else [])
    svcs = []
    for k, cli in enumerate(clis):
        conftest.CLI = cli
        svcs.append(Service(work, ["--log", work / f"file{k}.jsonl", "--threads", "72"],
                            roles=ROLES, keys=svcs[0].keys if svcs else None))
    conftest.CLI = CLI
    svc = svcs[0]
    for name, path, body, conns, threads in (
            ("GET /health", "/health", None, 1, 1),
            ("orient", orient, one, 1, 1),
            ("GET /health", "/health", None, 8, 2),
            ("orient", orient, one, 8, 2)):
        runs = [[] for _ in svcs]
        for _ in range(a.repeat):  # the builds in turns: the same load for each
            for k, s in enumerate(svcs):
                runs[k].append(wrk(s, path, body, a.seconds, conns, threads))
        for k, cli in enumerate(clis):
            r = median_of(runs[k])
            which = f" [{cli}]" if len(clis) > 1 else ""
            print(f"{name}, wrk -t{threads} -c{conns} keep-alive{which}: {r['rps']:.0f} req/s, "
                  f"p50 {r['p50']:.0f} us, p99 {r['p99']:.0f} us, service CPU "
                  f"{r['cpu_us']:.1f} us per request, {r['errors']:.0f} non-2xx")
    for s in svcs[1:]:
        s.stop()
    if a.http_only:
        svc.stop()
        print("load average:", open("/proc/loadavg").read().strip())
        return
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
    _, p = svc.request("POST", orient, person(1), role="admin")
    decider = svc.keys[p["outputs"]["decideur"]]
    decision = json.dumps({"person": person(1), "reference_date": DATE, "action": "confirm",
                           "decided_at": "2025-03-02T10:00:00Z"})
    r = median_of([wrk(svc, "/v1/decisions", decision, a.seconds, 64, 2, key=decider)
                   for _ in range(a.repeat)])
    svc.stop()
    print(f"decisions, file log, wrk -t2 -c64: {r['rps']:.0f}/s, p50 {r['p50'] / 1000:.1f} ms, "
          f"p99 {r['p99'] / 1000:.1f} ms, service CPU {r['cpu_us']:.0f} us per decision, "
          f"{r['errors']:.0f} non-2xx")

    pg = PostgresCluster()
    try:
        url = pg.new_database()
        s1 = Service(work, ["--db", url, "--threads", "40", "--db-connections", "4"],
                     roles=ROLES)
        s2 = Service(work, ["--db", url, "--threads", "40", "--db-connections", "4"],
                     keys=s1.keys)
        runs = []
        for _ in range(a.repeat):
            cpu = sum(cpu_seconds(s.proc.pid) for s in (s1, s2))
            procs = [wrk_start(s, "/v1/decisions", decision, a.seconds, 32, key=decider)
                     for s in (s1, s2)]
            both = [wrk_result(proc) for proc in procs]
            cpu = sum(cpu_seconds(s.proc.pid) for s in (s1, s2)) - cpu
            runs.append({"rps": sum(x["rps"] for x in both),
                         "p50": max(x["p50"] for x in both),
                         "p99": max(x["p99"] for x in both),
                         "errors": sum(x["errors"] for x in both),
                         "cpu_us": cpu * 1e6 / max(1, sum(x["requests"] for x in both))})
        r = median_of(runs)
        print(f"decisions, PostgreSQL, 2 instances x wrk -c32: {r['rps']:.0f}/s, p50 "
              f"{r['p50'] / 1000:.1f} ms, p99 {r['p99'] / 1000:.1f} ms (the slower instance), "
              f"services' CPU {r['cpu_us']:.0f} us per decision, {r['errors']:.0f} non-2xx")

        s1.stop()
        s2.stop()
        # The fault run on a database of its own: its export and check stay small.
        url = pg.new_database()
        s1 = Service(work, ["--db", url, "--threads", "40", "--db-connections", "4"],
                     keys=s1.keys)
        s2 = Service(work, ["--db", url, "--threads", "40", "--db-connections", "4"],
                     keys=s1.keys)

        def kill_and_restart():
            time.sleep(a.seconds / 3)
            s2.proc.send_signal(signal.SIGKILL)
            s2.proc.wait()
            time.sleep(1)
            s2.__init__(work, ["--db", url, "--threads", "40", "--db-connections", "4"],
                        keys=s1.keys)

        before = 0
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
