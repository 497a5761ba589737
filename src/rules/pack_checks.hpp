// Pack-level checks of `aiguillage check` beyond the decision tables: labels of enum values
// and the input constraints.
#pragma once

#include <vector>

#include "aiguillage/rules/analysis.hpp"

namespace aiguillage {
inline namespace v1 {

// Ruleset 1.1 and later: every value of every enum input, list-of-enum input and enum output
// has a label in French and in English; each one missing is an error at the pointer where it
// belongs (/inputs/3/value_labels/unknown).
void check_pack_labels(const Pack& pack, std::vector<Finding>& out);

}  // namespace v1
}  // namespace aiguillage
