// Missing-input analysis: which inputs could settle an incomplete table, and whether its
// unsettled upstream values could still change it. Both paths ask it the same questions on the
// same keys and truths, hence find the same questions in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "rules/engine/record.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

// Adds the missing inputs behind the blocking rules of a table to `counts`. Inputs behind an
// unsettled upstream decision are that decision's questions, not this table's. Returns whether
// anything could still change the outcome: a blocking rule whose unknown cells rest on no
// missing input and no unsettled value is unknown for good (a null that is final).
// The trace is given as keys (the key of column c at keys[c * key_stride]) and truths, so that
// the block path can ask the same question of a row without building its outcome.
bool count_missing(const Pack& pack, const DecisionTable& d, const std::vector<int>& blocking,
                   const std::uint32_t* keys, std::size_t key_stride, const Truth* truths,
                   const Value* frame, const char* uncertain, EvaluationScratch& s);

// Whether a table's outcome could change once its unsettled upstream values settle: it cannot
// when every rule that matters is rejected by a settled column, or accepted by the settled
// columns while its cells on the unsettled ones accept anything.
bool upstream_open(const DecisionTable& d, const std::uint32_t* keys, std::size_t key_stride,
                   const Truth* truths, const char* uncertain, EvaluationScratch& s);

// What evaluate() finds about a row beyond its values (which decisions are incomplete and the
// inputs that would settle them), worked out from the row's values, keys and truths.
struct RowAnalysis {
  EvaluationScratch scratch;
  std::vector<char> uncertain;
  Words matched, possible, a, u, undecided;
  std::vector<int> blocking;
  std::vector<MissingInput> missing;
};

// evaluate()'s walk over the nodes, on a row the block path evaluated: the same blocking rules
// (run_table, for the hit policies the block path takes), the same count_missing and
// upstream_open on the same keys and truths, hence the same missing inputs in the same order.
// keys[k][c * stride + row] is the key of column c of decision k; truths[k][row * generics] the
// row's generic truths.
void analyse_row(const Pack& p, const Value* frame, std::size_t row, std::size_t stride,
                 const std::vector<std::vector<std::uint32_t>>& keys,
                 const std::vector<std::vector<Truth>>& truths, RowAnalysis& x);

// add_asked_inputs on the block path: each input of the row holding a value that means "to be
// asked" joins the questions, counting the rules it settled once missing (at least 1);
// `without` holds the missing inputs of the row evaluated without those values.
void add_asked(const Pack& p, const Value* frame, const std::vector<char>& unused_input,
               const std::vector<MissingInput>& without, RowAnalysis& x);

// The rows of [begin, end) holding "to be asked" values, copied without them into a batch of
// their own and evaluated there, all at once (they hold no such value any more, so their
// questions are worked out on the block path too): index[row - begin] is a row's place in
// `missing` (-1 for the other rows), missing[j] the missing inputs of that copy.
void evaluate_without_asked(const Evaluator& evaluator, const std::vector<std::size_t>& ask_fields,
                            const Batch& batch, std::size_t begin, std::size_t end,
                            const EvalOptions& options, std::vector<int>& index,
                            std::vector<std::vector<MissingInput>>& missing);

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
