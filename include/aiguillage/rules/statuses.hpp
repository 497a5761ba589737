// How much of a pack is the text it cites and how much is a reading of it: every rule of every
// table, every expression decision, variable and constraint carries a status ("verified": the
// rule is the text; "interpretation": a reading, with a one-line note saying what and why).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {

struct StatusSplit {
  std::size_t verified = 0;
  std::size_t interpretation = 0;
  // JSON pointers of interpretations without a note (what is interpreted is not said).
  std::vector<std::string> interpretations_without_note;
  std::size_t total() const { return verified + interpretation; }
  // "12 verified (21.8%), 43 interpretation (78.2%) of 55 rules; 0 interpretations without a
  // note"
  std::string to_text() const;
  // {"verified":12,"interpretation":43,"total":55,"verified_share":0.218,
  //  "interpretations_without_note":[...]}
  std::string to_json() const;
};

// Counts rules of tables, expression decisions, variables and constraints.
StatusSplit status_split(const Pack& pack);

}  // namespace v1
}  // namespace aiguillage
