// The postings matrix of a CompetenceIndex, kept out of the installed headers (Eigen is a
// private dependency of the library).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <Eigen/SparseCore>

#include "aiguillage/matching/retrieval.hpp"

namespace aiguillage {
inline namespace v1 {

// Rows = entries in internal (cell) order, columns = items.
using Postings = Eigen::SparseMatrix<double, Eigen::ColMajor, std::int32_t>;

struct CompetenceIndexAccess {
  static const Postings& postings(const CompetenceIndex& index);
  // A bank file's section (bank_file.hpp): every array of the index, and back, checked so that
  // no array read from a file can send a query out of bounds.
  static std::string encode(const CompetenceIndex& index);
  static CompetenceIndex decode(std::string_view bytes);
};

}  // namespace v1
}  // namespace aiguillage
