#include "aiguillage/matching/assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <string>

#include <unistd.h>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

ErrorCode code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::ok;
}

// Checks that `a` is a valid assignment of the dense problem and that its total is right.
void expect_valid(const Assignment& a, const std::vector<double>& costs, std::size_t nr,
                  std::size_t nc) {
  ASSERT_EQ(a.col_of_row.size(), nr);
  ASSERT_EQ(a.row_of_col.size(), nc);
  EXPECT_EQ(a.size(), std::min(nr, nc));
  double total = 0;
  for (std::size_t r = 0; r < nr; ++r) {
    const std::int64_t c = a.col_of_row[r];
    if (c < 0) continue;
    ASSERT_LT(static_cast<std::size_t>(c), nc);
    EXPECT_EQ(a.row_of_col[static_cast<std::size_t>(c)], static_cast<std::int64_t>(r));
    const double v = costs[r * nc + static_cast<std::size_t>(c)];
    EXPECT_TRUE(std::isfinite(v)) << "forbidden pair used at row " << r;
    total += v;
  }
  EXPECT_NEAR(a.total_cost, total, 1e-9 * (1 + std::abs(total)));
}

// Optimum by enumeration of all injective maps from the smaller side; nullopt if infeasible.
std::optional<double> brute_force(const std::vector<double>& costs, std::size_t nr, std::size_t nc,
                                  bool maximize) {
  const bool t = nr > nc;
  const std::size_t a = t ? nc : nr, b = t ? nr : nc;
  auto cost = [&](std::size_t i, std::size_t j) {
    return t ? costs[j * nc + i] : costs[i * nc + j];
  };
  std::vector<std::size_t> perm(b);
  std::iota(perm.begin(), perm.end(), 0);
  std::optional<double> best;
  do {
    double s = 0;
    bool ok = true;
    for (std::size_t i = 0; i < a && ok; ++i) {
      const double c = cost(i, perm[i]);
      ok = std::isfinite(c);
      s += c;
    }
    if (ok && (!best || (maximize ? s > *best : s < *best))) best = s;
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

// Random dense instance: integer costs (many ties) or reals, some forbidden pairs.
std::vector<double> random_dense(std::mt19937_64& rng, std::size_t nr, std::size_t nc,
                                 bool integers, double forbidden_rate, bool maximize) {
  std::uniform_real_distribution<double> u(-50.0, 100.0);
  std::uniform_int_distribution<int> k(0, 9);
  std::bernoulli_distribution forbid(forbidden_rate);
  std::vector<double> c(nr * nc);
  for (double& x : c) {
    x = integers ? k(rng) : u(rng);
    if (forbid(rng)) x = maximize ? -kInf : kInf;
  }
  return c;
}

TEST(DenseAssignmentTest, KnownSquareOptimum) {
  // The classic 3x3 example: rows take columns 1, 0, 2 for a total of 5.
  const std::vector<double> c = {4, 1, 3, 2, 0, 5, 3, 2, 2};
  Assignment a = solve_dense_assignment(c, 3, 3);
  EXPECT_EQ(a.col_of_row, (std::vector<std::int64_t>{1, 0, 2}));
  EXPECT_DOUBLE_EQ(a.total_cost, 5.0);
  Assignment m = solve_dense_assignment(c, 3, 3, Objective::maximize);
  EXPECT_DOUBLE_EQ(m.total_cost, 11.0);  // 4 + 5 + 2
}

TEST(DenseAssignmentTest, RectangularBothWaysWithoutPadding) {
  const std::vector<double> wide = {5, 1, 9, 8, 7, 2};  // 2 x 3
  Assignment a = solve_dense_assignment(wide, 2, 3);
  EXPECT_DOUBLE_EQ(a.total_cost, 3.0);
  EXPECT_EQ(a.col_of_row, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(a.row_of_col, (std::vector<std::int64_t>{-1, 0, 1}));
  const std::vector<double> tall = {5, 8, 1, 7, 9, 2};  // its transpose, 3 x 2
  Assignment b = solve_dense_assignment(tall, 3, 2);
  EXPECT_DOUBLE_EQ(b.total_cost, 3.0);
  EXPECT_EQ(b.col_of_row, (std::vector<std::int64_t>{-1, 0, 1}));
  EXPECT_EQ(b.row_of_col, (std::vector<std::int64_t>{1, 2}));
}

TEST(DenseAssignmentTest, ForbiddenPairsAndInfeasibility) {
  const std::vector<double> c = {kInf, 1, kInf, 2};  // both rows need column 1
  EXPECT_EQ(code_of([&] { solve_dense_assignment(c, 2, 2); }), ErrorCode::infeasible);
  const std::vector<double> d = {kInf, 1, 3, kInf};
  EXPECT_DOUBLE_EQ(solve_dense_assignment(d, 2, 2).total_cost, 4.0);
  const std::vector<double> e = {-kInf, 1, 3, -kInf};
  EXPECT_DOUBLE_EQ(solve_dense_assignment(e, 2, 2, Objective::maximize).total_cost, 4.0);
  const std::vector<double> all_forbidden(6, kInf);
  EXPECT_EQ(code_of([&] { solve_dense_assignment(all_forbidden, 2, 3); }), ErrorCode::infeasible);
}

TEST(DenseAssignmentTest, EmptySides) {
  EXPECT_EQ(solve_dense_assignment({}, 0, 4).row_of_col.size(), 4u);
  EXPECT_EQ(solve_dense_assignment({}, 3, 0).col_of_row, (std::vector<std::int64_t>(3, -1)));
}

TEST(DenseAssignmentTest, BadInputsAreErrorsWithPointers) {
  const std::vector<double> c = {1, 2, 3};
  EXPECT_EQ(code_of([&] { solve_dense_assignment(c, 2, 2); }), ErrorCode::dimension_mismatch);
  const std::vector<double> n = {1, 2, std::nan(""), 4};
  try {
    solve_dense_assignment(n, 2, 2);
    FAIL() << "NaN accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(e.pointer(), "/costs/1/0");
  }
  const std::vector<double> wrong_inf = {1, -kInf, 3, 4};
  EXPECT_EQ(code_of([&] { solve_dense_assignment(wrong_inf, 2, 2); }), ErrorCode::invalid_argument);
  const std::vector<double> wrong_inf_max = {1, kInf, 3, 4};
  EXPECT_EQ(code_of([&] { solve_dense_assignment(wrong_inf_max, 2, 2, Objective::maximize); }),
            ErrorCode::invalid_argument);
}

TEST(DenseAssignmentTest, MatchesBruteForceOnSmallRandomInstances) {
  std::mt19937_64 rng(20261127);
  for (int round = 0; round < 400; ++round) {
    const std::size_t nr = 1 + rng() % 6, nc = 1 + rng() % 6;
    const bool maximize = round % 3 == 0;
    const bool integers = round % 2 == 0;
    const double forbid = (round % 5) * 0.15;
    const std::vector<double> c = random_dense(rng, nr, nc, integers, forbid, maximize);
    const auto expected = brute_force(c, nr, nc, maximize);
    const Objective obj = maximize ? Objective::maximize : Objective::minimize;
    SCOPED_TRACE("round " + std::to_string(round));
    if (!expected) {
      EXPECT_EQ(code_of([&] { solve_dense_assignment(c, nr, nc, obj); }), ErrorCode::infeasible);
      continue;
    }
    const Assignment a = solve_dense_assignment(c, nr, nc, obj);
    expect_valid(a, c, nr, nc);
    EXPECT_NEAR(a.total_cost, *expected, 1e-9 * (1 + std::abs(*expected)));
  }
}

// CSR of the finite entries of a dense matrix (+inf or -inf = absent).
struct OwnedCsr {
  std::size_t nr, nc;
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<double> values;
  CsrView view() const { return {nr, nc, indptr, indices, values}; }
};

OwnedCsr to_csr(const std::vector<double>& c, std::size_t nr, std::size_t nc) {
  OwnedCsr m{nr, nc, {0}, {}, {}};
  for (std::size_t r = 0; r < nr; ++r) {
    for (std::size_t j = 0; j < nc; ++j)
      if (std::isfinite(c[r * nc + j])) {
        m.indices.push_back(static_cast<std::int32_t>(j));
        m.values.push_back(c[r * nc + j]);
      }
    m.indptr.push_back(static_cast<std::int64_t>(m.indices.size()));
  }
  return m;
}

TEST(SparseAssignmentTest, AgreesWithDenseOnRandomInstances) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 400; ++round) {
    const std::size_t nr = 1 + rng() % 9, nc = 1 + rng() % 9;
    const bool maximize = round % 4 == 1;
    const double forbid = 0.2 + (round % 4) * 0.15;
    const std::vector<double> c = random_dense(rng, nr, nc, round % 2 == 0, forbid, maximize);
    const Objective obj = maximize ? Objective::maximize : Objective::minimize;
    const OwnedCsr m = to_csr(c, nr, nc);
    SCOPED_TRACE("round " + std::to_string(round));
    const ErrorCode dense_code = code_of([&] { solve_dense_assignment(c, nr, nc, obj); });
    if (dense_code == ErrorCode::infeasible) {
      EXPECT_EQ(code_of([&] { solve_sparse_assignment(m.view(), obj); }), ErrorCode::infeasible);
      continue;
    }
    const Assignment d = solve_dense_assignment(c, nr, nc, obj);
    const Assignment s = solve_sparse_assignment(m.view(), obj);
    expect_valid(s, c, nr, nc);
    EXPECT_NEAR(s.total_cost, d.total_cost, 1e-9 * (1 + std::abs(d.total_cost)));
  }
}

TEST(SparseAssignmentTest, SquareInstancesWithHeavyTiesMatchBruteForce) {
  // Square problems go through the column and augmenting row reductions before any search;
  // costs in {0..3} make ties everywhere, where those reductions are most delicate.
  std::mt19937_64 rng(11);
  for (int round = 0; round < 500; ++round) {
    const std::size_t n = 1 + rng() % 7;
    const bool maximize = round % 2 == 1;
    std::vector<double> c(n * n);
    for (double& x : c)
      x = rng() % 5 == 0 ? (maximize ? -kInf : kInf) : static_cast<double>(rng() % 4);
    const Objective obj = maximize ? Objective::maximize : Objective::minimize;
    const auto expected = brute_force(c, n, n, maximize);
    const OwnedCsr m = to_csr(c, n, n);
    SCOPED_TRACE("round " + std::to_string(round));
    if (!expected) {
      EXPECT_EQ(code_of([&] { solve_dense_assignment(c, n, n, obj); }), ErrorCode::infeasible);
      EXPECT_EQ(code_of([&] { solve_sparse_assignment(m.view(), obj); }), ErrorCode::infeasible);
      continue;
    }
    const Assignment d = solve_dense_assignment(c, n, n, obj);
    const Assignment s = solve_sparse_assignment(m.view(), obj);
    expect_valid(d, c, n, n);
    expect_valid(s, c, n, n);
    EXPECT_EQ(d.total_cost, *expected);
    EXPECT_EQ(s.total_cost, *expected);
  }
}

// Sets AIG_ASSIGNMENT_PORTABLE for the lifetime of the object: the dense solver then uses its
// portable kernels instead of the AVX2 ones on processors that have AVX2.
struct PortableKernels {
  PortableKernels() { setenv("AIG_ASSIGNMENT_PORTABLE", "1", 1); }
  ~PortableKernels() { unsetenv("AIG_ASSIGNMENT_PORTABLE"); }
  PortableKernels(const PortableKernels&) = delete;
  PortableKernels& operator=(const PortableKernels&) = delete;
};

TEST(DenseAssignmentTest, VectorKernelsAgreeWithEachOtherAndWithTheSparseSolver) {
  // Sizes around the vector widths (2 and 4 lanes plus scalar tails) and larger ones where the
  // reductions leave long searches; integer costs make ties at every minimum. The two dense
  // kernels do the same arithmetic and take the first index of a minimum, so they return the
  // same assignment; the sparse solver (heap and scalar scans) must reach the same optimum.
  std::mt19937_64 rng(5000);
  const std::size_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 31, 64, 97, 150};
  for (int round = 0; round < 120; ++round) {
    const std::size_t nr = sizes[rng() % std::size(sizes)];
    const std::size_t nc = round % 3 == 0 ? sizes[rng() % std::size(sizes)] : nr;
    const bool maximize = round % 4 == 3;
    const bool integers = round % 2 == 0;
    const double forbid = (round % 5) * 0.1;
    const std::vector<double> c = random_dense(rng, nr, nc, integers, forbid, maximize);
    const Objective obj = maximize ? Objective::maximize : Objective::minimize;
    SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(nr) + " x " +
                 std::to_string(nc));
    const ErrorCode code = code_of([&] { solve_dense_assignment(c, nr, nc, obj); });
    const OwnedCsr m = to_csr(c, nr, nc);
    if (code == ErrorCode::infeasible) {
      PortableKernels portable;
      EXPECT_EQ(code_of([&] { solve_dense_assignment(c, nr, nc, obj); }), ErrorCode::infeasible);
      EXPECT_EQ(code_of([&] { solve_sparse_assignment(m.view(), obj); }), ErrorCode::infeasible);
      continue;
    }
    ASSERT_EQ(code, ErrorCode::ok);
    const Assignment fast = solve_dense_assignment(c, nr, nc, obj);
    Assignment slow;
    {
      PortableKernels portable;
      slow = solve_dense_assignment(c, nr, nc, obj);
    }
    const Assignment sparse = solve_sparse_assignment(m.view(), obj);
    expect_valid(fast, c, nr, nc);
    expect_valid(sparse, c, nr, nc);
    EXPECT_EQ(fast.col_of_row, slow.col_of_row);
    EXPECT_EQ(fast.total_cost, slow.total_cost);
    EXPECT_NEAR(fast.total_cost, sparse.total_cost, 1e-9 * (1 + std::abs(sparse.total_cost)));
  }
}

