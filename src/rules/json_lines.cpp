#include "aiguillage/rules/json_lines.hpp"

#include <exception>
#include <optional>
#include <string>

#include "core/json_read.hpp"
#include "rules/json_names.hpp"

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

namespace {

// Lines handed to the evaluator at a time: its blocks fill, the views stay few.
constexpr std::size_t kLines = 4096;

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

// The line of a record rejected as bad input.
void write_rejected(std::string& out, std::size_t line, std::span<const Error> errors) {
  out += "{\"line\":";
  out += std::to_string(line);
  out += ",\"status\":\"error\",\"errors\":";
  detail::append_errors_json(out, errors);
  out += '}';
}

// A result of status error says which line it answers: results keep input order, but a reader
// filtering errors needs the line to go back to the input.
void name_line(std::string& out, std::size_t line) {
  out.insert(1, "\"line\":" + std::to_string(line) + ",");
}

// The lines of one chunk, by blocks or (with the trace) one record at a time.
class ChunkWriter {
 public:
  ChunkWriter(const Evaluator& evaluator, const EvalOptions& options, const ResultLineSink& sink)
      : evaluator_(evaluator), options_(options), sink_(sink) {
    if (!options.trace) blocks_.emplace(evaluator, options);
  }

  void write(std::span<const std::string_view> lines, std::span<const std::size_t> numbers) {
    if (blocks_) {
      blocks_->run(lines, [&](const RowResult& r) {
        out_.clear();
        if (r.rejected) {
          write_rejected(out_, numbers[r.row], r.errors);
        } else {
          evaluator_.append_result_json(out_, r);
          if (r.status == Status::error) name_line(out_, numbers[r.row]);
        }
        sink_(numbers[r.row], out_);
      });
      return;
    }
    for (std::size_t k = 0; k < lines.size(); ++k) {
      out_.clear();
      if (!JsonLinesEvaluator::evaluate_line(evaluator_, lines[k], evaluation_, options_)) {
        write_rejected(out_, numbers[k], evaluation_.errors);
      } else {
        out_ = evaluation_to_json(evaluator_.pack(), evaluation_, true);
        if (evaluation_.status == Status::error) name_line(out_, numbers[k]);
      }
      sink_(numbers[k], out_);
    }
  }

 private:
  const Evaluator& evaluator_;
  const EvalOptions& options_;
  const ResultLineSink& sink_;
  std::optional<JsonLinesEvaluator> blocks_;
  Evaluation evaluation_;
  std::string out_;
};

}  // namespace

void evaluate_json_lines(const Evaluator& evaluator, std::string_view text,
                         const EvalOptions& options, const ResultLineSink& sink) {
  ChunkWriter writer(evaluator, options, sink);
  std::vector<std::string_view> lines;
  std::vector<std::size_t> numbers;
  std::size_t number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (blank(line)) continue;
    lines.push_back(line);
    numbers.push_back(number);
    if (lines.size() == kLines) {
      writer.write(lines, numbers);
      lines.clear();
      numbers.clear();
    }
  }
  writer.write(lines, numbers);
}

}  // namespace v1
}  // namespace aiguillage
