// The rules facade: an Evaluator holds a pack and what its engine works out once from it, and
// hands each call to the engine's path for it (src/rules/engine/).
#include "aiguillage/rules/evaluator.hpp"

#include <algorithm>

#include "rules/engine/blocks.hpp"
#include "rules/engine/engine.hpp"
#include "rules/engine/masks.hpp"
#include "rules/engine/record.hpp"

namespace aiguillage {
inline namespace v1 {

std::string_view status_name(Status s) noexcept {
  switch (s) {
    case Status::complete:
      return "complete";
    case Status::incomplete:
      return "incomplete";
    case Status::error:
      return "error";
  }
  return "error";
}

std::string_view rule_state_name(RuleVerdict::State s) noexcept {
  switch (s) {
    case RuleVerdict::State::fired:
      return "fired";
    case RuleVerdict::State::matched:
      return "matched";
    case RuleVerdict::State::rejected:
      return "rejected";
    case RuleVerdict::State::undecided:
      return "undecided";
  }
  return "rejected";
}

Evaluator::Evaluator(Pack pack)
    : pack_(std::move(pack)), engine_(std::make_shared<const engine::Engine>(pack_)) {}

const detail::JsonNames& Evaluator::json_names() const {
  return engine_->names;
}

void Evaluator::evaluate(Evaluation& out, const EvalOptions& options) const {
  engine::evaluate_record(pack_, out, options);
}

bool Evaluator::evaluate_json(std::string_view json, Evaluation& out,
                              const EvalOptions& options) const {
  out.errors = pack_.inputs().parse_record(json, out.input, options.unknown_fields);
  if (!out.errors.empty()) {
    out.status = Status::error;
    out.frame.clear();
    out.decisions.clear();
    out.missing.clear();
    return false;
  }
  evaluate(out, options);
  for (const Error& e : out.errors)
    if (e.code() == ErrorCode::input_constraint) return false;
  return true;
}

void Evaluator::evaluate_table_columns(int decision, const std::vector<Value>& column_values,
                                       std::vector<std::uint64_t>& matched,
                                       std::vector<std::uint64_t>& undecided) const {
  const DecisionTable& d = pack_.decisions()[static_cast<std::size_t>(decision)];
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  std::vector<Value> frame(pack_.slot_count(), Value::null());
  Arena arena;
  EvalContext ctx{frame.data(), Value::null(), &arena};
  matched.assign(W, 0);
  undecided.assign(W, 0);
  engine::Words possible(W), a(W), u(W);
  engine::all_rules(matched.data(), W, t.rules());
  engine::all_rules(possible.data(), W, t.rules());
  for (std::size_t c = 0; c < t.columns().size(); ++c) {
    std::uint32_t key = t.key_of(c, column_values[c]);
    t.column_masks(c, column_values[c], key, ctx, a.data(), u.data(), nullptr);
    for (std::size_t w = 0; w < W; ++w) {
      matched[w] &= a[w];
      possible[w] &= a[w] | u[w];
    }
  }
  for (std::size_t w = 0; w < W; ++w) undecided[w] = possible[w] & ~matched[w];
}

void Evaluator::evaluate_batch(const Batch& batch, BatchResult& out, const EvalOptions& options,
                               std::size_t begin, std::size_t end, const RowSink& sink) const {
  // Sizes `out` (and checks nothing else) when the range is empty.
  evaluate_batch(batch, out, options, 0, 0);
  engine::evaluate_blocks(*this, *engine_, batch, out, options, begin, std::min(end, batch.rows()),
                          &sink, nullptr);
}

void Evaluator::evaluate_batch_results(const Batch& batch, BatchResult& out,
                                       const EvalOptions& options, std::size_t begin,
                                       std::size_t end, const RowResultSink& sink) const {
  evaluate_batch(batch, out, options, 0, 0);
  engine::evaluate_blocks(*this, *engine_, batch, out, options, begin, std::min(end, batch.rows()),
                          nullptr, &sink);
}

void Evaluator::evaluate_batch(const Batch& batch, BatchResult& out, const EvalOptions& options,
                               std::size_t begin, std::size_t end) const {
  const Pack& p = pack_;
  const std::size_t rows = batch.rows();
  const std::size_t n_dec = p.decisions().size();
  end = std::min(end, rows);
  if (out.rows != rows || out.first_hit.size() != n_dec) {
    out.rows = rows;
    out.status.assign(rows, Status::complete);
    out.first_hit.assign(n_dec, std::vector<std::int32_t>(rows, -1));
    out.keys.assign(n_dec, {});
  }
  if (options.trace)
    for (std::size_t k = 0; k < n_dec; ++k) {
      const DecisionTable& d = p.decisions()[k];
      std::size_t cols = d.kind == DecisionTable::Kind::table ? d.inputs.size() : 0;
      if (out.keys[k].size() != rows * cols) out.keys[k].assign(rows * cols, 0);
    }

  if (engine_->batch_fast)
    engine::evaluate_fast_batch(*engine_, p, batch, out, options, begin, end);
  else
    engine::evaluate_blocks(*this, *engine_, batch, out, options, begin, end, nullptr, nullptr);
}

std::vector<RuleVerdict> rule_verdicts(const Pack& pack, const Evaluation& e, int decision) {
  const DecisionTable& d = pack.decisions()[static_cast<std::size_t>(decision)];
  const DecisionOutcome& o = e.decisions[static_cast<std::size_t>(decision)];
  std::vector<RuleVerdict> out(d.rules.size());
  if (d.kind != DecisionTable::Kind::table || !o.evaluated) return out;
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  engine::Words a(W), u(W), rejected(W, 0), unknown_any(W, 0);
  for (std::size_t c = 0; c < t.columns().size(); ++c) {
    t.masks_from_trace(c, o.trace.keys[c], o.trace.truths.data() + t.generic_offset(c), a.data(),
                       u.data());
    for (std::size_t r = 0; r < d.rules.size(); ++r) {
      bool acc = engine::test_bit(a.data(), r), unk = engine::test_bit(u.data(), r);
      if (!acc && !unk && out[r].rejected_by < 0) out[r].rejected_by = static_cast<int>(c);
      if (!acc && unk) out[r].unknown_columns.push_back(static_cast<int>(c));
    }
  }
  std::vector<char> fired(d.rules.size(), 0);
  for (int r : o.fired) fired[static_cast<std::size_t>(r)] = 1;
  for (std::size_t r = 0; r < d.rules.size(); ++r) {
    RuleVerdict& v = out[r];
    if (v.rejected_by >= 0)
      v.state = RuleVerdict::State::rejected;
    else if (!v.unknown_columns.empty())
      v.state = RuleVerdict::State::undecided;
    else
      v.state = fired[r] ? RuleVerdict::State::fired : RuleVerdict::State::matched;
  }
  return out;
}

}  // namespace v1
}  // namespace aiguillage
