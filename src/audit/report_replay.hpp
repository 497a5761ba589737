// Records of one version re-evaluated by blocks through the batch path (territorial
// consistency, a candidate pack); private to the report.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aiguillage/rules/evaluator.hpp"
#include "report_model.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

// What the pack says for one row: per output name asked, the JSON text of its value; per
// decision, the first fired rule (-1 none). `ok` false when the row was rejected.
struct ReplayedRow {
  bool ok = false;
  std::vector<std::string> outputs;
  std::vector<std::int32_t> fired;
};

// Evaluates every row of `v` under `evaluator` (its pack may be another version: inputs are
// matched by name), with the input named `field` set to the text `value` when `field` is not
// empty (a string or enum input).
// sink(row index, result) is called from worker threads, each row once.
void replay_rows(const VersionModel& v, const Evaluator& evaluator,
                 const std::vector<std::string>& output_names, const std::string& field,
                 const std::string& value, unsigned threads,
                 const std::function<void(std::size_t, const ReplayedRow&)>& sink);

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