TEST(SparseAssignmentTest, MediumSparseSquareInstancesAgreeWithDense) {
  // Square sparse problems large enough for the eight passes of row reduction to run into their
  // step limit (costs in {0..3}: ties everywhere) or to leave long heap searches (real costs);
  // a random permutation keeps a complete matching. The dense solver on the same matrix (+inf
  // off the edges, two passes, vector scans) must reach the same optimum.
  std::mt19937_64 rng(8);
  for (int round = 0; round < 40; ++round) {
    const std::size_t n = 40 + rng() % 160;
    const bool integers = round % 2 == 0;
    const bool maximize = round % 4 == 3;
    const double forbidden = maximize ? -kInf : kInf;
    std::vector<double> c(n * n, forbidden);
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::uniform_real_distribution<double> u(0.0, 10.0);
    auto draw = [&] { return integers ? static_cast<double>(rng() % 4) : u(rng); };
    for (std::size_t r = 0; r < n; ++r) {
      c[r * n + perm[r]] = draw();
      for (int k = 0; k < 6; ++k) c[r * n + rng() % n] = draw();
    }
    const Objective obj = maximize ? Objective::maximize : Objective::minimize;
    const OwnedCsr m = to_csr(c, n, n);
    SCOPED_TRACE("round " + std::to_string(round) + ", n = " + std::to_string(n));
    const Assignment d = solve_dense_assignment(c, n, n, obj);
    const Assignment s = solve_sparse_assignment(m.view(), obj);
    expect_valid(d, c, n, n);
    expect_valid(s, c, n, n);
    if (integers) {
      EXPECT_EQ(s.total_cost, d.total_cost);
    } else
      EXPECT_NEAR(s.total_cost, d.total_cost, 1e-9 * (1 + std::abs(d.total_cost)));
  }
}

