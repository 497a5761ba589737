#include "aiguillage/matching/assignment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <limits>
#include <queue>
#include <string>
#include <tuple>

#if defined(__x86_64__) || defined(__SSE2__)
#include <immintrin.h>
#endif

#include <lemon/network_simplex.h>
#include <lemon/preflow.h>
#include <lemon/smart_graph.h>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string at(std::string_view name, std::size_t i) {
  return "/" + std::string(name) + "/" + std::to_string(i);
}

std::string at(std::string_view name, std::size_t i, std::size_t j) {
  return at(name, i) + "/" + std::to_string(j);
}

// Scratch state of the shortest-augmenting-path solver, shared by the dense and sparse forms.
// Both keep dual potentials u (rows) and v (columns) such that every allowed pair has a
// non-negative reduced cost c(i,j) - u(i) - v(j), and every assigned pair a zero one; each new
// row is then added by one Dijkstra search over reduced costs to the nearest free column.
struct DualState {
  std::vector<double> u, v;
  std::vector<std::int64_t> col_of_row, row_of_col;
  std::vector<std::int64_t> path;  // row that reached each column in the current search
  std::vector<double> dist;        // shortest reduced distance to each column
  std::vector<char> row_seen, col_done;

  DualState(std::size_t nr, std::size_t nc)
      : u(nr, 0.0),
        v(nc, 0.0),
        col_of_row(nr, -1),
        row_of_col(nc, -1),
        path(nc, -1),
        dist(nc, kInf),
        row_seen(nr, 0),
        col_done(nc, 0) {}

  // After a search from `start` that ended at free column `sink` with distance `min_dist`:
  // shift the potentials of the rows and columns the search settled, then flip the path.
  template <class Rows, class Cols>
  void finish(std::int64_t start, std::int64_t sink, double min_dist, const Rows& rows,
              const Cols& cols) {
    u[static_cast<std::size_t>(start)] += min_dist;
    for (std::int64_t i : rows) {
      if (i == start) continue;
      u[static_cast<std::size_t>(i)] +=
          min_dist - dist[static_cast<std::size_t>(col_of_row[static_cast<std::size_t>(i)])];
    }
    for (std::int64_t j : cols) v[static_cast<std::size_t>(j)] -= min_dist - dist[j];
    std::int64_t j = sink;
    for (;;) {
      const std::int64_t i = path[static_cast<std::size_t>(j)];
      row_of_col[static_cast<std::size_t>(j)] = i;
      std::swap(col_of_row[static_cast<std::size_t>(i)], j);
      if (i == start) break;
    }
  }
};

// The two smallest reduced prices u1 <= u2 of a row (+inf when absent), the first column j1 at
// u1 (-1 when the row has no allowed pair) and j2, a column other than j1 at u2: -1 when u2 is
// +inf; when u2 > u1 it may be any non-negative value, as only ties use it.
// Passes of augmenting row reduction. A pass costs one row scan per step: n_cols operations
// in the dense form, only the row's edges in the sparse form, where each heap search it saves
// costs far more. Measured with callgrind on the benchmark instances (5000 x 5000): the dense
// form is best with 2 passes (4 cost 8 % more instructions), the sparse form with 8 (43 % fewer
// instructions in the solver than with 2; 16 passes are worse again).
constexpr int kDenseArrPasses = 2;
constexpr int kSparseArrPasses = 8;

struct TwoSmallest {
  double u1 = kInf, u2 = kInf;
  std::int64_t j1 = -1, j2 = -1;
};

// Reference form over a sequence of edges: calls for_each(f), f(column, cost) per allowed pair.
template <class ForEach>
TwoSmallest two_smallest_of_edges(const std::vector<double>& v, ForEach for_each) {
  TwoSmallest t;
  for_each([&](std::int64_t j, double c) {
    const double h = c - v[static_cast<std::size_t>(j)];
    if (h < t.u2) {
      if (h >= t.u1) {
        t.u2 = h;
        t.j2 = j;
      } else {
        t.u2 = t.u1;
        t.j2 = t.j1;
        t.u1 = h;
        t.j1 = j;
      }
    }
  });
  return t;
}

