"""Reference optima for the assignment tests, from scipy.

Usage: assignment_reference.py DIR
Reads every DIR/dense_*.txt and DIR/sparse_*.txt instance written by assignment_test.cpp and
writes DIR/results.txt with one line per instance: "<name> <total cost>" or "<name> infeasible".

dense:  first line "n_rows n_cols maximize", then n_rows lines of n_cols costs ("inf" allowed).
sparse: first line "n_rows n_cols maximize n_edges", then n_edges lines "row col cost".
"""
import os
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching


def dense(path):
    with open(path) as f:
        nr, nc, maximize = (int(x) for x in f.readline().split())
        costs = np.array([[float(x) for x in f.readline().split()] for _ in range(nr)],
                         dtype=float).reshape(nr, nc)
    try:
        rows, cols = linear_sum_assignment(costs, maximize=bool(maximize))
    except ValueError:
        return None
    return float(costs[rows, cols].sum())


def sparse(path):
    with open(path) as f:
        nr, nc, maximize, n = (int(x) for x in f.readline().split())
        r = np.empty(n, dtype=np.int64)
        c = np.empty(n, dtype=np.int64)
        v = np.empty(n, dtype=float)
        for k in range(n):
            a, b, w = f.readline().split()
            r[k], c[k], v[k] = int(a), int(b), float(w)
    m = csr_matrix((v, (r, c)), shape=(nr, nc))
    try:
        rows, cols = min_weight_full_bipartite_matching(m, maximize=bool(maximize))
    except ValueError:
        return None
    return float(np.asarray(m[rows, cols]).sum())


def main():
    d = sys.argv[1]
    lines = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".txt") or name == "results.txt":
            continue
        path = os.path.join(d, name)
        if name.startswith("dense_"):
            cost = dense(path)
        elif name.startswith("sparse_"):
            cost = sparse(path)
        else:
            continue
        key = name[:-4]
        lines.append(f"{key} infeasible" if cost is None else f"{key} {cost!r}")
    with open(os.path.join(d, "results.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
