"""Orientation of N persons from a pandas DataFrame, end to end: columns into a typed batch,
evaluation (GIL released, every core), results back as a DataFrame.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/python/orient_pandas.py [ROWS] [REPEATS]

The persons are the 1000 of examples/data/persons-1000.jsonl, replicated; the frame is built
once, as pandas reads such data (object columns for text, booleans with missing cells and
dates). AIG_BENCH_SMOKE=1 uses 20,000 rows.
"""

import json
import os
import pathlib
import statistics
import sys
import time

import pandas as pd

import aiguillage
import aiguillage._columns as columns

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main(argv):
    rows = int(argv[1]) if len(argv) > 1 else (20_000 if os.environ.get("AIG_BENCH_SMOKE")
                                               else 1_000_000)
    repeats = int(argv[2]) if len(argv) > 2 else 3
    orienter = aiguillage.Orienter(ROOT / "rules" / "orientation" / "fr-2025")
    with open(ROOT / "examples" / "data" / "persons-1000.jsonl", encoding="utf-8") as f:
        persons = [json.loads(line) for line in f]
    for p in persons:
        p.pop("person_id")
    base = pd.DataFrame(persons)
    frame = pd.concat([base] * (rows // len(base) + 1), ignore_index=True).iloc[:rows]
    frame = frame.reset_index(drop=True)

    # Wall time, and the CPU time of the whole process (every thread): on a shared machine the
    # second still says how much work was done.
    totals, fills, evals, cpu_totals, cpu_fills, cpu_evals = [], [], [], [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = pd.DataFrame(orienter.propose_batch(frame, "2025-03-01"))
        totals.append(time.perf_counter() - t0)
        cpu_totals.append(time.process_time() - c0)
        # The same work split in two, to say where the time goes.
        t0, c0 = time.perf_counter(), time.process_time()
        batch, _ = columns.fill_batch(orienter.pack, frame)
        t1, c1 = time.perf_counter(), time.process_time()
        batch.evaluate(orienter.pack._native, "2025-03-01", 0)
        t2, c2 = time.perf_counter(), time.process_time()
        fills.append(t1 - t0)
        evals.append(t2 - t1)
        cpu_fills.append(c1 - c0)
        cpu_evals.append(c2 - c1)
    assert len(result) == rows and (result["status"] != "error").all()
    print(f"rows={rows} repeats={repeats} cores={os.cpu_count()}")
    print(f"end_to_end_median_s={statistics.median(totals):.3f} "
          f"({statistics.median(totals) / rows * 1e9:.0f} ns/person)")
    print(f"fill_batch_median_s={statistics.median(fills):.3f} "
          f"evaluate_median_s={statistics.median(evals):.3f}")
    print(f"cpu_end_to_end_median_s={statistics.median(cpu_totals):.3f} "
          f"cpu_fill_median_s={statistics.median(cpu_fills):.3f} "
          f"cpu_evaluate_median_s={statistics.median(cpu_evals):.3f}")
    print(f"load_average={os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