// Jonker-Volgenant's augmenting row reduction, `passes` passes, for square problems after the
// column reduction: a free row takes its cheapest column j1 (reduced by v) and lowers v(j1) by the
// gap to its second cheapest, so that the row's potential u = second minimum keeps every reduced
// cost of the row non-negative and the new pair tight. The row it displaces is retried at once when
// the gap was positive. Dual feasibility holds throughout, so the Dijkstra phase stays exact.
// two_smallest(i) gives the row's two smallest c(i,j) - v(j) over allowed pairs (TwoSmallest).
// False when a row has no allowed pair.
template <class TwoSmallestOf>
bool augmenting_row_reduction(std::size_t nr, int passes, DualState& s,
                              TwoSmallestOf two_smallest) {
  std::vector<std::size_t> free_rows, next_free;
  for (std::size_t i = 0; i < nr; ++i)
    if (s.col_of_row[i] < 0) free_rows.push_back(i);
  for (int pass = 0; pass < passes && !free_rows.empty(); ++pass) {
    next_free.clear();
    std::size_t steps = 0;
    const std::size_t max_steps = 4 * nr;  // price wars of tiny gaps stop here
    std::size_t k = 0;
    while (k < free_rows.size()) {
      const std::size_t i = free_rows[k++];
      if (++steps > max_steps) {
        next_free.push_back(i);
        continue;
      }
      const TwoSmallest t = two_smallest(i);
      const double u1 = t.u1, u2 = t.u2;
      std::int64_t j1 = t.j1;
      const std::int64_t j2 = t.j2;
      if (j1 < 0) return false;  // a row without edges
      std::int64_t owner = s.row_of_col[static_cast<std::size_t>(j1)];
      const bool gap = j2 >= 0 && u1 < u2;
      if (gap) {
        s.v[static_cast<std::size_t>(j1)] -= u2 - u1;
      } else if (owner >= 0 && j2 >= 0) {
        j1 = j2;  // a tie: take the other cheapest column rather than displace anyone
        owner = s.row_of_col[static_cast<std::size_t>(j1)];
      }
      if (owner >= 0) {
        s.col_of_row[static_cast<std::size_t>(owner)] = -1;
        if (gap)
          free_rows[--k] = static_cast<std::size_t>(owner);
        else
          next_free.push_back(static_cast<std::size_t>(owner));
      }
      s.col_of_row[i] = j1;
      s.row_of_col[static_cast<std::size_t>(j1)] = static_cast<std::int64_t>(i);
      s.u[i] = gap ? u2 : u1;
    }
    std::swap(free_rows, next_free);
  }
  return true;
}

// One scan of the dense Dijkstra phase over a whole row: for every column j, the tentative
// distance d[j] drops to r = base + row[j] - w[j] when that is smaller (and then path[j] = i);
// the smallest d[j] after the update and its first index are returned. Settled columns have
// w[j] = -inf, so r = +inf never lowers their d[j] (itself +inf once settled); forbidden pairs
// (row[j] = +inf) give r = +inf as well. Scanning every column, settled or not, keeps the loop
// contiguous and free of branches, which is what lets it run several columns per instruction.
struct ScanMin {
  double low;
  std::size_t best;
};

inline ScanMin scan_row_portable(const double* __restrict row, const double* __restrict w,
                                 double* __restrict d, std::int64_t* __restrict path, std::size_t n,
                                 double base, std::int64_t i) {
  double low = kInf;
  std::size_t best = n;
  std::size_t j = 0;
#if defined(__SSE2__)
  if (n >= 2) {
    const __m128d vbase = _mm_set1_pd(base);
    const __m128d vi = _mm_castsi128_pd(_mm_set1_epi64x(i));
    __m128d vlow = _mm_set1_pd(kInf);
    __m128d vidx = _mm_set1_pd(static_cast<double>(n));
    __m128d vj = _mm_set_pd(1.0, 0.0);
    const __m128d step = _mm_set1_pd(2.0);
    for (; j + 2 <= n; j += 2) {
      const __m128d r = _mm_sub_pd(_mm_add_pd(vbase, _mm_loadu_pd(row + j)), _mm_loadu_pd(w + j));
      const __m128d old = _mm_loadu_pd(d + j);
      const __m128d lower = _mm_cmplt_pd(r, old);
      const __m128d nd = _mm_min_pd(r, old);
      _mm_storeu_pd(d + j, nd);
      const __m128d p = _mm_loadu_pd(reinterpret_cast<const double*>(path + j));
      _mm_storeu_pd(reinterpret_cast<double*>(path + j),
                    _mm_or_pd(_mm_and_pd(lower, vi), _mm_andnot_pd(lower, p)));
      const __m128d better = _mm_cmplt_pd(nd, vlow);
      vlow = _mm_min_pd(nd, vlow);
      vidx = _mm_or_pd(_mm_and_pd(better, vj), _mm_andnot_pd(better, vidx));
      vj = _mm_add_pd(vj, step);
    }
    alignas(16) double lows[2], idx[2];
    _mm_store_pd(lows, vlow);
    _mm_store_pd(idx, vidx);
    for (int k = 0; k < 2; ++k) {
      const auto at = static_cast<std::size_t>(idx[k]);
      if (lows[k] < low || (lows[k] == low && at < best)) {
        low = lows[k];
        best = at;
      }
    }
  }
#endif
  for (; j < n; ++j) {
    const double r = base + row[j] - w[j];
    if (r < d[j]) {
      d[j] = r;
      path[j] = i;
    }
    if (d[j] < low) {
      low = d[j];
      best = j;
    }
  }
  return {low, best};
}

