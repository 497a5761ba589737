#!/usr/bin/env python3
"""Differential test of the JDM import against the real ZEN engine.

A seeded generator writes random JDM decision tables (number, text and boolean columns; ZEN's
unary operators: comparisons, ranges, lists, `or` of literals, `and` of two comparisons,
`!=`; hit policies first and collect; null and absent fields in the records). Each table is
evaluated by ZEN (node, @gorules/zen-engine from install.sh) and by the pack that
`aiguillage import-jdm` makes of it (`aiguillage eval`), record by record; every output must
agree (numbers to 1e-9). Prints `tables T, records R, differences D` and exits 1 when D > 0
(77 when node or the ZEN package is absent: the test is skipped).

    benchmarks/peers/zen/differential.py --cli build/aiguillage [--tables 1000] [--records 1000]
        [--seed 1] [--failures FILE]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TEXTS = ["a", "b", "c", "d"]


def number(rng):
    n = rng.randint(0, 20)
    return n + 0.5 if rng.random() < 0.2 else n


def num_text(x):
    return str(x)


def number_cell(rng):
    a, b = sorted([number(rng), number(rng)])
    kind = rng.randrange(11)
    if kind == 0:
        return ""
    if kind <= 4:
        return rng.choice([">", "<", ">=", "<="]) + " " + num_text(a)
    if kind == 5:
        return num_text(a)
    if kind == 6:
        return rng.choice(["[", "("]) + num_text(a) + ".." + num_text(b) + rng.choice(["]", ")"])
    if kind == 7:
        return "> " + num_text(a) + " and <= " + num_text(b)
    if kind == 8:
        return num_text(a) + ", " + num_text(b)
    if kind == 9:
        return "!= " + num_text(a)
    return ">= " + num_text(a) + " and < " + num_text(b)


def text_cell(rng):
    kind = rng.randrange(6)
    if kind == 0:
        return ""
    if kind <= 2:
        return "'" + rng.choice(TEXTS) + "'"
    pair = rng.sample(TEXTS, 2)
    if kind == 3:
        return "'" + pair[0] + "', '" + pair[1] + "'"
    if kind == 4:
        return "'" + pair[0] + "' or '" + pair[1] + "'"
    return "!= '" + rng.choice(TEXTS) + "'"


def bool_cell(rng):
    return rng.choice(["", "true", "false"])


CELLS = {"number": number_cell, "string": text_cell, "boolean": bool_cell}


def value(rng, kind):
    if kind == "number":
        return number(rng)
    if kind == "string":
        return rng.choice(TEXTS)
    return rng.random() < 0.5


def output_literal(rng, kind, row):
    if kind == "number":
        return str(row * 10 + rng.randint(0, 9))
    return "'" + rng.choice(["x", "y", "z"]) + str(row) + "'"


def table(rng, index):
    columns = [("f%d" % k, rng.choice(["number", "string", "boolean"]))
               for k in range(rng.randint(1, 4))]
    outputs = [("out%d" % k, rng.choice(["number", "string"])) for k in range(rng.randint(1, 2))]
    policy = rng.choice(["first", "collect"])
    rules = []
    for r in range(rng.randint(1, 8)):
        rule = {"_id": "r%d" % (r + 1)}
        for k, (name, kind) in enumerate(columns):
            rule["i%d" % k] = CELLS[kind](rng)
        for k, (name, kind) in enumerate(outputs):
            rule["o%d" % k] = output_literal(rng, kind, r)
        rules.append(rule)
    # A column no rule tests gives ZEN no type and the import none either (it reads a text):
    # every column tests its field at least once.
    for k, (name, kind) in enumerate(columns):
        if all(rule["i%d" % k] == "" for rule in rules):
            rule = rng.choice(rules)
            while rule["i%d" % k] == "":
                rule["i%d" % k] = CELLS[kind](rng)
    content = {
        "hitPolicy": policy,
        "rules": rules,
        "inputs": [{"id": "i%d" % k, "name": name, "field": name}
                   for k, (name, _) in enumerate(columns)],
        "outputs": [{"id": "o%d" % k, "name": name, "field": name}
                    for k, (name, _) in enumerate(outputs)],
        "passThrough": False, "inputField": None, "outputPath": None, "executionMode": "single",
    }
    graph = {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "request", "position": {"x": 0, "y": 0}},
            {"id": "t", "type": "decisionTableNode", "name": "table%d" % index,
             "position": {"x": 200, "y": 0}, "content": content},
            {"id": "out", "type": "outputNode", "name": "response", "position": {"x": 400, "y": 0}},
        ],
        "edges": [{"id": "e1", "sourceId": "in", "targetId": "t", "type": "edge"},
                  {"id": "e2", "sourceId": "t", "targetId": "out", "type": "edge"}],
    }
    return graph, columns, outputs, policy


def records(rng, columns, n):
    out = []
    for _ in range(n):
        rec = {}
        for name, kind in columns:
            u = rng.random()
            if u < 0.05:
                continue  # absent
            rec[name] = None if u < 0.15 else value(rng, kind)
        out.append(rec)
    return out


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def zen_outputs(result, outputs, policy):
    """ZEN's result as {output: value} (first) or {output: [values]} (collect)."""
    if policy == "collect":
        rows = result if isinstance(result, list) else []
        return {name: [row.get(name) for row in rows] for name, _ in outputs}
    result = result if isinstance(result, dict) else {}
    return {name: result.get(name) for name, _ in outputs}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", required=True)
    ap.add_argument("--tables", type=int, default=1000)
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--failures", help="write each difference (graph, record, both results)")
    args = ap.parse_args()
    if not shutil.which("node") or not os.path.isdir(
            os.path.join(HERE, "node_modules", "@gorules", "zen-engine")):
        print("skipped: node or the ZEN package is absent (benchmarks/peers/zen/install.sh)")
        return 77
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="aig_zen_diff_")
    try:
        cases = []
        with open(os.path.join(work, "cases.jsonl"), "w") as f:
            for t in range(args.tables):
                graph, columns, outputs, policy = table(rng, t)
                recs = records(rng, columns, args.records)
                cases.append((graph, columns, outputs, policy, recs))
                f.write(json.dumps({"graph": graph, "records": recs}) + "\n")
        zen = subprocess.run(["node", os.path.join(HERE, "differential.mjs"),
                              os.path.join(work, "cases.jsonl")],
                             check=True, capture_output=True, text=True).stdout.splitlines()
        differences, refused, total = [], 0, 0
        for t, (graph, columns, outputs, policy, recs) in enumerate(cases):
            gpath = os.path.join(work, "g.json")
            with open(gpath, "w") as f:
                json.dump(graph, f)
            imp = subprocess.run([args.cli, "import-jdm", gpath], capture_output=True, text=True)
            zen_case = json.loads(zen[t])
            if imp.returncode != 0:
                refused += 1
                differences.append({"table": t, "graph": graph, "import_error": imp.stderr.strip()})
                continue
            ppath, rpath = os.path.join(work, "p.json"), os.path.join(work, "r.jsonl")
            with open(ppath, "w") as f:
                f.write(imp.stdout)
            with open(rpath, "w") as f:
                f.write("".join(json.dumps(r) + "\n" for r in recs))
            ev = subprocess.run([args.cli, "eval", ppath, rpath, "--date", "2025-01-01"],
                                capture_output=True, text=True)
            ours = [json.loads(line) for line in ev.stdout.splitlines()]
            for k, rec in enumerate(recs):
                total += 1
                z = zen_case.get("results", [None] * len(recs))[k]
                mine = ours[k] if k < len(ours) else {"status": "missing"}
                want = zen_outputs(z, outputs, policy)
                got = {name: mine.get("outputs", {}).get(name) for name, _ in outputs}
                if policy == "collect":
                    got = {n: (v if isinstance(v, list) else []) for n, v in got.items()}
                ok = mine.get("status") != "error" and not (isinstance(z, dict) and "error" in z)
                if not ok or any(not same(got[n], want[n]) for n in want):
                    differences.append({"table": t, "policy": policy, "record": rec,
                                        "zen": z, "ours": mine, "graph": graph})
        print("tables %d (imported %d), records %d, differences %d"
              % (len(cases), len(cases) - refused, total, len(differences)))
        if args.failures:
            with open(args.failures, "w") as f:
                for d in differences:
                    f.write(json.dumps(d) + "\n")
        return 1 if differences else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
