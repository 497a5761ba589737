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

// One row evaluated with the input `field` set to one of the values, against its baseline
// (the row evaluated with its recorded inputs).
struct MovedRow {
  std::size_t row = 0;        // index into v.rows
  std::size_t value = 0;      // index into `values`
  bool ok = false;            // both evaluations succeeded
  bool base_ok = false;       // the baseline succeeded
  std::uint64_t changed = 0;  // bit k: output k differs from the baseline (64 outputs at most)
  std::size_t block_row = 0;  // the row in the block: index of the fired arrays below
  const std::vector<std::vector<std::int32_t>>* base_fired = nullptr;  // [decision][block row]
  const std::vector<std::vector<std::int32_t>>* fired = nullptr;       // [decision][block row]
};

// Territorial consistency's replay: every row of `v` evaluated once with its recorded inputs
// and once per value of `values` with `field` (a string or enum input) set to it. Each block
// of rows is filled once and only the moved column changes between evaluations; outputs are
// compared as values on the worker. visit(thread, moved) is called from worker `thread`
// (0 .. threads - 1), once per row and value.
void replay_moves(const VersionModel& v, const Evaluator& evaluator,
                  const std::vector<std::string>& output_names, const std::string& field,
                  const std::vector<std::string>& values, unsigned threads,
                  const std::function<void(unsigned, const MovedRow&)>& visit);

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
