// The block path: rows of a batch by blocks of frames, variables, columns and expression
// decisions a column at a time over the block; the rows with an error to report go to the
// per-record path.
#pragma once

#include <cstddef>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "rules/engine/engine.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

// Rows [begin, end) of `batch` into `out` (sized by the caller); each row goes to `sink` or
// `results` when given (errors then go there instead of out.errors).
void evaluate_blocks(const Evaluator& evaluator, const Engine& engine, const Batch& batch,
                     BatchResult& out, const EvalOptions& options, std::size_t begin,
                     std::size_t end, const Evaluator::RowSink* sink,
                     const Evaluator::RowResultSink* results);

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
