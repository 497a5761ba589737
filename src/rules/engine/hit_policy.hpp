// What the hit policies that rank or aggregate need: a rule's priority, the aggregate of the
// matched rules' outputs, and the list of rules an error names.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

// Priority of a rule's outputs: position of each constant enum output in its values list
// (lower is higher priority); non-constant outputs rank last.
std::vector<std::size_t> priority_of(const DecisionTable& d, int r);
// COLLECT with an operator (C+, C<, C>, C#) over the matched rules' values of one output.
Value aggregate(HitPolicy policy, const std::vector<Value>& values, Arena& arena);
// "r1, r2 and r3": the ids of rules, for an error message.
std::string rule_list(const DecisionTable& d, const std::vector<int>& rules);

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
