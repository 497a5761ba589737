// The per-record path: one record's frame, decision by decision, with its trace, errors and
// missing inputs. It owns every diagnostic; the block path hands it the rows with an error.
#pragma once

#include <vector>

#include "aiguillage/rules/evaluator.hpp"
#include "rules/engine/masks.hpp"

namespace aiguillage {
inline namespace v1 {

struct EvaluationScratch {
  engine::Words matched, possible, a, u, undecided;
  std::vector<int> matched_rules, open_rules;
  std::vector<Value> values;
  std::vector<char> uncertain;
  // Missing-input analysis, kept between records so that it allocates only while warming up.
  engine::Words rejected, accepted;
  std::vector<std::vector<int>> fields_per_rule;
  std::vector<char> open, unsettled;
  std::vector<int> missing_here, counts;
};

namespace engine {

// Resolves a table for one frame; writes outputs into the frame and the outcome.
void run_table(const DecisionTable& d, std::vector<Value>& frame, Arena& arena,
               DecisionOutcome& out, EvaluationScratch& s);

// Evaluates out.input (validated, one value per input field) with `pack`: Evaluator::evaluate.
void evaluate_record(const Pack& pack, Evaluation& out, const EvalOptions& options);

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