TEST(SparseAssignmentTest, BadInputsAreErrors) {
  const std::vector<std::int64_t> indptr = {0, 1, 2};
  const std::vector<std::int32_t> idx = {0, 1};
  const std::vector<double> val = {1.0, 2.0};
  EXPECT_EQ(solve_sparse_assignment({2, 2, indptr, idx, val}).total_cost, 3.0);
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({3, 2, indptr, idx, val});
            }),
            ErrorCode::dimension_mismatch);
  const std::vector<double> short_val = {1.0};
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({2, 2, indptr, idx, short_val});
            }),
            ErrorCode::dimension_mismatch);
  // An offset larger than a later one: refused before any edge is read (ASan would see a read
  // past the two edges otherwise).
  const std::vector<std::int64_t> bulge = {0, 9, 2};
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({2, 2, bulge, idx, val});
            }),
            ErrorCode::invalid_argument);
  const std::vector<std::int32_t> out_of_range = {0, 5};
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({2, 2, indptr, out_of_range, val});
            }),
            ErrorCode::invalid_argument);
  const std::vector<std::int32_t> negative = {0, -1};
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({2, 2, indptr, negative, val});
            }),
            ErrorCode::invalid_argument);
  const std::vector<double> nan_val = {1.0, std::nan("")};
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({2, 2, indptr, idx, nan_val});
            }),
            ErrorCode::invalid_argument);
  const std::vector<std::int64_t> dup_ptr = {0, 2, 2};
  const std::vector<std::int32_t> dup = {1, 1};
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({2, 2, dup_ptr, dup, val});
            }),
            ErrorCode::invalid_argument);
  const std::vector<std::int64_t> decreasing = {0, 2, 1, 2};
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({3, 2, decreasing, idx, val});
            }),
            ErrorCode::invalid_argument);
  // Row 1 has no edge: no full matching.
  EXPECT_EQ(code_of([&] {
              solve_sparse_assignment({2, 2, dup_ptr, idx, val});
            }),
            ErrorCode::infeasible);
}