#if defined(__x86_64__) && defined(__GNUC__)
#define AIG_ASSIGNMENT_AVX2 1
// The same scan four columns at a time, compiled for AVX2 and chosen at run time.
__attribute__((target("avx2"))) ScanMin scan_row_avx2(const double* __restrict row,
                                                      const double* __restrict w,
                                                      double* __restrict d,
                                                      std::int64_t* __restrict path, std::size_t n,
                                                      double base, std::int64_t i) {
  double low = kInf;
  std::size_t best = n;
  std::size_t j = 0;
  if (n >= 4) {
    const __m256d vbase = _mm256_set1_pd(base);
    const __m256d vi = _mm256_castsi256_pd(_mm256_set1_epi64x(i));
    __m256d vlow = _mm256_set1_pd(kInf);
    __m256d vidx = _mm256_set1_pd(static_cast<double>(n));
    __m256d vj = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);
    const __m256d step = _mm256_set1_pd(4.0);
    for (; j + 4 <= n; j += 4) {
      const __m256d r =
          _mm256_sub_pd(_mm256_add_pd(vbase, _mm256_loadu_pd(row + j)), _mm256_loadu_pd(w + j));
      const __m256d old = _mm256_loadu_pd(d + j);
      const __m256d lower = _mm256_cmp_pd(r, old, _CMP_LT_OQ);
      const __m256d nd = _mm256_min_pd(r, old);
      _mm256_storeu_pd(d + j, nd);
      const __m256d p = _mm256_loadu_pd(reinterpret_cast<const double*>(path + j));
      _mm256_storeu_pd(reinterpret_cast<double*>(path + j), _mm256_blendv_pd(p, vi, lower));
      const __m256d better = _mm256_cmp_pd(nd, vlow, _CMP_LT_OQ);
      vlow = _mm256_min_pd(nd, vlow);
      vidx = _mm256_blendv_pd(vidx, vj, better);
      vj = _mm256_add_pd(vj, step);
    }
    alignas(32) double lows[4], idx[4];
    _mm256_store_pd(lows, vlow);
    _mm256_store_pd(idx, vidx);
    for (int k = 0; k < 4; ++k) {
      const auto at = static_cast<std::size_t>(idx[k]);
      if (lows[k] < low || (lows[k] == low && at < best)) {
        low = lows[k];
        best = at;
      }
    }
  }
  for (; j < n; ++j) {
    const double r = base + row[j] - w[j];
    if (r < d[j]) {
      d[j] = r;
      path[j] = i;
    }
    if (d[j] < low) {
      low = d[j];
      best = j;
    }
  }
  return {low, best};
}
#endif

using ScanKernel = ScanMin (*)(const double*, const double*, double*, std::int64_t*, std::size_t,
                               double, std::int64_t);

