#include "aiguillage/rules/json_lines.hpp"

#include <exception>

#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {
// Rows per block: large enough for the batch path to pay, small enough to stay in cache.
constexpr std::size_t kRows = 256;
}  // namespace

JsonLinesEvaluator::JsonLinesEvaluator(const Evaluator& evaluator, EvalOptions options)
    : evaluator_(evaluator), options_(options), batch_(evaluator.pack().inputs(), kRows) {
  options_.trace = false;
  line_of_row_.reserve(kRows);
}

bool JsonLinesEvaluator::evaluate_line(const Evaluator& evaluator, std::string_view line,
                                       Evaluation& out, const EvalOptions& options) {
  try {
    // A record is an object; a bare scalar line is answered here and never reaches the schema.
    if (line.empty() || (line[0] != '{' && line[0] != '[')) {
      detail::parse_document(line);
      throw Error(ErrorCode::type_mismatch, "a record must be a JSON object", "");
    }
    return evaluator.evaluate_json(line, out, options);
  } catch (const Error& e) {
    out.errors.assign(1, e);
  } catch (const std::exception& e) {
    out.errors.assign(1, Error(ErrorCode::internal, e.what()));
  }
  out.status = Status::error;
  out.frame.clear();
  out.decisions.clear();
  out.missing.clear();
  return false;
}

void JsonLinesEvaluator::run_record(std::string_view line, std::size_t index, const Sink& sink) {
  ++record_lines_;
  const bool ok = evaluate_line(evaluator_, line, evaluation_, options_);
  RowResult r = row_result(evaluation_, !ok);
  r.row = index;
  sink(r);
}

void JsonLinesEvaluator::flush(const Sink& sink) {
  if (line_of_row_.empty()) return;
  block_lines_ += line_of_row_.size();
  // The block is spent even when the sink throws: a later call never hands its rows again.
  struct Spent {
    JsonLinesEvaluator& self;
    ~Spent() {
      self.line_of_row_.clear();
      self.batch_.clear();
    }
  } spent{*this};
  evaluator_.evaluate_batch_results(batch_, result_, options_, 0, line_of_row_.size(),
                                    [&](const RowResult& row) {
                                      RowResult r = row;
                                      r.row = line_of_row_[row.row];
                                      sink(r);
                                    });
}

void JsonLinesEvaluator::run(std::span<const std::string_view> lines, const Sink& sink) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t row = line_of_row_.size();
    if (batch_.read_json(row, lines[i], options_.unknown_fields)) {
      line_of_row_.push_back(i);
      if (line_of_row_.size() == kRows) flush(sink);
      continue;
    }
    // Results keep input order: the rows read so far go first.
    flush(sink);
    run_record(lines[i], i, sink);
  }
  flush(sink);
}

}  // namespace v1
}  // namespace aiguillage
