// The postings matrix of a CompetenceIndex, kept out of the installed headers (Eigen is a
// private dependency of the library).
#pragma once

#include <cstdint>

#include <Eigen/SparseCore>

#include "aiguillage/matching/retrieval.hpp"

namespace aiguillage {
inline namespace v1 {

// Rows = entries in internal (cell) order, columns = items.
using Postings = Eigen::SparseMatrix<double, Eigen::ColMajor, std::int32_t>;

struct CompetenceIndexAccess {
  static const Postings& postings(const CompetenceIndex& index);
};

}  // namespace v1
}  // namespace aiguillage