// ---- cross-check against scipy -------------------------------------------------------------

std::string python_path() {
  const char* env = std::getenv("AIG_PYTHON");
  return env && *env ? env : "/usr/bin/python3";
}

bool scipy_available() {
  const std::string cmd = python_path() +
                          " -c \"import scipy.optimize, scipy.sparse.csgraph\" "
                          ">/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

TEST(ScipyCrossCheckTest, DenseAndSparseOptimaEqualScipys) {
  if (!scipy_available()) GTEST_SKIP() << "python with scipy not found (" << python_path() << ")";
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("aig_assignment_" + std::to_string(static_cast<long>(::getpid())));
  std::filesystem::create_directories(dir);
  std::mt19937_64 rng(424242);
  std::map<std::string, std::optional<double>> ours;
  char name[64];
  for (int k = 0; k < 60; ++k) {
    const std::size_t nr = 1 + rng() % 40;
    const std::size_t nc = k % 3 == 0 ? nr : 1 + rng() % 40;  // square ones use column reduction
    const bool maximize = k % 3 == 2;
    const Objective obj = maximize ? Objective::maximize : Objective::minimize;
    const double forbid = k % 4 == 0 ? 0.0 : 0.1 * (k % 4);
    const std::vector<double> c = random_dense(rng, nr, nc, k % 2 == 0, forbid, maximize);
    std::snprintf(name, sizeof name, "dense_%03d", k);
    std::ofstream f(dir / (std::string(name) + ".txt"));
    f << nr << ' ' << nc << ' ' << (maximize ? 1 : 0) << '\n';
    f.precision(17);
    for (std::size_t r = 0; r < nr; ++r) {
      for (std::size_t j = 0; j < nc; ++j) {
        const double v = c[r * nc + j];
        if (std::isinf(v))
          f << (v > 0 ? "inf " : "-inf ");
        else
          f << v << ' ';
      }
      f << '\n';
    }
    try {
      const Assignment a = solve_dense_assignment(c, nr, nc, obj);
      expect_valid(a, c, nr, nc);
      ours[name] = a.total_cost;
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), ErrorCode::infeasible) << e.describe();
      ours[name] = std::nullopt;
    }
  }
  for (int k = 0; k < 40; ++k) {
    const std::size_t nr = 5 + rng() % 60;
    const std::size_t nc = k % 3 == 0 ? nr : 5 + rng() % 60;
    const bool maximize = k % 3 == 1;
    const Objective obj = maximize ? Objective::maximize : Objective::minimize;
    // Positive costs: scipy's sparse matrices drop explicit zeros.
    std::uniform_real_distribution<double> u(1.0, 100.0);
    std::bernoulli_distribution keep(k % 2 == 0 ? 0.3 : 0.1);
    std::vector<double> c(nr * nc);
    for (double& x : c) x = keep(rng) ? (k % 4 < 2 ? std::floor(u(rng)) : u(rng)) : kInf;
    const OwnedCsr m = to_csr(c, nr, nc);
    std::snprintf(name, sizeof name, "sparse_%03d", k);
    std::ofstream f(dir / (std::string(name) + ".txt"));
    f.precision(17);
    f << nr << ' ' << nc << ' ' << (maximize ? 1 : 0) << ' ' << m.indices.size() << '\n';
    for (std::size_t r = 0; r < nr; ++r)
      for (auto e = m.indptr[r]; e < m.indptr[r + 1]; ++e)
        f << r << ' ' << m.indices[static_cast<std::size_t>(e)] << ' '
          << m.values[static_cast<std::size_t>(e)] << '\n';
    try {
      ours[name] = solve_sparse_assignment(m.view(), obj).total_cost;
    } catch (const Error& e) {
      ASSERT_EQ(e.code(), ErrorCode::infeasible) << e.describe();
      ours[name] = std::nullopt;
    }
  }
  const std::string script =
      std::string(AIG_SOURCE_DIR) + "/tests/matching/reference/assignment_reference.py";
  const std::string cmd = python_path() + " " + script + " " + dir.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::ifstream in(dir / "results.txt");
  std::string line;
  std::size_t seen = 0, feasible = 0;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key, value;
    ls >> key >> value;
    ASSERT_TRUE(ours.count(key)) << line;
    ++seen;
    SCOPED_TRACE(key);
    if (value == "infeasible") {
      EXPECT_FALSE(ours[key].has_value()) << "scipy finds no assignment, we found " << *ours[key];
    } else {
      const double theirs = std::stod(value);
      ASSERT_TRUE(ours[key].has_value()) << "we found no assignment, scipy's costs " << theirs;
      EXPECT_NEAR(*ours[key], theirs, 1e-9 * (1 + std::abs(theirs)));
      ++feasible;
    }
  }
  EXPECT_EQ(seen, ours.size());
  EXPECT_GT(feasible, 50u);  // the instances are mostly feasible: the check has teeth
  std::filesystem::remove_all(dir);
}

