// Static checks of a pack (`aiguillage check`): per decision table, gaps, overlaps and
// unreachable rules, each with a concrete counter-example that the evaluator confirms; and
// inputs no expression reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API Finding {
  enum class Kind : std::uint8_t {
    gap,
    overlap,
    unreachable,
    unused_input,
    incomplete_analysis,
    missing_label  // an enum value without its fr/en label (ruleset 1.1 and later)
  };
  enum class Severity : std::uint8_t { error, warning, info };
  Kind kind = Kind::gap;
  Severity severity = Severity::warning;
  std::string decision;            // decision id ("" for pack-level findings)
  std::string pointer;             // JSON pointer of the table, rule or input
  std::string message;             // one readable English sentence
  std::vector<std::string> rules;  // rule ids involved
  // The counter-example: one value per table column, as a JSON object keyed by the column's
  // expression text ({"age": 15, "benefit": "RSA"}); "" when the finding has none.
  std::string counter_example;
  bool confirmed = false;  // the evaluator reproduced the finding on the counter-example
};

AIG_API std::string_view finding_kind_name(Finding::Kind k) noexcept;  // "gap", "overlap", ...
AIG_API std::string_view severity_name(Finding::Severity s) noexcept;  // "error", "warning", "info"

struct AIG_API CheckOptions {
  std::size_t max_nodes = 1'000'000;  // search budget per table; past it: incomplete_analysis
};

struct AIG_API CheckReport {
  std::vector<Finding> findings;
  std::size_t errors() const;
  std::size_t warnings() const;
  std::string to_json() const;  // {"errors":N,"warnings":N,"findings":[...]}
  std::string to_text() const;  // one line per finding, then a summary line
};

// Severity: overlaps under UNIQUE are errors (ANY: errors when outputs differ); gaps are errors
// in tables declared "complete", warnings in other single-hit tables, info in multi-hit ones
// (where no match is an ordinary result); unreachable rules are warnings; unused
// inputs are info.
AIG_API CheckReport check_pack(const Pack& pack, const CheckOptions& options = {});

}  // namespace v1
}  // namespace aiguillage
