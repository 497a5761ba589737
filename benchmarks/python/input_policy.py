"""The input policy's cost on 1M rows: the same persons as pandas' read_json gives them
(float64 booleans and integers with NaN, object text) against typed columns (bool/boolean,
Int64, categoricals, datetime64); the result DataFrame's construction; propose_batch.

    PYTHONPATH=build/python /usr/bin/python3 benchmarks/python/input_policy.py [ROWS] [REPEATS]

The 1000 persons of examples/data/persons-1000.jsonl read by pd.read_json(lines=True), then
replicated (pd.concat keeps read_json's dtypes). Medians of REPEATS runs, both variants
alternated in one run, the ratio of their medians. AIG_BENCH_SMOKE=1 uses 20,000 rows.
"""

import os
import pathlib
import statistics
import sys
import time

import pandas as pd

import aiguillage

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATE = "2025-03-01"


def typed(frame: pd.DataFrame, pack) -> pd.DataFrame:
    out = {}
    kinds = {f["name"]: f for f in pack.inputs}
    for name in frame.columns:
        f = kinds.get(name)
        col = frame[name]
        if f is None:
            continue
        if f["type"] == "bool":
            out[name] = col.astype("boolean")
        elif f["type"] == "integer":
            out[name] = col.astype("Int64")
        elif f["type"] == "enum":
            out[name] = pd.Categorical(col, categories=f["values"])
        elif f["type"] == "date":
            out[name] = pd.to_datetime(col, format="%Y-%m-%d")
        else:
            out[name] = col
    return pd.DataFrame(out)


def timed(f, repeats):
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = f()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu), result


def main(argv):
    rows = int(argv[1]) if len(argv) > 1 else (20_000 if os.environ.get("AIG_BENCH_SMOKE")
                                               else 1_000_000)
    repeats = int(argv[2]) if len(argv) > 2 else 3
    pack = aiguillage.Pack(ROOT / "rules" / "orientation" / "fr-2025")
    orienter = aiguillage.Orienter(pack)
    base = pd.read_json(ROOT / "examples" / "data" / "persons-1000.jsonl", lines=True)
    base = base[[c for c in base.columns if c in {f["name"] for f in pack.inputs}]]
    raw = pd.concat([base] * (rows // len(base) + 1), ignore_index=True).iloc[:rows]
    raw = raw.reset_index(drop=True)
    kinds = typed(raw, pack)
    print(f"rows={rows} repeats={repeats} cores={os.cpu_count()}")
    print("read_json dtypes:", raw.dtypes.astype(str).value_counts().to_dict())
    print("typed dtypes:", kinds.dtypes.astype(str).value_counts().to_dict())

    json_wall, typed_wall, json_cpu, typed_cpu = [], [], [], []
    for _ in range(repeats):  # alternated, so that both see the same load
        w, c, a = timed(lambda: pack.evaluate_batch(raw, DATE), 1)
        json_wall.append(w)
        json_cpu.append(c)
        w, c, b = timed(lambda: pack.evaluate_batch(kinds, DATE), 1)
        typed_wall.append(w)
        typed_cpu.append(c)
    assert (a["error_code"] == 0).all() and (b["error_code"] == 0).all()
    pd.testing.assert_frame_equal(a, b)
    jw, tw = statistics.median(json_wall), statistics.median(typed_wall)
    jc, tc = statistics.median(json_cpu), statistics.median(typed_cpu)
    print(f"evaluate_batch read_json dtypes: {jw:.3f} s wall, {jc:.3f} s CPU")
    print(f"evaluate_batch typed columns:    {tw:.3f} s wall, {tc:.3f} s CPU")
    print(f"ratio read_json/typed: {jw / tw:.2f} wall, {jc / tc:.2f} CPU (goal <= 1.5)")

    # The result DataFrame alone: the dict of result columns into a frame with the index.
    result = pack.evaluate_batch({c: raw[c].to_numpy() if raw[c].dtype != object
                                  else raw[c].to_numpy() for c in raw.columns}, DATE)
    index = pd.RangeIndex(rows)
    w, c, frame = timed(lambda: pd.DataFrame(result, index=index, copy=False), repeats)
    assert len(frame) == rows
    print(f"result DataFrame construction: {w:.3f} s wall, {c:.3f} s CPU (goal <= 0.3)")

    w, c, out = timed(lambda: orienter.propose_batch(kinds, DATE, questions=False), repeats)
    print(f"propose_batch (questions=False): {w:.3f} s wall, {c:.3f} s CPU (goal <= 3)")
    incomplete = int((out["status"] == "incomplete").sum())
    w, c, out = timed(lambda: orienter.propose_batch(kinds, DATE), 1)
    print(f"propose_batch (questions, {incomplete} incomplete rows asked one by one): "
          f"{w:.3f} s wall, {c:.3f} s CPU")
    with open("/proc/loadavg") as f:
        print("loadavg:", f.read().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
