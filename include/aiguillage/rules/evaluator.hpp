// Evaluation of a pack on one record or on a columnar batch, with the trace as data and the
// missing inputs that could change an incomplete result.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/batch.hpp"
#include "aiguillage/rules/decision_table.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {

// complete: no missing input could change the result; incomplete: some could (see missing);
// error: the record was rejected (bad input) or a hit policy was broken.
enum class Status : std::uint8_t { complete, incomplete, error };
AIG_API std::string_view status_name(Status s) noexcept;

struct AIG_API EvalOptions {
  std::optional<Date> reference_date;  // used when the record has no reference_date
  bool trace = true;
  UnknownFields unknown_fields = UnknownFields::reject;
};

// The trace of one table: the region key of every column and the truth of every generic cell.
// Every mask, hence every "why" and "why not", derives from it (CompiledTable::masks_from_trace).
struct AIG_API TableTrace {
  std::vector<std::uint32_t> keys;
  std::vector<Truth> truths;
};

struct AIG_API DecisionOutcome {
  Status status = Status::complete;
  bool evaluated = false;     // false when an upstream error stopped the evaluation
  std::vector<int> fired;     // rule indices, in hit order
  std::vector<int> blocking;  // undecided rules that could still change the outcome
  std::optional<Error> error;
  TableTrace trace;
};

// An input whose value is missing and could change the result; `rules` counts the undecided
// rules it would settle (questions are asked in decreasing order of it).
// An input holding one of its pack's ask_values ("unknown") is listed too, with `asked` set:
// `rules` then counts the rules it would settle were it missing (at least 1).
struct AIG_API MissingInput {
  int field = -1;
  int rules = 0;
  bool asked = false;  // the input has a value, one that means "to be asked"
};

struct EvaluationScratch;  // reused working memory, private to the evaluator

struct AIG_API Evaluation {
  Status status = Status::complete;
  Record input;              // the validated input values (one per input field)
  std::vector<Value> frame;  // every slot: inputs, variables, outputs
  std::vector<DecisionOutcome> decisions;
  std::vector<MissingInput> missing;
  std::vector<Error> errors;
  Arena arena;                                 // values made during evaluation
  std::shared_ptr<EvaluationScratch> scratch;  // reused between evaluations: no allocation
};

// Results of a batch, columnar: one entry per row (and per decision).
struct AIG_API BatchResult {
  std::size_t rows = 0;
  std::vector<Status> status;
  std::vector<std::vector<std::int32_t>> first_hit;  // [decision][row]: first fired rule or -1
  // [decision]: keys, column-major (keys[d][column * rows + row]); filled when options.trace
  std::vector<std::vector<std::uint32_t>> keys;
  std::vector<std::pair<std::size_t, Error>> errors;  // row, error
};

// One evaluated record, as a result line needs it: what evaluation_to_json writes without the
// trace. Views into the evaluator's working memory, valid while the sink runs.
struct AIG_API RowResult {
  std::size_t row = 0;  // the batch row (or the line's index for JsonLinesEvaluator)
  Status status = Status::complete;
  bool rejected = false;         // bad input (parse errors, a broken constraint): errors only
  const Value* frame = nullptr;  // every slot's value; null when nothing was validated
  std::span<const DecisionOutcome> decisions;  // per decision: fired rules (no trace); empty
                                               // when no decision ran
  std::span<const MissingInput> missing;       // the inputs to ask for, most useful first
  std::span<const Error> errors;
};
// The view of a per-record evaluation; `rejected` as evaluate_json's return value says.
AIG_API RowResult row_result(const Evaluation& e, bool rejected = false);

namespace detail {
struct JsonNames;
}
namespace engine {
struct Engine;  // private: src/rules/engine/
}

class AIG_API Evaluator {
 public:
  explicit Evaluator(Pack pack);
  const Pack& pack() const { return pack_; }

  // Evaluates out.input (already validated, one value per input field). Thread-safe: all
  // scratch state lives in `out`.
  void evaluate(Evaluation& out, const EvalOptions& options = {}) const;
  // Parses one JSON object, validates it and evaluates it. Returns false when the record is
  // rejected (out.errors says why, with JSON pointers).
  bool evaluate_json(std::string_view json, Evaluation& out, const EvalOptions& options = {}) const;

  // Evaluates rows [begin, end) of a batch into `out` (sized by the first call on it).
  void evaluate_batch(const Batch& batch, BatchResult& out, const EvalOptions& options = {},
                      std::size_t begin = 0, std::size_t end = SIZE_MAX) const;

  // Receives each row of a batch once evaluated: its status, every slot's value (inputs,
  // variables, outputs; null when the row was rejected before evaluation) and its errors. The
  // values live until the sink returns.
  using RowSink = std::function<void(std::size_t row, Status status, const Value* frame,
                                     const std::vector<Error>& errors)>;
  // As above, and hands every row to `sink`; errors go to the sink instead of out.errors, so
  // that threads may share one `out` (sized beforehand by a call on an empty range) on disjoint
  // row ranges.
  void evaluate_batch(const Batch& batch, BatchResult& out, const EvalOptions& options,
                      std::size_t begin, std::size_t end, const RowSink& sink) const;
  // As above with everything a result line needs: each row's fired rules and, for an
  // incomplete row, the missing inputs (such rows take the per-record analysis, which owns
  // the questions). Errors go to the sink only.
  using RowResultSink = std::function<void(const RowResult&)>;
  void evaluate_batch_results(const Batch& batch, BatchResult& out, const EvalOptions& options,
                              std::size_t begin, std::size_t end, const RowResultSink& sink) const;

  // Appends evaluation_to_json's line without the trace, from a row's result. The pack's names
  // are escaped once, when the evaluator is built.
  void append_result_json(std::string& out, const RowResult& r) const;
  // Appends {"<table id>": ["<rule id>", ...], ...}: the fired rules of every table.
  void append_fired_json(std::string& out, std::span<const DecisionOutcome> decisions) const;
  const detail::JsonNames& json_names() const;

  // Evaluates one table on given column values (for static checks): matched rules mask out.
  void evaluate_table_columns(int decision, const std::vector<Value>& column_values,
                              std::vector<std::uint64_t>& matched,
                              std::vector<std::uint64_t>& undecided) const;

 private:
  Pack pack_;
  std::shared_ptr<const engine::Engine> engine_;  // what the engine works out once from pack_
};

// Why each rule of a table did or did not fire, derived from the trace.
struct AIG_API RuleVerdict {
  enum class State : std::uint8_t { fired, matched, rejected, undecided };
  State state = State::rejected;
  int rejected_by = -1;              // first column whose cell is false for this input
  std::vector<int> unknown_columns;  // columns whose cell is unknown (a missing input)
};
AIG_API std::vector<RuleVerdict> rule_verdicts(const Pack& pack, const Evaluation& e, int decision);
AIG_API std::string_view rule_state_name(RuleVerdict::State s) noexcept;

// JSON of an evaluation (one line, keys in a fixed order): status, outputs, fired rules,
// missing inputs, errors and, when `trace`, the trace of every table.
AIG_API std::string evaluation_to_json(const Pack& pack, const Evaluation& e, bool trace);

}  // namespace v1
}  // namespace aiguillage