// ---- capacitated assignment ----------------------------------------------------------------

struct BestFlow {
  std::size_t count = 0;
  double cost = 0;
};

BestFlow brute_force_capacitated(std::size_t n_persons, const std::vector<std::uint32_t>& pos,
                                 std::uint32_t cap, const std::vector<CandidateEdge>& edges,
                                 bool maximize) {
  BestFlow best;
  for (std::uint32_t mask = 0; mask < (1u << edges.size()); ++mask) {
    std::vector<std::uint32_t> per_person(n_persons, 0), per_offer(pos.size(), 0);
    std::size_t count = 0;
    double cost = 0;
    bool ok = true;
    for (std::size_t k = 0; k < edges.size() && ok; ++k)
      if (mask >> k & 1u) {
        ok = ++per_person[edges[k].person] <= cap &&
             ++per_offer[edges[k].offer] <= pos[edges[k].offer];
        ++count;
        cost += edges[k].cost;
      }
    if (!ok) continue;
    if (count > best.count ||
        (count == best.count && (maximize ? cost > best.cost : cost < best.cost)))
      best = {count, cost};
  }
  return best;
}

TEST(CapacitatedAssignmentTest, MatchesBruteForceOnSmallCases) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 300; ++round) {
    const std::size_t n_persons = 1 + rng() % 5, n_offers = 1 + rng() % 4;
    std::vector<std::uint32_t> pos(n_offers);
    for (auto& p : pos) p = static_cast<std::uint32_t>(rng() % 3);
    const std::uint32_t cap = 1 + static_cast<std::uint32_t>(rng() % 3);
    std::vector<CandidateEdge> edges;
    for (std::uint32_t p = 0; p < n_persons; ++p)
      for (std::uint32_t o = 0; o < n_offers; ++o)
        if (rng() % 2 && edges.size() < 13)
          edges.push_back({p, o, static_cast<double>(static_cast<int>(rng() % 21) - 5) * 0.5});
    const bool maximize = round % 3 == 0;
    const BestFlow expected = brute_force_capacitated(n_persons, pos, cap, edges, maximize);
    const CapacitatedAssignment got = solve_capacitated_assignment(
        n_persons, pos, cap, edges, maximize ? Objective::maximize : Objective::minimize);
    SCOPED_TRACE("round " + std::to_string(round));
    ASSERT_EQ(got.pairs.size(), expected.count);
    EXPECT_NEAR(got.total_cost, expected.cost, 1e-9);
    std::vector<std::uint32_t> per_person(n_persons, 0), per_offer(n_offers, 0);
    for (const CandidateEdge& e : got.pairs) {
      EXPECT_LE(++per_person[e.person], cap);
      EXPECT_LE(++per_offer[e.offer], pos[e.offer]);
    }
    EXPECT_TRUE(std::is_sorted(got.pairs.begin(), got.pairs.end(), [](auto& a, auto& b) {
      return std::tie(a.person, a.offer) < std::tie(b.person, b.offer);
    }));
  }
}

