#!/usr/bin/env python3
"""Writes a FIRST table of N rules that each bring their own range, and records for it.

The odd rules read ">= 10(N - i)" (every region between two of their cut points holds a
different set of them: a dense layout of the masks holds about N²/2 bits), the even ones
"[10i..10i+5]". This is the table of issue #17 (H3); at N = 200,000, the documented maximum,
the pack is about 17 MB.

  make_range_table.py N OUT_DIR [RECORDS]   writes OUT_DIR/pack.json and OUT_DIR/records.jsonl
"""
import json
import random
import sys


def main() -> None:
    n = int(sys.argv[1])
    out = sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    rules = []
    for i in range(n):
        cell = f">= {10 * (n - i)}" if i % 2 else f"[{10 * i}..{10 * i + 5}]"
        rules.append({"id": f"R{i}", "when": [cell], "then": [str(i)], "source": "S",
                      "status": "verified"})
    pack = {
        "schema": "aiguillage.ruleset", "schema_version": "1.0",
        "id": f"bench/ranges-{n}", "version": "1.0.0", "valid_from": "2000-01-01",
        "title": "Distinct ranges", "purpose": "Load cost of rules with distinct ranges",
        "sources": [{"id": "S", "title": "Synthetic"}],
        "inputs": [{"name": "x", "type": "integer"}],
        "variables": [],
        "decisions": [{"id": "t", "kind": "table", "hit_policy": "FIRST",
                       "inputs": [{"expression": "x"}],
                       "outputs": [{"name": "rule", "type": "integer"}], "rules": rules}],
    }
    with open(f"{out}/pack.json", "w", encoding="utf-8") as f:
        json.dump(pack, f, separators=(",", ":"))
    rng = random.Random(17)
    with open(f"{out}/records.jsonl", "w", encoding="utf-8") as f:
        for _ in range(count):
            f.write(json.dumps({"x": rng.randrange(-10, 10 * n + 10)}) + "\n")


if __name__ == "__main__":
    main()
