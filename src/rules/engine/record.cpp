#include "rules/engine/record.hpp"

#include <algorithm>

#include "rules/engine/hit_policy.hpp"
#include "rules/engine/missing.hpp"

namespace aiguillage {
inline namespace v1 {
namespace engine {

namespace {

// Inputs holding a value that means "to be asked" are questions like missing ones: the record
// is evaluated again with them missing, and each counts the rules it would then settle (at
// least one: the pack reads it, and its value is not an answer).
void add_asked_inputs(const Pack& p, Evaluation& out, const EvalOptions& options) {
  const std::size_t n_inputs = p.inputs().size();
  const std::vector<int> unused = p.unused_inputs();
  std::vector<int> asked;
  for (std::size_t f = 0; f < n_inputs; ++f)
    if (p.is_ask_value(static_cast<int>(f), out.frame[f]) &&
        std::find(unused.begin(), unused.end(), static_cast<int>(f)) == unused.end())
      asked.push_back(static_cast<int>(f));
  if (asked.empty()) return;
  Evaluation without;
  without.input.values = out.input.values;  // values borrow out's storage, which outlives this
  for (int f : asked) without.input.values[static_cast<std::size_t>(f)] = Value::null();
  EvalOptions o = options;
  o.trace = false;
  evaluate_record(p, without, o);
  for (int f : asked) {
    int rules = 1;
    for (const MissingInput& m : without.missing)
      if (m.field == f) rules = std::max(rules, m.rules);
    out.missing.push_back(MissingInput{f, rules, true});
  }
  if (out.status == Status::complete) out.status = Status::incomplete;
}

}  // namespace

namespace {

// A table's keys, truths and masks for one frame: the trace, then the rules that match
// (s.matched_rules) and those still undecided (s.open_rules).
void match_rules(const DecisionTable& d, const std::vector<Value>& frame, const EvalContext& ctx,
                 DecisionOutcome& out, EvaluationScratch& s) {
  const CompiledTable& t = *d.compiled;
  const std::size_t W = t.words();
  engine::start_masks(s, W, t.rules());
  const auto& cols = t.columns();
  out.trace.keys.resize(cols.size());
  out.trace.truths.resize(t.generic_count());
  for (std::size_t c = 0; c < cols.size(); ++c) {
    Value v = cols[c].slot >= 0 ? frame[static_cast<std::size_t>(cols[c].slot)]
                                : d.inputs[c].expr.evaluate(ctx);
    std::uint32_t key = t.key_of(c, v);
    out.trace.keys[c] = key;
    t.column_masks(c, v, key, ctx, s.a.data(), s.u.data(),
                   out.trace.truths.data() + t.generic_offset(c));
    for (std::size_t w = 0; w < W; ++w) {
      s.matched[w] &= s.a[w];
      s.possible[w] &= s.a[w] | s.u[w];
    }
  }
  for (std::size_t w = 0; w < W; ++w) s.undecided[w] = s.possible[w] & ~s.matched[w];
  if (d.hit_policy == HitPolicy::first) {
    // Only the first match and the undecided rules before it matter: large tables need not
    // list every match.
    const int f = first_bit(s.matched.data(), W);
    s.matched_rules.clear();
    if (f >= 0) s.matched_rules.push_back(f);
    bits_into(s.open_rules, s.undecided.data(), W, f < 0 ? SIZE_MAX : static_cast<std::size_t>(f));
  } else {
    bits_into(s.matched_rules, s.matched.data(), W);
    bits_into(s.open_rules, s.undecided.data(), W);
  }
}

std::vector<Value> rule_outputs(const DecisionTable& d, int r, const EvalContext& ctx) {
  std::vector<Value> vals;
  for (const Expression& e : d.rules[static_cast<std::size_t>(r)].then)
    vals.push_back(e.evaluate(ctx));
  return vals;
}

void set_null_outputs(const DecisionTable& d, std::vector<Value>& frame) {
  for (const OutputSpec& o : d.outputs) frame[static_cast<std::size_t>(o.slot)] = Value::null();
}

// A hit-policy violation: the table's outputs become null.
void fail(const DecisionTable& d, std::vector<Value>& frame, DecisionOutcome& out,
          std::string message) {
  out.status = Status::error;
  out.error = Error(ErrorCode::hit_policy_violation, std::move(message), d.pointer);
  set_null_outputs(d, frame);
}

// UNIQUE, ANY, PRIORITY, FIRST: the rule chosen (or none), the undecided rules that could
// change it, and the chosen rule's outputs.
void single_hit(const DecisionTable& d, std::vector<Value>& frame, const EvalContext& ctx,
                DecisionOutcome& out, const std::vector<int>& matched,
                const std::vector<int>& open) {
  int chosen = -1;
  switch (d.hit_policy) {
    case HitPolicy::first:
      chosen = matched.empty() ? -1 : matched[0];
      for (int r : open)
        if (chosen < 0 || r < chosen) out.blocking.push_back(r);
      break;
    case HitPolicy::unique:
      if (matched.size() > 1) {
        out.fired = matched;
        return fail(d, frame, out,
                    "rules " + rule_list(d, matched) + " all match under UNIQUE (" + d.id + ")");
      }
      chosen = matched.empty() ? -1 : matched[0];
      out.blocking = open;
      break;
    case HitPolicy::any: {
      chosen = matched.empty() ? -1 : matched[0];
      if (chosen >= 0) {
        auto ref = rule_outputs(d, chosen, ctx);
        for (std::size_t k = 1; k < matched.size(); ++k)
          if (rule_outputs(d, matched[k], ctx) != ref) {
            out.fired = matched;
            return fail(d, frame, out,
                        "rules " + rule_list(d, matched) +
                            " match under ANY with different outputs (" + d.id + ")");
          }
        for (int r : open)
          if (rule_outputs(d, r, ctx) != ref) out.blocking.push_back(r);
      } else {
        out.blocking = open;
      }
      break;
    }
    case HitPolicy::priority: {
      for (int r : matched)
        if (chosen < 0 || priority_of(d, r) < priority_of(d, chosen)) chosen = r;
      for (int r : open)
        if (chosen < 0 || priority_of(d, r) < priority_of(d, chosen)) out.blocking.push_back(r);
      break;
    }
    default:
      break;
  }
  if (chosen >= 0) {
    out.fired.push_back(chosen);
    const Rule& rule = d.rules[static_cast<std::size_t>(chosen)];
    for (std::size_t o = 0; o < d.outputs.size(); ++o)
      frame[static_cast<std::size_t>(d.outputs[o].slot)] = rule.then[o].evaluate(ctx);
  } else {
    set_null_outputs(d, frame);
  }
}

// RULE ORDER, OUTPUT ORDER, COLLECT and its aggregates: every matched rule fires; each output
// is the list of their values, or its aggregate.
void multiple_hits(const DecisionTable& d, std::vector<Value>& frame, Arena& arena,
                   const EvalContext& ctx, DecisionOutcome& out, EvaluationScratch& s) {
  out.fired.assign(s.matched_rules.begin(), s.matched_rules.end());
  if (d.hit_policy == HitPolicy::output_order)
    std::stable_sort(out.fired.begin(), out.fired.end(),
                     [&](int x, int y) { return priority_of(d, x) < priority_of(d, y); });
  const std::vector<int>& order = out.fired;
  out.blocking.assign(s.open_rules.begin(), s.open_rules.end());
  std::vector<Value>& vals = s.values;
  for (std::size_t o = 0; o < d.outputs.size(); ++o) {
    vals.clear();
    for (int r : order) vals.push_back(d.rules[static_cast<std::size_t>(r)].then[o].evaluate(ctx));
    Value result;
    if (d.hit_policy == HitPolicy::rule_order || d.hit_policy == HitPolicy::output_order ||
        d.hit_policy == HitPolicy::collect) {
      Value* items = arena.allocate_values(vals.size());
      std::copy(vals.begin(), vals.end(), items);
      result = Value::list(items, vals.size());
    } else {
      result = aggregate(d.hit_policy, vals, arena);
    }
    frame[static_cast<std::size_t>(d.outputs[o].slot)] = result;
  }
}

}  // namespace

// Resolves a table for one frame; writes outputs into the frame and the outcome.
void run_table(const DecisionTable& d, std::vector<Value>& frame, Arena& arena,
               DecisionOutcome& out, EvaluationScratch& s) {
  EvalContext ctx{frame.data(), Value::null(), &arena};
  match_rules(d, frame, ctx, out, s);
  out.fired.clear();
  out.blocking.clear();
  out.evaluated = true;
  out.status = Status::complete;
  if (is_single_hit(d.hit_policy))
    single_hit(d, frame, ctx, out, s.matched_rules, s.open_rules);
  else
    multiple_hits(d, frame, arena, ctx, out, s);
  if (!out.blocking.empty() && out.status != Status::error) out.status = Status::incomplete;
}

void evaluate_record(const Pack& p, Evaluation& out, const EvalOptions& options) {
  out.errors.clear();
  out.missing.clear();
  out.arena.reset();
  out.status = Status::complete;
  const std::size_t n_inputs = p.inputs().size();
  out.frame.assign(p.slot_count(), Value::null());
  if (out.input.values.size() != n_inputs) out.input.values.resize(n_inputs, Value::null());
  std::copy(out.input.values.begin(), out.input.values.end(), out.frame.begin());
  out.decisions.resize(p.decisions().size());
  for (auto& d : out.decisions) {
    d.status = Status::complete;
    d.evaluated = false;
    d.fired.clear();
    d.blocking.clear();
    d.error.reset();
  }
  Value& ref = out.frame[static_cast<std::size_t>(p.reference_date_field())];
  if (ref.is_null()) {
    if (!options.reference_date) {
      out.status = Status::error;
      out.errors.emplace_back(
          ErrorCode::missing_reference_date,
          "no reference date: give one (--date) or set reference_date in the record",
          "/reference_date");
      return;
    }
    ref = Value::date(*options.reference_date);
  }
  if (!p.valid_at(ref.as_date())) {
    out.status = Status::error;
    out.errors.emplace_back(
        ErrorCode::no_valid_version,
        "pack " + p.id() + " " + p.version() + " is valid from " + p.valid_from().to_string() +
            (p.valid_to() ? " to " + p.valid_to()->to_string() : std::string()) + ", not on " +
            ref.as_date().to_string(),
        "/reference_date");
    return;
  }

  EvalContext ctx{out.frame.data(), Value::null(), &out.arena};
  for (const Constraint& c : p.constraints()) {
    Value ok = c.expression.evaluate(ctx);
    if (ok.type() == Type::boolean && !ok.as_bool()) {
      // One error per input involved, so that every one of them is pointed at.
      const std::string message = constraint_error_message(c);
      for (int in : c.inputs)
        out.errors.emplace_back(ErrorCode::input_constraint, message,
                                "/" + json_pointer_token(p.slot_name(in)));
    }
  }
  if (!out.errors.empty()) {
    out.status = Status::error;
    return;
  }
  if (!out.scratch) out.scratch = std::make_shared<EvaluationScratch>();
  std::vector<char>& uncertain = out.scratch->uncertain;
  uncertain.assign(p.slot_count(), 0);
  EvaluationScratch& scratch = *out.scratch;
  std::vector<int>& counts = scratch.counts;  // per input: the undecided rules it settles
  counts.assign(n_inputs, 0);
  for (const Node& node : p.order()) {
    if (node.kind == Node::Kind::variable) {
      const Variable& v = p.variables()[static_cast<std::size_t>(node.index)];
      out.frame[static_cast<std::size_t>(v.slot)] = v.expression.evaluate(ctx);
      for (int s : v.expression.slots())
        uncertain[static_cast<std::size_t>(v.slot)] |= uncertain[static_cast<std::size_t>(s)];
      continue;
    }
    const DecisionTable& d = p.decisions()[static_cast<std::size_t>(node.index)];
    DecisionOutcome& o = out.decisions[static_cast<std::size_t>(node.index)];
    bool upstream = false;
    if (d.kind == DecisionTable::Kind::expression) {
      o.evaluated = true;
      Value v = d.expression.evaluate(ctx);
      out.frame[static_cast<std::size_t>(d.outputs[0].slot)] = v;
      for (int s : d.expression.slots()) upstream |= uncertain[static_cast<std::size_t>(s)] != 0;
      if (v.is_null()) {
        bool any_missing = false;
        for (int f : p.slot_inputs(d.outputs[0].slot))
          if (out.frame[static_cast<std::size_t>(f)].is_null()) {
            ++counts[f];
            any_missing = true;
          }
        if (any_missing) o.status = Status::incomplete;
      }
    } else {
      run_table(d, out.frame, out.arena, o, scratch);
      if (o.status == Status::error) {
        out.errors.push_back(*o.error);
      } else {
        if (o.status == Status::incomplete &&
            !count_missing(p, d, o.blocking, o.trace.keys.data(), 1, o.trace.truths.data(),
                           out.frame.data(), uncertain.data(), scratch)) {
          o.status = Status::complete;
          o.blocking.clear();
        }
        upstream = upstream_open(d, o.trace.keys.data(), 1, o.trace.truths.data(), uncertain.data(),
                                 scratch);
      }
    }
    if (upstream && o.status == Status::complete) o.status = Status::incomplete;
    if (o.status != Status::complete)
      for (const OutputSpec& os : d.outputs) uncertain[static_cast<std::size_t>(os.slot)] = 1;
    if (o.status == Status::error)
      out.status = Status::error;
    else if (o.status == Status::incomplete && out.status == Status::complete)
      out.status = Status::incomplete;
  }
  for (std::size_t field = 0; field < n_inputs; ++field)
    if (counts[field] > 0)
      out.missing.push_back(MissingInput{static_cast<int>(field), counts[field]});
  if (p.has_ask_values()) add_asked_inputs(p, out, options);
  std::stable_sort(out.missing.begin(), out.missing.end(),
                   [](const MissingInput& x, const MissingInput& y) { return x.rules > y.rules; });
}

}  // namespace engine
}  // namespace v1
}  // namespace aiguillage