TEST(CapacitatedAssignmentTest, LargeNegativeEffectiveCostsAreNotAnInternalError) {
  // Maximising positive costs (or minimising negative ones) makes every effective cost
  // negative; the flow value is fixed, so the optimum must still be found.
  const std::vector<std::uint32_t> pos = {1, 1};
  const std::vector<CandidateEdge> edges = {{0, 0, 10}, {0, 1, 20}, {1, 0, 30}, {1, 1, 40}};
  const CapacitatedAssignment a =
      solve_capacitated_assignment(2, pos, 1, edges, Objective::maximize);
  ASSERT_EQ(a.pairs.size(), 2u);
  EXPECT_EQ(a.total_cost, 50.0);
  std::vector<CandidateEdge> negative = edges;
  for (auto& e : negative) e.cost = -e.cost;
  const CapacitatedAssignment b = solve_capacitated_assignment(2, pos, 1, negative);
  ASSERT_EQ(b.pairs.size(), 2u);
  EXPECT_EQ(b.total_cost, -50.0);
}

// Costs of one sign or both, integral or not, of magnitude 1 to 1e9.
double random_cost(std::mt19937_64& rng, int sign_mode, double magnitude, bool integral) {
  double x = std::uniform_real_distribution<double>(0.0, 1.0)(rng) * magnitude;
  if (integral) x = std::floor(x);
  if (sign_mode == 1 || (sign_mode == 2 && rng() % 2)) x = -x;
  return x;
}

