"""scipy peer for benchmarks/assignment_bench.cpp.

Usage: lsa.py dense  FILE N_ROWS N_COLS REPEATS
       lsa.py sparse DIR N_ROWS N_COLS REPEATS
dense: FILE holds N_ROWS*N_COLS float64 (row-major, native endianness).
sparse: DIR holds indptr.i64, indices.i32, values.f64 (CSR).
Prints "median_ms=<m> total_cost=<c>" with the median wall time of linear_sum_assignment or
min_weight_full_bipartite_matching over REPEATS runs (file reading excluded).
"""
import sys
import time

import numpy as np


def main():
    kind, path, nr, nc, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    times = []
    if kind == "dense":
        from scipy.optimize import linear_sum_assignment
        c = np.fromfile(path, dtype=np.float64).reshape(nr, nc)
        for _ in range(reps):
            t = time.perf_counter()
            r, k = linear_sum_assignment(c)
            times.append(time.perf_counter() - t)
        total = float(c[r, k].sum())
    else:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import min_weight_full_bipartite_matching
        indptr = np.fromfile(path + "/indptr.i64", dtype=np.int64)
        indices = np.fromfile(path + "/indices.i32", dtype=np.int32)
        values = np.fromfile(path + "/values.f64", dtype=np.float64)
        m = csr_matrix((values, indices, indptr), shape=(nr, nc))
        for _ in range(reps):
            t = time.perf_counter()
            r, k = min_weight_full_bipartite_matching(m)
            times.append(time.perf_counter() - t)
        total = float(np.asarray(m[r, k]).sum())
    print(f"median_ms={1000 * float(np.median(times))!r} total_cost={total!r}")


if __name__ == "__main__":
    main()
