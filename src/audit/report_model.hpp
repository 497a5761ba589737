// The decision records of a report, read once into compact rows per pack version; private.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aiguillage/audit/report.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

inline constexpr std::int32_t kNull = INT32_MIN;

// Strings seen in one column (territories, output values), numbered in order of appearance.
struct Dictionary {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::vector<std::string> items;
  std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>> index;
  std::int32_t intern(std::string_view s) {
    if (auto it = index.find(s); it != index.end()) return it->second;
    index.emplace(std::string(s), static_cast<std::int32_t>(items.size()));
    items.emplace_back(s);
    return static_cast<std::int32_t>(items.size() - 1);
  }
  std::int32_t find(std::string_view s) const {
    auto it = index.find(s);
    return it == index.end() ? kNull : it->second;
  }
};

// An output the report counts: an enum or boolean output; categories are the JSON texts of its
// values ("\"emploi\"", "true", "null").
struct ReportedOutput {
  std::string name;
  int slot = -1;
  int decision = -1;  // the decision that sets it
  const OutputSpec* spec = nullptr;
  Dictionary categories;
};

struct Row {
  std::uint64_t line = 0;
  std::int32_t territory = kNull;  // index into Model::territories
  std::int32_t reference_days = kNull, registration_days = kNull, decided_days = kNull,
               deadline_days = kNull;
  // The engagement contract: when it was signed (record 1.1), its deadline (the proposal).
  std::int32_t contract_days = kNull, contract_deadline_days = kNull;
  std::int32_t age = kNull;
  bool evident = false, policy = false, changed = false;  // changed: the decision differs
  std::uint8_t action = 0;                                // 0 confirm, 1 override, 2 reorient
  std::vector<std::int32_t> proposed, decided;            // per reported output: category
  std::vector<std::int32_t> inputs;                       // per input field (see encode)
  std::vector<std::int32_t> fired;                        // per decision: first fired rule
  std::vector<std::int32_t> reasons;                      // review reason categories
  std::vector<std::int32_t> questions;                    // input fields
  std::vector<std::int32_t> attributes;                   // per persons-file attribute
};

struct VersionModel {
  std::uint64_t serial = 0;  // unique in the process: keys the readers' per-thread caches
  const Pack* pack = nullptr;
  std::string id, version, hash;
  std::vector<ReportedOutput> outputs;
  Dictionary reasons;
  std::vector<Dictionary> strings;   // per input field: string values
  Dictionary decision_ids;           // decision id -> its index
  std::vector<Dictionary> rule_ids;  // per decision: rule id -> its index
  std::vector<Row> rows;
  std::uint64_t skipped = 0;  // records that could not be read
};

struct Model {
  LogVerification verification;
  std::vector<VersionModel> versions;  // in order of first appearance
  Dictionary territories;
  std::vector<std::string> attribute_names;  // from the persons file
  std::vector<Dictionary> attribute_values;
  std::uint64_t records = 0, outside = 0, unreadable = 0, pack_missing = 0;
  std::vector<std::string> notes;
};

Model read_model(DecisionSource& source, const Registry& packs, const ReportOptions& options);

// Input value codes: enum code, 0/1, integer, days, string index; kNull when absent.
std::string input_value_text(const VersionModel& v, std::size_t field, std::int32_t code);

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