TEST(AssignmentSolversTest, EverySignAndMagnitudeMatchesBruteForce) {
  std::mt19937_64 rng(1905);
  const double magnitudes[] = {1.0, 1e3, 1e6, 1e9};
  int round = 0;
  for (double magnitude : magnitudes)
    for (int sign_mode = 0; sign_mode < 3; ++sign_mode)
      for (bool maximize : {false, true})
        for (int rep = 0; rep < 30; ++rep, ++round) {
          SCOPED_TRACE("round " + std::to_string(round) + " magnitude " +
                       std::to_string(magnitude) + " signs " + std::to_string(sign_mode) +
                       (maximize ? " maximize" : " minimize"));
          const Objective obj = maximize ? Objective::maximize : Objective::minimize;
          const bool integral = rep % 2 == 0;
          const double tol = 1e-9 * magnitude * 8;
          // One-to-one, dense and sparse.
          const std::size_t nr = 1 + rng() % 5, nc = 1 + rng() % 5;
          std::vector<double> c(nr * nc);
          for (double& x : c)
            x = rng() % 6 == 0 ? (maximize ? -kInf : kInf)
                               : random_cost(rng, sign_mode, magnitude, integral);
          const auto expected = brute_force(c, nr, nc, maximize);
          const OwnedCsr m = to_csr(c, nr, nc);
          if (!expected) {
            EXPECT_EQ(code_of([&] { solve_dense_assignment(c, nr, nc, obj); }),
                      ErrorCode::infeasible);
            EXPECT_EQ(code_of([&] { solve_sparse_assignment(m.view(), obj); }),
                      ErrorCode::infeasible);
          } else {
            const Assignment d = solve_dense_assignment(c, nr, nc, obj);
            const Assignment s = solve_sparse_assignment(m.view(), obj);
            expect_valid(d, c, nr, nc);
            expect_valid(s, c, nr, nc);
            EXPECT_NEAR(d.total_cost, *expected, tol);
            EXPECT_NEAR(s.total_cost, *expected, tol);
          }
          // Capacitated.
          const std::size_t n_persons = 1 + rng() % 4, n_offers = 1 + rng() % 4;
          std::vector<std::uint32_t> pos(n_offers);
          for (auto& p : pos) p = static_cast<std::uint32_t>(rng() % 3);
          const std::uint32_t cap = 1 + static_cast<std::uint32_t>(rng() % 2);
          std::vector<CandidateEdge> edges;
          for (std::uint32_t p = 0; p < n_persons; ++p)
            for (std::uint32_t o = 0; o < n_offers; ++o)
              if (rng() % 3 && edges.size() < 12)
                edges.push_back({p, o, random_cost(rng, sign_mode, magnitude, integral)});
          const BestFlow want = brute_force_capacitated(n_persons, pos, cap, edges, maximize);
          CapacitatedAssignment got;
          ASSERT_NO_THROW(got = solve_capacitated_assignment(n_persons, pos, cap, edges, obj));
          ASSERT_EQ(got.pairs.size(), want.count);
          EXPECT_NEAR(got.total_cost, want.cost, tol);
        }
}

TEST(CapacitatedAssignmentTest, CountComesBeforeCost) {
  // Person 0 alone on the cheap offer would leave person 1 out; the optimum takes both pairs.
  const std::vector<std::uint32_t> pos = {1, 1};
  const std::vector<CandidateEdge> edges = {{0, 0, 1.0}, {0, 1, 100.0}, {1, 0, 5.0}};
  const CapacitatedAssignment a = solve_capacitated_assignment(2, pos, 1, edges);
  ASSERT_EQ(a.pairs.size(), 2u);
  EXPECT_DOUBLE_EQ(a.total_cost, 105.0);
}

TEST(CapacitatedAssignmentTest, BadInputsAreErrors) {
  const std::vector<std::uint32_t> pos = {1};
  const std::vector<CandidateEdge> bad_person = {{3, 0, 1.0}};
  EXPECT_EQ(code_of([&] { solve_capacitated_assignment(2, pos, 1, bad_person); }),
            ErrorCode::invalid_argument);
  const std::vector<CandidateEdge> bad_offer = {{0, 1, 1.0}};
  EXPECT_EQ(code_of([&] { solve_capacitated_assignment(2, pos, 1, bad_offer); }),
            ErrorCode::invalid_argument);
  const std::vector<CandidateEdge> nan_cost = {{0, 0, std::nan("")}};
  EXPECT_EQ(code_of([&] { solve_capacitated_assignment(2, pos, 1, nan_cost); }),
            ErrorCode::invalid_argument);
  const std::vector<CandidateEdge> dup = {{0, 0, 1.0}, {1, 0, 1.0}, {0, 0, 2.0}};
  try {
    solve_capacitated_assignment(2, pos, 1, dup);
    FAIL() << "duplicate accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(e.pointer(), "/edges/2");
  }
}

// ---- stable matching -----------------------------------------------------------------------

using Prefs = std::vector<std::vector<std::uint32_t>>;

int rank_in(const std::vector<std::uint32_t>& list, std::uint32_t id) {
  auto it = std::find(list.begin(), list.end(), id);
  return it == list.end() ? -1 : static_cast<int>(it - list.begin());
}

