"""scipy peer for benchmarks/retrieval_bench.cpp: all-pairs top-k by sparse product.

Usage: topk.py DIR K BLOCK [REPEATS]
DIR holds the queries (q_indptr.i64, q_items.u32, q_weights.f64) and the entries (o_indptr.i64,
o_items.u32, o_weights.f64) in CSR form over raw item ids. Item ids are mapped to columns and the
matrices built before timing starts (as the C++ index is built before its timing). Timed: for
each block of BLOCK queries, S = Q_block @ X.T (scipy.sparse CSR product), then for each row the
k largest scores with np.argpartition on the row's nonzeros. Writes the top-k scores of every
query, descending, NaN-padded, to DIR/scipy_top.f64 and prints "median_ms=<wall ms> nnz=<S nnz>",
the median over REPEATS runs (default 1) of the whole timed part.
"""
import sys
import time

import numpy as np
from scipy.sparse import csr_matrix


def load(d, prefix):
    indptr = np.fromfile(f"{d}/{prefix}_indptr.i64", dtype=np.int64)
    items = np.fromfile(f"{d}/{prefix}_items.u32", dtype=np.uint32)
    weights = np.fromfile(f"{d}/{prefix}_weights.f64", dtype=np.float64)
    return indptr, items, weights


def main():
    d, k, block = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    qp, qi, qw = load(d, "q")
    op, oi, ow = load(d, "o")
    ids = np.unique(np.concatenate([qi, oi]))
    q = csr_matrix((qw, np.searchsorted(ids, qi), qp), shape=(len(qp) - 1, len(ids)))
    xt = csr_matrix((ow, np.searchsorted(ids, oi), op), shape=(len(op) - 1, len(ids))).T.tocsr()
    n = q.shape[0]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    times = []
    for _ in range(max(1, repeats)):
        top = np.full((n, k), np.nan)
        nnz = 0
        t = time.perf_counter()
        for b0 in range(0, n, block):
            s = (q[b0:b0 + block] @ xt).tocsr()
            nnz += s.nnz
            ip, data = s.indptr, s.data
            for r in range(s.shape[0]):
                row = data[ip[r]:ip[r + 1]]
                if len(row) > k:
                    row = row[np.argpartition(-row, k - 1)[:k]]
                row = np.sort(row)[::-1]
                top[b0 + r, :len(row)] = row
        times.append(time.perf_counter() - t)
    elapsed = sorted(times)[len(times) // 2]
    top.tofile(f"{d}/scipy_top.f64")
    print(f"median_ms={1000 * elapsed!r} nnz={nnz}")


if __name__ == "__main__":
    main()