// AVX2 when the processor has it, unless AIG_ASSIGNMENT_PORTABLE is set (the tests use it to
// run the portable kernels on the same instances). Both kinds give the same results: the same
// arithmetic on each column, the first index of a minimum.
bool use_avx2() {
  const char* portable = std::getenv("AIG_ASSIGNMENT_PORTABLE");
  if (portable != nullptr && *portable != '\0' && *portable != '0') return false;
#ifdef AIG_ASSIGNMENT_AVX2
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

ScanKernel pick_scan_kernel() {
#ifdef AIG_ASSIGNMENT_AVX2
  if (use_avx2()) return scan_row_avx2;
#endif
  return scan_row_portable;
}

// The two smallest h = row[j] - v[j] of a dense row with W lanes (GCC vector extensions): each
// lane keeps its smallest m1 (first index i1) and second smallest m2, merged at the end; a tie
// at the minimum needs j2, found by one more pass.
typedef double Vd2 __attribute__((vector_size(16)));
typedef std::int64_t Vi2 __attribute__((vector_size(16)));
typedef double Vd4 __attribute__((vector_size(32)));
typedef std::int64_t Vi4 __attribute__((vector_size(32)));

template <class Vd, class Vi, int W>
[[gnu::always_inline]] inline TwoSmallest two_smallest_lanes(const double* __restrict row,
                                                             const double* __restrict v,
                                                             std::size_t n) {
  TwoSmallest t;
  std::size_t j = 0;
  if (n >= static_cast<std::size_t>(W)) {
    Vd m1, m2;
    Vi i1, vj;
    for (int k = 0; k < W; ++k) {
      m1[k] = kInf;
      m2[k] = kInf;
      i1[k] = -1;
      vj[k] = k;
    }
    for (; j + W <= n; j += W) {
      Vd c, p;
      std::memcpy(&c, row + j, sizeof c);
      std::memcpy(&p, v + j, sizeof p);
      const Vd h = c - p;
      const Vi lower = h < m1;
      m2 = h < m2 ? (lower ? m1 : h) : m2;  // min(m2, max(m1, h))
      m1 = lower ? h : m1;
      i1 = lower ? vj : i1;
      vj += W;
    }
    for (int k = 0; k < W; ++k) {
      if (m1[k] < t.u1 || (m1[k] == t.u1 && m1[k] < kInf && i1[k] < t.j1)) {
        t.u2 = std::min(t.u1, m2[k]);
        t.u1 = m1[k];
        t.j1 = i1[k];
      } else {
        t.u2 = std::min(t.u2, m1[k]);
      }
    }
  }
  for (; j < n; ++j) {
    const double h = row[j] - v[j];
    if (h < t.u2) {
      if (h >= t.u1) {
        t.u2 = h;
      } else {
        t.u2 = t.u1;
        t.u1 = h;
        t.j1 = static_cast<std::int64_t>(j);
      }
    }
  }
  if (t.u2 < kInf) {
    t.j2 = 0;
    if (t.u2 == t.u1)
      for (std::size_t k = 0; k < n; ++k)
        if (static_cast<std::int64_t>(k) != t.j1 && row[k] - v[k] == t.u2) {
          t.j2 = static_cast<std::int64_t>(k);
          break;
        }
  }
  return t;
}

TwoSmallest two_smallest_portable(const double* row, const double* v, std::size_t n) {
  return two_smallest_lanes<Vd2, Vi2, 2>(row, v, n);
}

#ifdef AIG_ASSIGNMENT_AVX2
__attribute__((target("avx2"))) TwoSmallest two_smallest_avx2(const double* row, const double* v,
                                                              std::size_t n) {
  return two_smallest_lanes<Vd4, Vi4, 4>(row, v, n);
}
#else
TwoSmallest two_smallest_avx2(const double* row, const double* v, std::size_t n) {
  return two_smallest_lanes<Vd2, Vi2, 2>(row, v, n);
}
#endif

// nr <= nc, row-major costs to minimise, +inf forbidden. False when some row cannot be added.
bool dense_shortest_paths(const double* cost, std::size_t nr, std::size_t nc, DualState& s) {
  if (nr == nc) {
    // Square problems start from Jonker and Volgenant's column reduction: v(j) = the column's
    // minimum keeps every reduced cost non-negative with u = 0, and each column whose minimum
    // lies on a still free row is assigned at once. This is sound only when every column ends
    // up assigned (no sign condition on v); rectangular problems keep v = 0 on free columns.
    std::vector<std::size_t> arg(nc, 0);
    std::fill(s.v.begin(), s.v.end(), kInf);
    for (std::size_t i = 0; i < nr; ++i) {
      const double* row = cost + i * nc;
      double* __restrict v = s.v.data();
      std::size_t* __restrict a = arg.data();
      for (std::size_t j = 0; j < nc; ++j) {
        const bool lower = row[j] < v[j];  // written without a branch so that it vectorises
        v[j] = lower ? row[j] : v[j];
        a[j] = lower ? i : a[j];
      }
    }
    for (std::size_t j = 0; j < nc; ++j) {
      if (s.v[j] == kInf) return false;  // a column with no allowed pair
      const std::size_t i = arg[j];
      if (s.col_of_row[i] < 0) {
        s.col_of_row[i] = static_cast<std::int64_t>(j);
        s.row_of_col[j] = static_cast<std::int64_t>(i);
      }
    }
    const bool avx2 = use_avx2();
    if (!augmenting_row_reduction(nr, kDenseArrPasses, s, [&](std::size_t i) {
          return avx2 ? two_smallest_avx2(cost + i * nc, s.v.data(), nc)
                      : two_smallest_portable(cost + i * nc, s.v.data(), nc);
        }))
      return false;
  }
  // w is v on unsettled columns and -inf on the settled ones (see scan_row_portable); d holds
  // tentative distances of unsettled columns, +inf elsewhere; s.dist keeps the settled ones.
  std::vector<double> w(s.v), d(nc, kInf);
  std::vector<std::int64_t> rows, cols;
  rows.reserve(nr);
  cols.reserve(nc);
  const auto scan = pick_scan_kernel();
  for (std::size_t start = 0; start < nr; ++start) {
    if (s.col_of_row[start] >= 0) continue;  // assigned by the reductions
    rows.clear();
    cols.clear();
    double min_dist = 0.0;
    std::size_t i = start;
    std::int64_t sink = -1;
    while (sink < 0) {
      rows.push_back(static_cast<std::int64_t>(i));
      const ScanMin m = scan(cost + i * nc, w.data(), d.data(), s.path.data(), nc,
                             min_dist - s.u[i], static_cast<std::int64_t>(i));
      if (m.low == kInf) return false;  // no free column reachable from this row
      min_dist = m.low;
      const std::size_t j = m.best;
      s.dist[j] = m.low;
      d[j] = kInf;
      w[j] = -kInf;
      cols.push_back(static_cast<std::int64_t>(j));
      if (s.row_of_col[j] < 0)
        sink = static_cast<std::int64_t>(j);
      else
        i = static_cast<std::size_t>(s.row_of_col[j]);
    }
    s.finish(static_cast<std::int64_t>(start), sink, min_dist, rows, cols);
    for (std::int64_t j : cols) w[static_cast<std::size_t>(j)] = s.v[static_cast<std::size_t>(j)];
    std::fill(d.begin(), d.end(), kInf);
  }
  return true;
}

// A CSR graph owned by the solver (possibly the transpose or negation of the caller's).
struct Csr {
  std::size_t n_rows = 0, n_cols = 0;
  std::vector<std::int64_t> indptr;
  std::vector<std::int32_t> indices;
  std::vector<double> values;
};

// nr <= nc. Dijkstra with a binary heap touches only the edges of the rows it settles, so the
// work per added row follows the explored part of the graph, not n_cols.
bool sparse_shortest_paths(const std::int64_t* indptr, const std::int32_t* indices,
                           const double* values, std::size_t nr, std::size_t nc, DualState& s) {
  if (nr == nc) {
    // Column reduction as in the dense case (square problems only): v(j) = the column's
    // cheapest edge, assigned at once when its row is still free.
    std::vector<std::int64_t> arg(nc, -1);
    std::fill(s.v.begin(), s.v.end(), kInf);
    for (std::size_t i = 0; i < nr; ++i)
      for (std::int64_t e = indptr[i]; e < indptr[i + 1]; ++e) {
        const auto j = static_cast<std::size_t>(indices[e]);
        if (values[e] < s.v[j]) {
          s.v[j] = values[e];
          arg[j] = static_cast<std::int64_t>(i);
        }
      }
    for (std::size_t j = 0; j < nc; ++j) {
      if (arg[j] < 0) return false;  // a column without edges
      const auto i = static_cast<std::size_t>(arg[j]);
      if (s.col_of_row[i] < 0) {
        s.col_of_row[i] = static_cast<std::int64_t>(j);
        s.row_of_col[j] = static_cast<std::int64_t>(i);
      }
    }
    if (!augmenting_row_reduction(nr, kSparseArrPasses, s, [&](std::size_t i) {
          return two_smallest_of_edges(s.v, [&](auto&& f) {
            for (std::int64_t e = indptr[i]; e < indptr[i + 1]; ++e) f(indices[e], values[e]);
          });
        }))
      return false;
  }
  // (distance, column already assigned, column): ties go to free columns, then low indices.
  using Item = std::tuple<double, bool, std::int32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  std::vector<std::int64_t> rows, cols, touched;
  for (std::size_t start = 0; start < nr; ++start) {
    if (s.col_of_row[start] >= 0) continue;  // assigned by the reductions
    rows.clear();
    cols.clear();
    touched.clear();
    heap = {};
    double min_dist = 0.0;
    std::size_t i = start;
    std::int64_t sink = -1;
    while (sink < 0) {
      rows.push_back(static_cast<std::int64_t>(i));
      const double ui = s.u[i];
      for (std::int64_t e = indptr[i]; e < indptr[i + 1]; ++e) {
        const auto j = static_cast<std::size_t>(indices[e]);
        if (s.col_done[j]) continue;
        const double r = min_dist + values[e] - ui - s.v[j];
        if (r < s.dist[j]) {
          if (s.dist[j] == kInf) touched.push_back(static_cast<std::int64_t>(j));
          s.dist[j] = r;
          s.path[j] = static_cast<std::int64_t>(i);
          heap.emplace(r, s.row_of_col[j] >= 0, static_cast<std::int32_t>(j));
        }
      }
      std::int32_t next = -1;
      while (!heap.empty()) {
        auto [d, busy, j] = heap.top();
        heap.pop();
        if (s.col_done[static_cast<std::size_t>(j)] || d > s.dist[static_cast<std::size_t>(j)])
          continue;  // stale entry
        next = j;
        min_dist = d;
        break;
      }
      if (next < 0) {
        for (std::int64_t j : touched) s.dist[static_cast<std::size_t>(j)] = kInf;
        for (std::int64_t j : cols) s.col_done[static_cast<std::size_t>(j)] = 0;
        return false;
      }
      const auto j = static_cast<std::size_t>(next);
      s.col_done[j] = 1;
      cols.push_back(next);
      if (s.row_of_col[j] < 0)
        sink = next;
      else
        i = static_cast<std::size_t>(s.row_of_col[j]);
    }
    s.finish(static_cast<std::int64_t>(start), sink, min_dist, rows, cols);
    for (std::int64_t j : touched) s.dist[static_cast<std::size_t>(j)] = kInf;
    for (std::int64_t j : cols) s.col_done[static_cast<std::size_t>(j)] = 0;
  }
  return true;
}

[[noreturn]] void throw_infeasible() {
  throw Error(ErrorCode::infeasible,
              "no assignment covers the smaller side with allowed pairs only");
}

}  // namespace

