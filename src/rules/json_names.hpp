// Pieces of the result lines that evaluation and orientation write. The names a line writes
// again and again (inputs, outputs, tables, rules) are escaped once per pack: writing a line is
// then appending ready-made text.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

struct JsonNames {
  explicit JsonNames(const Pack& pack);
  std::vector<std::string> input_keys;  // per input field: "name":
  struct Output {
    std::string key;  // "name":
    int slot = -1;
  };
  std::vector<Output> outputs;                     // every output, in pack order
  std::vector<std::string> table_keys;             // per decision: "id": (empty: not a table)
  std::vector<std::vector<std::string>> rule_ids;  // per decision and rule: "id"
};

// Appends [{"code", "name", "message", "pointer"}, ...]: the errors of a result line.
void append_errors_json(std::string& out, std::span<const Error> errors);

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
