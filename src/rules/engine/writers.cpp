// The result writers: evaluation_to_json's line, and the same line from a row's result with
// the pack's names escaped once.
#include <string>

#include "aiguillage/core/version.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "rules/engine/engine.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

void append_string(std::string& out, std::string_view s) {
  Value::string(s).append_json(out);
}

}  // namespace

RowResult row_result(const Evaluation& e, bool rejected) {
  RowResult r;
  r.status = e.status;
  r.rejected = rejected;
  r.frame = e.frame.empty() ? nullptr : e.frame.data();
  r.decisions = e.decisions;
  r.missing = e.missing;
  r.errors = e.errors;
  return r;
}

namespace {

// How the writers below write a pack's names: escaped on the spot (a single line), or taken
// ready-made from the evaluator's JsonNames (lines by the thousand).
struct EscapedNames {
  const Pack& p;
  void output(std::string& out, const OutputSpec& o, std::size_t) const {
    append_string(out, o.name);
    out += ':';
  }
  void table(std::string& out, std::size_t k) const {
    append_string(out, p.decisions()[k].id);
    out += ':';
  }
  void rule(std::string& out, std::size_t k, std::size_t r) const {
    append_string(out, p.decisions()[k].rules[r].id);
  }
};
struct ReadyNames {
  const detail::JsonNames& n;
  void output(std::string& out, const OutputSpec&, std::size_t index) const {
    out += n.outputs[index].key;
  }
  void table(std::string& out, std::size_t k) const { out += n.table_keys[k]; }
  void rule(std::string& out, std::size_t k, std::size_t r) const { out += n.rule_ids[k][r]; }
};

template <typename Names>
void append_fired(std::string& out, const Pack& p, std::span<const DecisionOutcome> d,
                  const Names& names) {
  out += '{';
  bool first = true;
  for (std::size_t k = 0; k < d.size(); ++k) {
    const DecisionTable& dec = p.decisions()[k];
    if (dec.kind != DecisionTable::Kind::table) continue;
    if (!first) out += ',';
    first = false;
    names.table(out, k);
    out += '[';
    for (std::size_t j = 0; j < d[k].fired.size(); ++j) {
      if (j) out += ',';
      names.rule(out, k, static_cast<std::size_t>(d[k].fired[j]));
    }
    out += ']';
  }
  out += '}';
}

// The line without its closing brace (the trace may follow).
template <typename Names>
void append_result_members(std::string& out, const Pack& p, const RowResult& r,
                           const Names& names) {
  out += "{\"status\":\"";
  out += status_name(r.status);
  out += "\",\"outputs\":{";
  bool first = true;
  std::size_t index = 0;
  if (r.frame)
    for (const DecisionTable& d : p.decisions())
      for (const OutputSpec& o : d.outputs) {
        if (!first) out += ',';
        first = false;
        names.output(out, o, index++);
        r.frame[static_cast<std::size_t>(o.slot)].append_json(out);
      }
  out += "},\"fired\":";
  append_fired(out, p, r.decisions, names);
  if (!r.missing.empty()) {
    out += ",\"missing\":[";
    for (std::size_t k = 0; k < r.missing.size(); ++k) {
      if (k) out += ',';
      out += "{\"input\":";
      append_string(out, p.inputs().field(static_cast<std::size_t>(r.missing[k].field)).name);
      out += ",\"rules\":";
      out += std::to_string(r.missing[k].rules);
      out += '}';
    }
    out += ']';
  }
  if (!r.errors.empty()) {
    out += ",\"errors\":";
    detail::append_errors_json(out, r.errors);
  }
}

std::string quoted(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

}  // namespace

namespace detail {

void append_errors_json(std::string& out, std::span<const Error> errors) {
  out += '[';
  for (std::size_t k = 0; k < errors.size(); ++k) {
    const Error& err = errors[k];
    if (k) out += ',';
    out += "{\"code\":";
    out += std::to_string(static_cast<int>(err.code()));
    out += ",\"name\":";
    append_string(out, error_code_name(err.code()));
    out += ",\"message\":";
    append_string(out, err.message());
    out += ",\"pointer\":";
    append_string(out, err.pointer());
    out += '}';
  }
  out += ']';
}

JsonNames::JsonNames(const Pack& pack) {
  for (const FieldSpec& f : pack.inputs().fields()) input_keys.push_back(quoted(f.name) + ':');
  for (const DecisionTable& d : pack.decisions()) {
    for (const OutputSpec& o : d.outputs) outputs.push_back({quoted(o.name) + ':', o.slot});
    const bool table = d.kind == DecisionTable::Kind::table;
    table_keys.push_back(table ? quoted(d.id) + ':' : std::string());
    rule_ids.emplace_back();
    if (table)
      for (const Rule& r : d.rules) rule_ids.back().push_back(quoted(r.id));
  }
}

}  // namespace detail

void Evaluator::append_fired_json(std::string& out,
                                  std::span<const DecisionOutcome> decisions) const {
  append_fired(out, pack_, decisions, ReadyNames{engine_->names});
}

void Evaluator::append_result_json(std::string& out, const RowResult& r) const {
  append_result_members(out, pack_, r, ReadyNames{engine_->names});
  out += '}';
}

std::string evaluation_to_json(const Pack& p, const Evaluation& e, bool trace) {
  std::string out;
  out.reserve(256);
  append_result_members(out, p, row_result(e), EscapedNames{p});
  if (trace && !e.frame.empty()) {
    out += ",\"trace\":{\"pack\":{\"id\":";
    append_string(out, p.id());
    out += ",\"version\":";
    append_string(out, p.version());
    out += ",\"hash\":";
    append_string(out, p.hash());
    out += "},\"engine\":";
    append_string(out, engine_version());
    out += ",\"inputs\":{";
    for (std::size_t f = 0; f < p.inputs().size(); ++f) {
      if (f) out += ',';
      append_string(out, p.inputs().field(f).name);
      out += ':';
      e.frame[f].append_json(out);
    }
    out += "},\"variables\":{";
    for (std::size_t v = 0; v < p.variables().size(); ++v) {
      if (v) out += ',';
      append_string(out, p.variables()[v].name);
      out += ':';
      e.frame[static_cast<std::size_t>(p.variables()[v].slot)].append_json(out);
    }
    out += "},\"decisions\":[";
    bool first_node = true;
    for (const Node& node : p.order()) {
      if (node.kind != Node::Kind::decision) continue;
      const DecisionTable& d = p.decisions()[static_cast<std::size_t>(node.index)];
      const DecisionOutcome& o = e.decisions[static_cast<std::size_t>(node.index)];
      if (!first_node) out += ',';
      first_node = false;
      out += "{\"id\":";
      append_string(out, d.id);
      out += ",\"status\":\"";
      out += status_name(o.status);
      out += '"';
      if (d.kind == DecisionTable::Kind::expression || !o.evaluated) {
        out += ",\"value\":";
        e.frame[static_cast<std::size_t>(d.outputs[0].slot)].append_json(out);
        out += '}';
        continue;
      }
      out += ",\"hit_policy\":";
      append_string(out, hit_policy_name(d.hit_policy));
      out += ",\"columns\":[";
      const CompiledTable& t = *d.compiled;
      EvalContext ctx{e.frame.data(), Value::null(), nullptr};
      for (std::size_t c = 0; c < d.inputs.size(); ++c) {
        if (c) out += ',';
        out += "{\"expression\":";
        append_string(out, d.inputs[c].text);
        out += ",\"value\":";
        Arena scratch;
        ctx.arena = &scratch;
        Value v = t.columns()[c].slot >= 0 ? e.frame[static_cast<std::size_t>(t.columns()[c].slot)]
                                           : d.inputs[c].expr.evaluate(ctx);
        v.append_json(out);
        out += ",\"region\":";
        append_string(out, t.describe_key(c, o.trace.keys[c]));
        out += '}';
      }
      out += "],\"rules\":[";
      auto verdicts = rule_verdicts(p, e, node.index);
      for (std::size_t r = 0; r < d.rules.size(); ++r) {
        if (r) out += ',';
        out += "{\"id\":";
        append_string(out, d.rules[r].id);
        out += ",\"result\":\"";
        out += rule_state_name(verdicts[r].state);
        out += '"';
        if (verdicts[r].rejected_by >= 0) {
          auto c = static_cast<std::size_t>(verdicts[r].rejected_by);
          out += ",\"rejected_by\":{\"column\":" + std::to_string(c) + ",\"cell\":";
          append_string(out, d.rules[r].when_text[c]);
          out += '}';
        }
        if (!verdicts[r].unknown_columns.empty()) {
          out += ",\"unknown\":[";
          for (std::size_t j = 0; j < verdicts[r].unknown_columns.size(); ++j) {
            if (j) out += ',';
            out += std::to_string(verdicts[r].unknown_columns[j]);
          }
          out += ']';
        }
        out += '}';
      }
      out += "]}";
    }
    out += "]}";
  }
  out += '}';
  return out;
}

}  // namespace v1
}  // namespace aiguillage