std::size_t Assignment::size() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(col_of_row.begin(), col_of_row.end(), [](std::int64_t c) { return c >= 0; }));
}

Assignment solve_dense_assignment(std::span<const double> costs, std::size_t n_rows,
                                  std::size_t n_cols, Objective objective) {
  if (n_cols != 0 && n_rows > std::numeric_limits<std::size_t>::max() / n_cols)
    throw Error(ErrorCode::dimension_mismatch, "n_rows * n_cols overflows", "/costs");
  if (costs.size() != n_rows * n_cols)
    throw Error(ErrorCode::dimension_mismatch,
                "cost matrix has " + std::to_string(costs.size()) + " entries, expected " +
                    std::to_string(n_rows) + " x " + std::to_string(n_cols),
                "/costs");
  const bool maximize = objective == Objective::maximize;
  const double forbidden = maximize ? -kInf : kInf;
  for (std::size_t k = 0; k < costs.size(); ++k) {
    const double c = costs[k];
    if (std::isnan(c) || (std::isinf(c) && c != forbidden))
      throw Error(ErrorCode::invalid_argument,
                  std::isnan(c) ? "cost is NaN"
                                : (maximize ? "+infinity is not allowed when maximising (-infinity "
                                              "marks a forbidden pair)"
                                            : "-infinity is not allowed when minimising (+infinity "
                                              "marks a forbidden pair)"),
                  at("costs", k / n_cols, k % n_cols));
  }
  Assignment out;
  out.col_of_row.assign(n_rows, -1);
  out.row_of_col.assign(n_cols, -1);
  if (n_rows == 0 || n_cols == 0) return out;

  // The solver wants rows <= cols and a cost to minimise; copy only when the caller's matrix
  // is not already in that shape.
  const bool transpose = n_rows > n_cols;
  const std::size_t nr = transpose ? n_cols : n_rows;
  const std::size_t nc = transpose ? n_rows : n_cols;
  std::vector<double> work;
  const double* cost = costs.data();
  if (transpose || maximize) {
    work.resize(costs.size());
    const double sign = maximize ? -1.0 : 1.0;
    if (transpose) {
      for (std::size_t r = 0; r < n_rows; ++r)
        for (std::size_t c = 0; c < n_cols; ++c)
          work[c * n_rows + r] = sign * costs[r * n_cols + c];
    } else {
      for (std::size_t k = 0; k < costs.size(); ++k) work[k] = sign * costs[k];
    }
    cost = work.data();
  }
  DualState s(nr, nc);
  if (!dense_shortest_paths(cost, nr, nc, s)) throw_infeasible();
  for (std::size_t i = 0; i < nr; ++i) {
    const auto j = static_cast<std::size_t>(s.col_of_row[i]);
    const std::size_t r = transpose ? j : i, c = transpose ? i : j;
    out.col_of_row[r] = static_cast<std::int64_t>(c);
    out.row_of_col[c] = static_cast<std::int64_t>(r);
    out.total_cost += costs[r * n_cols + c];
  }
  return out;
}