bool is_stable(const std::vector<std::int64_t>& offer_of, const Prefs& pp, const Prefs& op,
               const std::vector<std::uint32_t>& cap) {
  std::vector<std::vector<std::uint32_t>> held(op.size());
  for (std::size_t p = 0; p < offer_of.size(); ++p)
    if (offer_of[p] >= 0)
      held[static_cast<std::size_t>(offer_of[p])].push_back(static_cast<std::uint32_t>(p));
  for (std::uint32_t p = 0; p < pp.size(); ++p)
    for (std::uint32_t o : pp[p]) {
      const int ro = rank_in(op[o], p);
      if (ro < 0) continue;  // not mutually acceptable
      const bool p_wants =
          offer_of[p] < 0 ||
          rank_in(pp[p], o) < rank_in(pp[p], static_cast<std::uint32_t>(offer_of[p]));
      if (!p_wants || offer_of[p] == static_cast<std::int64_t>(o)) continue;
      bool o_wants = held[o].size() < cap[o];
      for (std::uint32_t q : held[o]) o_wants = o_wants || rank_in(op[o], q) > ro;
      if (o_wants) return false;
    }
  return true;
}

// All individually rational matchings that respect capacities and are stable.
std::vector<std::vector<std::int64_t>> all_stable(const Prefs& pp, const Prefs& op,
                                                  const std::vector<std::uint32_t>& cap) {
  std::vector<std::vector<std::int64_t>> out;
  std::vector<std::int64_t> cur(pp.size(), -1);
  std::function<void(std::size_t)> rec = [&](std::size_t p) {
    if (p == pp.size()) {
      std::vector<std::uint32_t> load(op.size(), 0);
      for (std::int64_t o : cur)
        if (o >= 0 && ++load[static_cast<std::size_t>(o)] > cap[static_cast<std::size_t>(o)])
          return;
      if (is_stable(cur, pp, op, cap)) out.push_back(cur);
      return;
    }
    cur[p] = -1;
    rec(p + 1);
    for (std::uint32_t o : pp[p])
      if (rank_in(op[o], static_cast<std::uint32_t>(p)) >= 0) {
        cur[p] = o;
        rec(p + 1);
      }
    cur[p] = -1;
  };
  rec(0);
  return out;
}

// Rank of a person's partner, unmatched being worst.
int person_rank(const Prefs& pp, std::size_t p, std::int64_t o) {
  return o < 0 ? 1 << 20 : rank_in(pp[p], static_cast<std::uint32_t>(o));
}

TEST(StableMatchingTest, ProposerOptimalAndStableVersusBruteForce) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 300; ++round) {
    const std::size_t n_persons = 1 + rng() % 5, n_offers = 1 + rng() % 4;
    auto random_list = [&](std::size_t n) {
      std::vector<std::uint32_t> l(n);
      std::iota(l.begin(), l.end(), 0u);
      std::shuffle(l.begin(), l.end(), rng);
      l.resize(rng() % (n + 1));  // truncated list
      return l;
    };
    Prefs pp(n_persons), op(n_offers);
    for (auto& l : pp) l = random_list(n_offers);
    for (auto& l : op) l = random_list(n_persons);
    std::vector<std::uint32_t> cap(n_offers);
    for (auto& c : cap) c = static_cast<std::uint32_t>(rng() % 3);
    const auto stable = all_stable(pp, op, cap);
    ASSERT_FALSE(stable.empty());  // a stable matching always exists
    SCOPED_TRACE("round " + std::to_string(round));
    for (Proposing side : {Proposing::persons, Proposing::offers}) {
      const StableMatching m = deferred_acceptance(pp, op, cap, side);
      ASSERT_TRUE(is_stable(m.offer_of_person, pp, op, cap));
      for (std::size_t o = 0; o < n_offers; ++o) {
        EXPECT_LE(m.persons_of_offer[o].size(), cap[o]);
        for (std::uint32_t p : m.persons_of_offer[o])
          EXPECT_EQ(m.offer_of_person[p], static_cast<std::int64_t>(o));
      }
      // Persons proposing: each person gets the best partner of any stable matching. Offers
      // proposing: the offer-optimal matching is the worst for every person.
      for (std::size_t p = 0; p < n_persons; ++p) {
        const int got = person_rank(pp, p, m.offer_of_person[p]);
        for (const auto& s : stable) {
          const int other = person_rank(pp, p, s[p]);
          if (side == Proposing::persons) {
            EXPECT_LE(got, other) << "person " << p;
          } else
            EXPECT_GE(got, other) << "person " << p;
        }
      }
    }
  }
}

TEST(StableMatchingTest, BadInputsAreErrors) {
  const std::vector<std::uint32_t> cap = {1};
  EXPECT_EQ(code_of([&] {
              deferred_acceptance({{0}}, {{0}, {0}}, cap);
            }),
            ErrorCode::dimension_mismatch);
  EXPECT_EQ(code_of([&] { deferred_acceptance({{1}}, {{0}}, cap); }), ErrorCode::invalid_argument);
  try {
    deferred_acceptance({{0, 0}}, {{0}}, cap);
    FAIL() << "duplicate accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::invalid_argument);
    EXPECT_EQ(e.pointer(), "/person_prefs/0/1");
  }
}

}  // namespace
}  // namespace aiguillage
