#!/usr/bin/env python3
"""Every pack under rules/, exported to JDM (`aiguillage export --to jdm`), evaluated by the real
ZEN engine (node, @gorules/zen-engine from benchmarks/peers/zen/install.sh) and by the engine
(`aiguillage eval`) on the pack's own test cases and on seeded random records: every output must
agree (numbers to 1e-9, absent = null), and a record the pack refuses for a broken constraint is
one whose `constraint_violations` ZEN lists (a test case the pack refuses before any rule, for
a bad value or a date outside its validity, is counted apart: the graph checks no record).
Prints one line per pack and exits 1 on any
difference, 77 when node or the ZEN package is absent (the test is skipped).

    tests/interop/jdm_export_zen.py --cli build/aiguillage [--records 10000] [--seed 1]
        [--failures FILE]
"""
import argparse
import datetime
import glob
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
ZEN_DIR = os.path.join(SOURCE, "benchmarks", "peers", "zen")
RUNNER = os.path.join(ZEN_DIR, "differential.mjs")
# A pack that runs what the shipped ones do not: aggregations, ANY, RULE ORDER, list predicates,
# text and number functions, decimals.
COVERAGE = os.path.join(HERE, "data", "jdm-export-coverage")


def zen_available():
    if shutil.which("node") is None:
        return False
    return os.path.isdir(os.path.join(ZEN_DIR, "node_modules", "@gorules", "zen-engine"))


def day(text):
    return datetime.date.fromisoformat(text)


def texts_in(pack):
    """String literals of the pack's cells and expressions: the values records should hit."""
    found = set()
    for d in pack["decisions"]:
        for r in d.get("rules", []):
            for cell in r["when"]:
                found.update(re.findall(r'"([^"\\]*)"', cell))
        for c in d.get("inputs", []):
            found.update(re.findall(r'"([^"\\]*)"', c["expression"]))
    for v in pack.get("variables", []):
        found.update(re.findall(r'"([^"\\]*)"', v["expression"]))
    return sorted(found) + ["autre", ""]


def value(rng, field, texts, reference):
    kind = field["type"]
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "enum":
        return rng.choice(field["values"])
    if kind in ("integer", "decimal"):
        lo, hi = field.get("min", -10), field.get("max", 120)
        # Small values and the bounds are where the rules' thresholds are.
        n = rng.choice([rng.randint(lo, min(hi, lo + 60)), lo, hi, rng.randint(lo, hi)])
        if kind == "integer":
            return n
        fraction = rng.choice([0, 0.25, 0.5])
        return n + fraction if n + fraction <= hi else n - fraction
    if kind == "string":
        limit = field.get("max_length", 1000)
        return rng.choice([t for t in texts + ["75", "2A"] if len(t) <= limit])
    if kind == "date":
        # Ages from 10 to 80 years, and dates close to the reference date (deadlines).
        if rng.random() < 0.5:
            delta = rng.randint(10 * 365, 80 * 365)
        else:
            delta = rng.randint(-40, 400)
        return (reference - datetime.timedelta(days=delta)).isoformat()
    if kind == "list":
        items = field["items"]
        pool = items.get("values") or texts
        return rng.sample(pool, rng.randint(0, min(3, len(pool))))
    raise ValueError("no generator for type " + kind)


def random_records(rng, pack, count, reference):
    texts = texts_in(pack)
    records = []
    for _ in range(count):
        rec = {}
        for field in pack["inputs"]:
            if not field.get("required", True) or field["type"] == "bool" or field["type"] == "enum":
                roll = rng.random()
                if roll < 0.05 and not field.get("required", False):
                    continue  # absent
                if roll < 0.12 and not field.get("required", False):
                    rec[field["name"]] = None
                    continue
            rec[field["name"]] = value(rng, field, texts, reference)
        records.append(rec)
    return records


def accepted_mostly(cli, pack, pack_dir, rng, count, date, work, rounds=6, keep=0.1):
    """count random records of which about `keep` break a constraint: independent values break
    the packs' constraints (an age under 14, two exclusive flags) far more often than people
    do, which would leave few records whose outputs are compared. Records the pack refuses for
    a constraint are drawn again, up to `rounds` times, except a share `keep` of them."""
    recs = random_records(rng, pack, count, day(date))
    path = os.path.join(work, "draw.jsonl")
    for _ in range(rounds):
        with open(path, "w") as f:
            f.write("".join(json.dumps(r) + "\n" for r in recs))
        ev = subprocess.run([cli, "eval", pack_dir, path, "--date", date], capture_output=True,
                            text=True)
        results = [json.loads(line) for line in ev.stdout.splitlines()]
        redraw = [k for k, res in enumerate(results)
                  if res.get("status") == "error" and rng.random() >= keep]
        if not redraw:
            break
        for k, fresh in zip(redraw, random_records(rng, pack, len(redraw), day(date))):
            recs[k] = fresh
    return recs


def reference_dates(pack, rng, n):
    start = day(pack["valid_from"])
    end = day(pack["valid_to"]) if pack.get("valid_to") else start + datetime.timedelta(days=730)
    span = (end - start).days
    return sorted({(start + datetime.timedelta(days=rng.randint(0, span))).isoformat()
                   for _ in range(n)})


