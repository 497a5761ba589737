// Records given as JSON text (JSON Lines), evaluated by blocks through the batch path.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/evaluator.hpp"

namespace aiguillage {
inline namespace v1 {

// A plain, valid record is read straight into a columnar block (Batch::read_json) and evaluated
// with the others of its block; any other record (a syntax error, a bad value, a broken
// constraint: anything with an error to report) goes to the per-record path, which owns the
// diagnostics and their JSON pointers. So each line's result is the same whichever way it went:
// Evaluator::append_result_json(result) writes evaluation_to_json's line (without the trace) byte
// for byte. One object per thread: it keeps its working memory between calls; the evaluator
// must outlive it.
class AIG_API JsonLinesEvaluator {
 public:
  // `options.trace` is ignored: the trace of a line needs the per-record path (evaluate_json).
  JsonLinesEvaluator(const Evaluator& evaluator, EvalOptions options);

  // Receives each line's result, in input order; RowResult::row is the line's index in `lines`.
  using Sink = std::function<void(const RowResult&)>;
  void run(std::span<const std::string_view> lines, const Sink& sink);

  // One line by the per-record path, as run() does it for a line it cannot read straight: a
  // bare scalar or a document the reader refuses is an error, never an exception. Returns
  // false when the record is rejected (out.errors says why).
  static bool evaluate_line(const Evaluator& evaluator, std::string_view line, Evaluation& out,
                            const EvalOptions& options);

  // Lines read straight into a block and lines left to the per-record path, since construction.
  std::size_t block_lines() const { return block_lines_; }
  std::size_t record_lines() const { return record_lines_; }

 private:
  void flush(const Sink& sink);
  void run_record(std::string_view line, std::size_t index, const Sink& sink);

  const Evaluator& evaluator_;
  EvalOptions options_;
  Batch batch_;
  BatchResult result_;
  Evaluation evaluation_;
  std::vector<std::size_t> line_of_row_;  // the line index of each filled row of batch_
  std::size_t block_lines_ = 0, record_lines_ = 0;
};

// JSON Lines text in, one result line out per record, in input order (blank lines are skipped):
// Evaluator::append_result_json's line through the block path, or with options.trace
// evaluation_to_json's line with the trace; a record rejected as bad input gives
// {"line":N,"status":"error","errors":[...]} and any other result of status error names its line
// first too, as `aiguillage eval` writes them. N counts the text's lines from 1 (a final '\r' of
// a line is dropped). `sink` receives each record's line number and its result, without a
// newline; what it throws stops the evaluation and propagates.
using ResultLineSink = std::function<void(std::size_t line, std::string_view result)>;
AIG_API void evaluate_json_lines(const Evaluator& evaluator, std::string_view text,
                                 const EvalOptions& options, const ResultLineSink& sink);

}  // namespace v1
}  // namespace aiguillage
