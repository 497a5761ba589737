// Global assignment of people to offers on plain numeric inputs (ids, costs, preference lists).
//
// Four solvers:
// - solve_dense_assignment: one-to-one, dense cost matrix, shortest augmenting paths in the
//   Jonker-Volgenant family (Crouse 2016), rectangular without padding;
// - solve_sparse_assignment: the same on a CSR graph where only listed edges are allowed;
// - solve_capacitated_assignment: offers with several positions and a cap of proposals per
//   person, as a min-cost flow (LEMON network simplex);
// - deferred_acceptance: stable matching (Gale-Shapley) with capacities on the offer side.
//
// Every solver validates its input and reports bad sizes as dimension_mismatch, bad values
// (NaN, wrong-signed infinity, out-of-range ids, duplicates) as invalid_argument, and a problem
// without a complete matching as infeasible. It never reads beyond the spans it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

enum class Objective { minimize, maximize };

// A one-to-one assignment. With n_rows <= n_cols every row is assigned and n_cols - n_rows
// columns stay free; with n_rows > n_cols every column is assigned.
struct AIG_API Assignment {
  std::vector<std::int64_t> col_of_row;  // size n_rows; -1 for an unassigned row
  std::vector<std::int64_t> row_of_col;  // size n_cols; -1 for an unassigned column
  double total_cost = 0.0;               // sum of the caller's costs over assigned pairs
  std::size_t size() const noexcept;     // number of assigned pairs: min(n_rows, n_cols)
};

// Dense costs, row-major, costs.size() == n_rows * n_cols. A forbidden pair is +infinity when
// minimising and -infinity when maximising; NaN or the other infinity is invalid_argument.
// Finds an assignment of size min(n_rows, n_cols) of optimal total cost, or throws infeasible
// when the allowed pairs admit none. An empty side gives an empty assignment.
AIG_API Assignment solve_dense_assignment(std::span<const double> costs, std::size_t n_rows,
                                          std::size_t n_cols,
                                          Objective objective = Objective::minimize);

// A CSR matrix borrowed from the caller: the edges of row r are indices[indptr[r] ..
// indptr[r+1]) with values in the same positions. Absent entries are forbidden pairs (an
// explicit 0.0 is an allowed pair of cost 0).
struct AIG_API CsrView {
  std::size_t n_rows = 0;
  std::size_t n_cols = 0;
  std::span<const std::int64_t> indptr;  // n_rows + 1 non-decreasing offsets, indptr[0] == 0
  std::span<const std::int32_t> indices;
  std::span<const double> values;  // finite
};

// Same optimum as solve_dense_assignment over the listed edges only (duplicate edges in a row
// are invalid_argument). Works in memory proportional to rows + cols + edges.
AIG_API Assignment solve_sparse_assignment(const CsrView& costs,
                                           Objective objective = Objective::minimize);

// An allowed (person, offer) pair for the capacitated problem.
struct AIG_API CandidateEdge {
  std::uint32_t person = 0;
  std::uint32_t offer = 0;
  double cost = 0.0;  // finite; 0 everywhere when only the count matters
};

struct AIG_API CapacitatedAssignment {
  std::vector<CandidateEdge> pairs;  // the chosen edges, sorted by (person, offer)
  double total_cost = 0.0;
};

// Offers have positions[o] places, each person takes at most max_per_person of them, each
// edge is used at most once. Optimises lexicographically: first the number of assigned pairs is
// the largest possible, then among all assignments of that size the total cost is the smallest
// (largest with Objective::maximize). Never infeasible: an empty assignment always exists.
AIG_API CapacitatedAssignment solve_capacitated_assignment(
    std::size_t n_persons, std::span<const std::uint32_t> positions, std::uint32_t max_per_person,
    std::span<const CandidateEdge> edges, Objective objective = Objective::minimize);

enum class Proposing { persons, offers };

// Preference lists, best first, truncated: a pair is acceptable only when each lists the other.
// Person p ranks offers person_prefs[p]; offer o ranks persons offer_prefs[o] and has
// capacity[o] places; a person takes one offer. A list naming an id twice or out of range is
// invalid_argument.
struct AIG_API StableMatching {
  std::vector<std::int64_t> offer_of_person;                 // -1 when unmatched
  std::vector<std::vector<std::uint32_t>> persons_of_offer;  // sorted ascending
};

// Deferred acceptance with the given side proposing. The result is stable (no person and offer
// who list each other would both rather be together than with what they hold) and optimal for
// the proposing side among stable matchings.
AIG_API StableMatching deferred_acceptance(
    const std::vector<std::vector<std::uint32_t>>& person_prefs,
    const std::vector<std::vector<std::uint32_t>>& offer_prefs,
    std::span<const std::uint32_t> capacity, Proposing proposing = Proposing::persons);

}  // namespace v1
}  // namespace aiguillage