def test_cases(pack_dir):
    out = []
    for path in sorted(glob.glob(os.path.join(pack_dir, "tests", "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for case in doc.get("cases", []):
            if "reference_date" in case and isinstance(case.get("input"), dict):
                out.append((case["reference_date"], case["input"]))
    return out


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b and type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-9
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def refused_by_checks(mine):
    """The pack refuses the record before any rule: a value of the wrong type or outside its
    list or bounds, a reference date outside the pack's validity. The graph checks no record;
    the pack's own test cases hold such records on purpose."""
    codes = {e.get("code") for e in mine.get("errors", [])}
    return mine.get("status") == "error" and codes and -216 not in codes


def compare(mine, zen):
    """None when the engine's result and ZEN's agree, else a short reason."""
    if isinstance(zen, dict) and set(zen) == {"error"}:
        return "ZEN failed: " + zen["error"]
    violations = (zen or {}).get("constraint_violations") or []
    if mine.get("status") == "error":
        codes = {e.get("code") for e in mine.get("errors", [])}
        if codes and codes <= {-216, "input_constraint"}:
            return None if violations else "the pack refuses the record, ZEN lists no constraint"
        return "the pack refuses the record: " + json.dumps(mine.get("errors", []))[:300]
    if violations:
        return "ZEN lists broken constraints %s, the pack accepts the record" % violations
    for name, want in (mine.get("outputs") or {}).items():
        got = zen.get(name) if isinstance(zen, dict) else None
        if not same(got, want):
            return "%s: engine %s, ZEN %s" % (name, json.dumps(want), json.dumps(got))
    return None


def run_pack(cli, pack_dir, records_count, seed, work):
    with open(os.path.join(pack_dir, "pack.json"), encoding="utf-8") as f:
        pack = json.load(f)
    graph_path = os.path.join(work, "graph.json")
    ex = subprocess.run([cli, "export", "--to", "jdm", pack_dir], capture_output=True, text=True)
    if ex.returncode != 0:
        return 0, 0, 0, [{"pack": pack_dir, "export_error": ex.stderr.strip()}]
    with open(graph_path, "w") as f:
        f.write(ex.stdout)
    graph = json.loads(ex.stdout)
    rng = random.Random("%s:%s" % (seed, pack["id"]))  # one stream per pack, fixed by the seed
    batches = {}  # reference date -> [(record, from the pack's test cases)]
    for date, record in test_cases(pack_dir):
        batches.setdefault(date, []).append((record, True))
    dates = reference_dates(pack, rng, 5)
    for k, date in enumerate(dates):
        count = records_count // len(dates) + (1 if k < records_count % len(dates) else 0)
        recs = accepted_mostly(cli, pack, pack_dir, rng, count, date, work)
        batches.setdefault(date, []).extend((r, False) for r in recs)
    cases_path = os.path.join(work, "cases.jsonl")
    order = sorted(batches)
    with open(cases_path, "w") as f:
        for date in order:
            recs = [dict(r, reference_date=date) for r, _ in batches[date]]
            f.write(json.dumps({"graph": graph, "records": recs}) + "\n")
    zen = subprocess.run(["node", RUNNER, cases_path], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    differences, total, skipped, constrained = [], 0, 0, 0
    for t, date in enumerate(order):
        recs = [r for r, _ in batches[date]]
        from_cases = [c for _, c in batches[date]]
        rpath = os.path.join(work, "records.jsonl")
        with open(rpath, "w") as f:
            f.write("".join(json.dumps(r) + "\n" for r in recs))
        ev = subprocess.run([cli, "eval", pack_dir, rpath, "--date", date], capture_output=True,
                            text=True)
        ours = [json.loads(line) for line in ev.stdout.splitlines()]
        zen_results = json.loads(zen[t]).get("results") or [{"error": zen[t][:300]}] * len(recs)
        for k, rec in enumerate(recs):
            total += 1
            mine = ours[k] if k < len(ours) else {"status": "missing"}
            if from_cases[k] and refused_by_checks(mine):
                skipped += 1
                continue
            reason = compare(mine, zen_results[k])
            if not reason and mine.get("status") == "error":
                constrained += 1
            if reason:
                differences.append({"pack": pack["id"], "reference_date": date, "record": rec,
                                    "reason": reason, "engine": mine, "zen": zen_results[k]})
    return total, skipped, constrained, differences


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--failures")
    ap.add_argument("--pack", action="append",
                    help="a pack folder (repeatable); default: every pack under rules/ and "
                         "tests/interop/data/jdm-export-coverage")
    args = ap.parse_args()
    if not zen_available():
        print("skipped: node or the ZEN package is absent (benchmarks/peers/zen/install.sh)")
        return 77
    packs = args.pack or sorted(os.path.dirname(p) for p in glob.glob(
        os.path.join(SOURCE, "rules", "**", "pack.json"), recursive=True)) + [COVERAGE]
    work = tempfile.mkdtemp(prefix="aig_jdm_export_")
    all_differences = []
    try:
        for pack_dir in packs:
            total, skipped, constrained, differences = run_pack(args.cli, pack_dir, args.records,
                                                                args.seed, work)
            print("%s: records %d (test cases the pack refuses before any rule, not compared: %d;"
                  " refused for a broken constraint, which ZEN lists: %d), differences %d"
                  % (os.path.relpath(pack_dir, SOURCE), total, skipped, constrained,
                     len(differences)))
            for d in differences[:3]:
                print("  " + json.dumps(d, ensure_ascii=False)[:600])
            all_differences.extend(differences)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.failures:
        with open(args.failures, "w") as f:
            for d in all_differences:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
    print("packs %d, differences %d" % (len(packs), len(all_differences)))
    return 1 if all_differences else 0


if __name__ == "__main__":
    sys.exit(main())
