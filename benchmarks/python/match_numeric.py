"""Matching from Python: the numeric index (build, batch top-k on 1 and 2 threads), the dense
assignment against scipy's on the same matrix, and OfferBank.top_offers on replicated example
offers. Medians of REPEATS runs; same-run ratios.

    PYTHONPATH=build/python AIG_SOURCE_DIR=. /usr/bin/python3 benchmarks/python/match_numeric.py [REPEATS]

Fixed seeds. AIG_BENCH_SMOKE=1 uses small sizes.
"""

import json
import os
import pathlib
import statistics
import sys
import time

import numpy as np

import aiguillage

ROOT = pathlib.Path(__file__).resolve().parents[2]
SMOKE = bool(os.environ.get("AIG_BENCH_SMOKE"))


def median_time(f, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def csr(rng, rows, n_items, per_row):
    lengths = rng.integers(1, 2 * per_row, rows)
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    items = np.concatenate([rng.choice(n_items, size=m, replace=False) for m in lengths])
    return indptr, items, rng.choice([0.5, 1.0], size=len(items))


def main(argv):
    repeats = int(argv[1]) if len(argv) > 1 else 3
    rng = np.random.default_rng(42)
    n_entries, n_queries, n_items = (20_000, 2_000, 2_000) if SMOKE else (200_000, 20_000, 5_000)
    indptr, items, weights = csr(rng, n_entries, n_items, 6)
    lat, lon = rng.uniform(42, 51, n_entries), rng.uniform(-4, 8, n_entries)
    build = median_time(lambda: aiguillage.CompetenceIndex.from_csr(
        indptr, items, weights, lat, lon), repeats)
    index = aiguillage.CompetenceIndex.from_csr(indptr, items, weights, lat, lon)
    queries = csr(rng, n_queries, n_items, 4)
    one = median_time(lambda: index.batch_top_k(queries, 10, threads=1), repeats)
    two = median_time(lambda: index.batch_top_k(queries, 10, threads=2), repeats)
    print(f"index build, {n_entries} entries, {index.nonzeros} weights: {build * 1e3:.0f} ms")
    print(f"batch_top_k k=10, {n_queries} queries: 1 thread {one / n_queries * 1e6:.1f} us/query,"
          f" 2 threads {two / n_queries * 1e6:.1f} us/query (ratio {one / two:.2f})")

    from scipy.optimize import linear_sum_assignment
    n = 300 if SMOKE else 1000
    costs = rng.uniform(0, 1000, (n, n))
    ours = median_time(lambda: aiguillage.solve_assignment(costs), repeats)
    theirs = median_time(lambda: linear_sum_assignment(costs), repeats)
    print(f"dense assignment {n}x{n}: aiguillage {ours * 1e3:.1f} ms, scipy {theirs * 1e3:.1f} ms"
          f" (ratio {ours / theirs:.2f})")

    ref = aiguillage.Referential.bundled()
    lines = (ROOT / "examples/data/offers-subset.jsonl").read_text(encoding="utf-8").splitlines()
    copies = 20 if SMOKE else 200
    records = []
    for c in range(copies):
        for line in lines:
            o = json.loads(line)
            o["id"] = f"{o['id']}-{c}"
            records.append(o)
    offers = aiguillage.Offers(records, ref)
    scoring = aiguillage.Scoring.load(ROOT / "rules/matching/scoring-default.json")
    bank_build = median_time(lambda: aiguillage.OfferBank(offers, scoring=scoring), repeats)
    bank = aiguillage.OfferBank(offers, scoring=scoring)
    profiles = aiguillage.Profiles(ROOT / "examples/data/profiles-subset.jsonl", ref)
    many = aiguillage.Profiles([json.loads(line) for line in (
        ROOT / "examples/data/profiles-subset.jsonl").read_text().splitlines()] * 50, ref)
    one = median_time(lambda: bank.top_offers(many, 10, threads=1), repeats)
    two = median_time(lambda: bank.top_offers(many, 10, threads=2), repeats)
    full = median_time(lambda: [aiguillage.score(profiles[0], o, scoring=scoring)
                                for o in offers], 1)
    print(f"OfferBank {len(offers)} offers: build {bank_build * 1e3:.0f} ms; top_offers k=10 "
          f"{one / len(many) * 1e3:.2f} ms/profile (1 thread), {two / len(many) * 1e3:.2f} "
          f"ms/profile (2 threads); score() on every offer from Python "
          f"{full * 1e3:.0f} ms/profile")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