Assignment solve_sparse_assignment(const CsrView& m, Objective objective) {
  if (m.indptr.size() != m.n_rows + 1)
    throw Error(ErrorCode::dimension_mismatch,
                "indptr has " + std::to_string(m.indptr.size()) +
                    " entries, expected n_rows + 1 = " + std::to_string(m.n_rows + 1),
                "/indptr");
  if (m.indices.size() != m.values.size())
    throw Error(ErrorCode::dimension_mismatch,
                "indices and values differ in length (" + std::to_string(m.indices.size()) +
                    " vs " + std::to_string(m.values.size()) + ")",
                "/values");
  if (m.indptr[0] != 0)
    throw Error(ErrorCode::invalid_argument, "indptr[0] must be 0", "/indptr/0");
  if (static_cast<std::size_t>(m.indptr[m.n_rows]) != m.indices.size())
    throw Error(ErrorCode::dimension_mismatch, "indptr[n_rows] differs from the number of edges",
                at("indptr", m.n_rows));
  if (m.n_cols > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw Error(ErrorCode::invalid_argument, "too many columns for 32-bit indices", "/n_cols");
  // The offsets are checked whole before any edge is read: a later decrease would otherwise
  // let an earlier row run past the edges.
  for (std::size_t r = 0; r < m.n_rows; ++r)
    if (m.indptr[r + 1] < m.indptr[r])
      throw Error(ErrorCode::invalid_argument, "indptr decreases", at("indptr", r + 1));
  std::vector<std::int64_t> last_row(m.n_cols, -1);  // catches duplicate edges in a row
  for (std::size_t r = 0; r < m.n_rows; ++r) {
    for (std::int64_t e = m.indptr[r]; e < m.indptr[r + 1]; ++e) {
      const auto k = static_cast<std::size_t>(e);
      const std::int32_t c = m.indices[k];
      if (c < 0 || static_cast<std::size_t>(c) >= m.n_cols)
        throw Error(ErrorCode::invalid_argument,
                    "column index " + std::to_string(c) + " out of range [0, " +
                        std::to_string(m.n_cols) + ")",
                    at("indices", k));
      if (!std::isfinite(m.values[k]))
        throw Error(ErrorCode::invalid_argument, "edge costs must be finite", at("values", k));
      if (last_row[static_cast<std::size_t>(c)] == static_cast<std::int64_t>(r))
        throw Error(ErrorCode::invalid_argument,
                    "duplicate edge (" + std::to_string(r) + ", " + std::to_string(c) + ")",
                    at("indices", k));
      last_row[static_cast<std::size_t>(c)] = static_cast<std::int64_t>(r);
    }
  }
  last_row = {};
  Assignment out;
  out.col_of_row.assign(m.n_rows, -1);
  out.row_of_col.assign(m.n_cols, -1);
  if (m.n_rows == 0 || m.n_cols == 0) return out;

  const bool transpose = m.n_rows > m.n_cols;
  const bool maximize = objective == Objective::maximize;
  const std::size_t nr = transpose ? m.n_cols : m.n_rows;
  const std::size_t nc = transpose ? m.n_rows : m.n_cols;
  const std::int64_t* indptr = m.indptr.data();
  const std::int32_t* indices = m.indices.data();
  const double* values = m.values.data();
  Csr work;
  if (transpose) {
    // Counting sort of the edges by column gives the transpose in CSR.
    work.indptr.assign(nr + 1, 0);
    for (std::int32_t c : m.indices) ++work.indptr[static_cast<std::size_t>(c) + 1];
    for (std::size_t c = 0; c < nr; ++c) work.indptr[c + 1] += work.indptr[c];
    work.indices.resize(m.indices.size());
    work.values.resize(m.values.size());
    std::vector<std::int64_t> fill(work.indptr.begin(), work.indptr.end() - 1);
    for (std::size_t r = 0; r < m.n_rows; ++r)
      for (std::int64_t e = m.indptr[r]; e < m.indptr[r + 1]; ++e) {
        const auto k = static_cast<std::size_t>(e);
        const auto pos = static_cast<std::size_t>(fill[static_cast<std::size_t>(m.indices[k])]++);
        work.indices[pos] = static_cast<std::int32_t>(r);
        work.values[pos] = maximize ? -m.values[k] : m.values[k];
      }
    indptr = work.indptr.data();
    indices = work.indices.data();
    values = work.values.data();
  } else if (maximize) {
    work.values.resize(m.values.size());
    for (std::size_t k = 0; k < m.values.size(); ++k) work.values[k] = -m.values[k];
    values = work.values.data();
  }
  DualState s(nr, nc);
  if (!sparse_shortest_paths(indptr, indices, values, nr, nc, s)) throw_infeasible();
  for (std::size_t i = 0; i < nr; ++i) {
    const auto j = static_cast<std::size_t>(s.col_of_row[i]);
    const std::size_t r = transpose ? j : i, c = transpose ? i : j;
    out.col_of_row[r] = static_cast<std::int64_t>(c);
    out.row_of_col[c] = static_cast<std::int64_t>(r);
  }
  // Costs from the caller's arrays, so that the total carries no sign or transposition error.
  for (std::size_t r = 0; r < m.n_rows; ++r) {
    const std::int64_t c = out.col_of_row[r];
    if (c < 0) continue;
    for (std::int64_t e = m.indptr[r]; e < m.indptr[r + 1]; ++e)
      if (m.indices[static_cast<std::size_t>(e)] == c) {
        out.total_cost += m.values[static_cast<std::size_t>(e)];
        break;
      }
  }
  return out;
}

CapacitatedAssignment solve_capacitated_assignment(std::size_t n_persons,
                                                   std::span<const std::uint32_t> positions,
                                                   std::uint32_t max_per_person,
                                                   std::span<const CandidateEdge> edges,
                                                   Objective objective) {
  const std::size_t n_offers = positions.size();
  std::vector<std::size_t> order(edges.size());
  for (std::size_t k = 0; k < edges.size(); ++k) {
    const CandidateEdge& e = edges[k];
    if (e.person >= n_persons)
      throw Error(ErrorCode::invalid_argument,
                  "person " + std::to_string(e.person) + " out of range [0, " +
                      std::to_string(n_persons) + ")",
                  at("edges", k) + "/person");
    if (e.offer >= n_offers)
      throw Error(ErrorCode::invalid_argument,
                  "offer " + std::to_string(e.offer) + " out of range [0, " +
                      std::to_string(n_offers) + ")",
                  at("edges", k) + "/offer");
    if (!std::isfinite(e.cost))
      throw Error(ErrorCode::invalid_argument, "edge costs must be finite",
                  at("edges", k) + "/cost");
    order[k] = k;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(edges[a].person, edges[a].offer, a) <
           std::tie(edges[b].person, edges[b].offer, b);
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const CandidateEdge &a = edges[order[k - 1]], &b = edges[order[k]];
    if (a.person == b.person && a.offer == b.offer)
      throw Error(ErrorCode::invalid_argument,
                  "duplicate edge (person " + std::to_string(a.person) + ", offer " +
                      std::to_string(a.offer) + ")",
                  at("edges", order[k]));
  }
  CapacitatedAssignment out;
  if (edges.empty() || max_per_person == 0) return out;

  // source -> person (capacity max_per_person) -> offer (1 per edge) -> sink (positions).
  using Graph = lemon::SmartDigraph;
  Graph g;
  g.reserveNode(static_cast<int>(n_persons + n_offers + 2));
  g.reserveArc(static_cast<int>(n_persons + n_offers + edges.size()));
  const Graph::Node source = g.addNode(), sink = g.addNode();
  std::vector<Graph::Node> person_node(n_persons), offer_node(n_offers);
  for (auto& n : person_node) n = g.addNode();
  for (auto& n : offer_node) n = g.addNode();
  Graph::ArcMap<std::int64_t> capacity(g);
  Graph::ArcMap<double> cost(g, 0.0);
  for (std::size_t p = 0; p < n_persons; ++p)
    capacity[g.addArc(source, person_node[p])] = max_per_person;
  for (std::size_t o = 0; o < n_offers; ++o) capacity[g.addArc(offer_node[o], sink)] = positions[o];
  std::vector<Graph::Arc> edge_arc(edges.size());
  const double sign = objective == Objective::maximize ? -1.0 : 1.0;
  // Every unit of flow crosses exactly one person -> offer arc and the flow value is fixed, so
  // subtracting the smallest effective cost from all of them leaves the optimum unchanged. It
  // must be done: LEMON's network simplex sizes its artificial arcs from the largest positive
  // cost, and with only negative costs they look cheaper than any real path.
  double lowest = kInf;
  for (const CandidateEdge& e : edges) lowest = std::min(lowest, sign * e.cost);
  for (std::size_t k = 0; k < edges.size(); ++k) {
    edge_arc[k] = g.addArc(person_node[edges[k].person], offer_node[edges[k].offer]);
    capacity[edge_arc[k]] = 1;
    cost[edge_arc[k]] = sign * edges[k].cost - lowest;
  }
  // First the largest number of pairs (maximum flow), then the cheapest flow of that value.
  lemon::Preflow<Graph, Graph::ArcMap<std::int64_t>> max_flow(g, capacity, source, sink);
  max_flow.runMinCut();
  const std::int64_t value = max_flow.flowValue();
  if (value == 0) return out;
  lemon::NetworkSimplex<Graph, std::int64_t, double> simplex(g);
  simplex.upperMap(capacity).costMap(cost).stSupply(source, sink, value);
  if (simplex.run() != lemon::NetworkSimplex<Graph, std::int64_t, double>::OPTIMAL)
    throw Error(ErrorCode::internal, "min-cost flow found no optimum for a feasible flow value");
  for (std::size_t k : order)
    if (simplex.flow(edge_arc[k]) > 0) {
      out.pairs.push_back(edges[k]);
      out.total_cost += edges[k].cost;
    }
  return out;
}

namespace {

// Ranks of one side's preference list, searchable by id: (id, rank) sorted by id.
using RankList = std::vector<std::pair<std::uint32_t, std::uint32_t>>;

std::vector<RankList> rank_lists(const std::vector<std::vector<std::uint32_t>>& prefs,
                                 std::size_t n_other, std::string_view name) {
  std::vector<RankList> out(prefs.size());
  for (std::size_t a = 0; a < prefs.size(); ++a) {
    RankList& r = out[a];
    r.reserve(prefs[a].size());
    for (std::size_t k = 0; k < prefs[a].size(); ++k) {
      if (prefs[a][k] >= n_other)
        throw Error(ErrorCode::invalid_argument,
                    "id " + std::to_string(prefs[a][k]) + " out of range [0, " +
                        std::to_string(n_other) + ")",
                    at(name, a, k));
      r.emplace_back(prefs[a][k], static_cast<std::uint32_t>(k));
    }
    std::sort(r.begin(), r.end());
    for (std::size_t k = 1; k < r.size(); ++k)
      if (r[k].first == r[k - 1].first)
        throw Error(ErrorCode::invalid_argument,
                    "id " + std::to_string(r[k].first) + " listed twice",
                    at(name, a, std::max(r[k].second, r[k - 1].second)));
  }
  return out;
}

// Rank of `id` in a list, or none when the list does not name it (unacceptable).
constexpr std::uint32_t kUnranked = std::numeric_limits<std::uint32_t>::max();
std::uint32_t rank_of(const RankList& r, std::uint32_t id) {
  auto it = std::lower_bound(r.begin(), r.end(), std::make_pair(id, std::uint32_t{0}));
  return it != r.end() && it->first == id ? it->second : kUnranked;
}

}  // namespace

StableMatching deferred_acceptance(const std::vector<std::vector<std::uint32_t>>& person_prefs,
                                   const std::vector<std::vector<std::uint32_t>>& offer_prefs,
                                   std::span<const std::uint32_t> capacity, Proposing proposing) {
  const std::size_t n_persons = person_prefs.size(), n_offers = offer_prefs.size();
  if (capacity.size() != n_offers)
    throw Error(ErrorCode::dimension_mismatch,
                "capacity has " + std::to_string(capacity.size()) + " entries for " +
                    std::to_string(n_offers) + " offers",
                "/capacity");
  const std::vector<RankList> person_rank = rank_lists(person_prefs, n_offers, "person_prefs");
  const std::vector<RankList> offer_rank = rank_lists(offer_prefs, n_persons, "offer_prefs");

  StableMatching out;
  out.offer_of_person.assign(n_persons, -1);
  out.persons_of_offer.assign(n_offers, {});
  if (proposing == Proposing::persons) {
    // Each offer holds its best proposals so far in a heap whose top is the worst held.
    using Held = std::pair<std::uint32_t, std::uint32_t>;  // (rank at the offer, person)
    std::vector<std::priority_queue<Held>> held(n_offers);
    std::vector<std::size_t> next(n_persons, 0);
    std::deque<std::uint32_t> free;
    for (std::size_t p = 0; p < n_persons; ++p) free.push_back(static_cast<std::uint32_t>(p));
    while (!free.empty()) {
      std::uint32_t p = free.front();
      free.pop_front();
      while (next[p] < person_prefs[p].size()) {
        const std::uint32_t o = person_prefs[p][next[p]++];
        const std::uint32_t r = rank_of(offer_rank[o], p);
        if (r == kUnranked || capacity[o] == 0) continue;
        if (held[o].size() < capacity[o]) {
          held[o].emplace(r, p);
          out.offer_of_person[p] = o;
          p = kUnranked;
          break;
        }
        if (r < held[o].top().first) {
          const std::uint32_t bumped = held[o].top().second;
          held[o].pop();
          held[o].emplace(r, p);
          out.offer_of_person[p] = o;
          out.offer_of_person[bumped] = -1;
          p = bumped;  // the rejected person proposes further down the list
        }
      }
    }
  } else {
    // Each person holds the best offer so far; an offer with free places proposes down its list.
    std::vector<std::size_t> next(n_offers, 0);
    std::vector<std::uint32_t> free_places(capacity.begin(), capacity.end());
    std::deque<std::uint32_t> active;
    for (std::size_t o = 0; o < n_offers; ++o) active.push_back(static_cast<std::uint32_t>(o));
    while (!active.empty()) {
      const std::uint32_t o = active.front();
      active.pop_front();
      while (free_places[o] > 0 && next[o] < offer_prefs[o].size()) {
        const std::uint32_t p = offer_prefs[o][next[o]++];
        const std::uint32_t r = rank_of(person_rank[p], o);
        if (r == kUnranked) continue;
        const std::int64_t current = out.offer_of_person[p];
        if (current >= 0 && rank_of(person_rank[p], static_cast<std::uint32_t>(current)) < r)
          continue;
        if (current >= 0) {
          const auto c = static_cast<std::uint32_t>(current);
          ++free_places[c];
          active.push_back(c);
        }
        out.offer_of_person[p] = o;
        --free_places[o];
      }
    }
  }
  for (std::size_t p = 0; p < n_persons; ++p)
    if (out.offer_of_person[p] >= 0)
      out.persons_of_offer[static_cast<std::size_t>(out.offer_of_person[p])].push_back(
          static_cast<std::uint32_t>(p));
  return out;
}

}  // namespace v1
}  // namespace aiguillage
