#include "aiguillage/orientation/orientation.hpp"

#include <algorithm>

#include "aiguillage/core/version.hpp"
#include "aiguillage/detail/json_read.hpp"

namespace aiguillage {
inline namespace v1 {

std::string_view action_name(Action a) noexcept {
  switch (a) {
    case Action::confirm:
      return "confirm";
    case Action::override_outputs:
      return "override";
    case Action::reorient:
      return "reorient";
  }
  return "confirm";
}

std::optional<Action> parse_action(std::string_view text) noexcept {
  if (text == "confirm") return Action::confirm;
  if (text == "override") return Action::override_outputs;
  if (text == "reorient") return Action::reorient;
  return std::nullopt;
}

namespace {

using detail::json;

constexpr std::string_view kMissingInformation = "missing_information";

void append_string(std::string& out, std::string_view s) {
  Value::string(s).append_json(out);
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// Every output of the pack, in pack order (decisions, then their outputs).
std::vector<const OutputSpec*> pack_outputs(const Pack& pack) {
  std::vector<const OutputSpec*> out;
  for (const Decision& d : pack.decisions())
    for (const OutputSpec& o : d.outputs) out.push_back(&o);
  return out;
}

// The canonical JSON text of one value of an output, or Error(invalid_argument) when the value
// does not have the output's type (enum values must be in the closed list).
std::string scalar_json(TypeKind kind, const std::vector<std::string>* domain, const json& v,
                        const std::string& name, const std::string& pointer) {
  auto refuse = [&](const std::string& what) {
    return Error(ErrorCode::invalid_argument, "output " + name + ": " + what, pointer);
  };
  switch (kind) {
    case TypeKind::boolean:
      if (!v.is_boolean()) throw refuse("expected true or false, got " + v.dump());
      return v.get<bool>() ? "true" : "false";
    case TypeKind::integer:
      if (!v.is_number_integer() ||
          (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t{INT64_MAX}))
        throw refuse("expected an integer, got " + v.dump());
      return std::to_string(v.get<std::int64_t>());
    case TypeKind::decimal: {
      std::optional<Decimal> d = v.is_number() ? Decimal::parse(v.dump()) : std::nullopt;
      if (!d) throw refuse("expected a decimal number, got " + v.dump());
      return d->to_string();
    }
    case TypeKind::date: {
      std::optional<Date> d = v.is_string() ? Date::parse(v.get<std::string>()) : std::nullopt;
      if (!d) throw refuse("expected a date \"YYYY-MM-DD\", got " + v.dump());
      return Value::date(*d).to_json();
    }
    case TypeKind::string: {
      if (!v.is_string()) throw refuse("expected a string, got " + v.dump());
      const std::string s = v.get<std::string>();
      if (domain && std::find(domain->begin(), domain->end(), s) == domain->end()) {
        std::string allowed;
        for (const std::string& x : *domain) allowed += (allowed.empty() ? "" : ", ") + x;
        throw refuse(v.dump() + " is not one of " + allowed);
      }
      return Value::string(s).to_json();
    }
    default:
      if (v.is_object() || v.is_array()) throw refuse("expected a single value, got " + v.dump());
      return v.dump();
  }
}

std::string output_json(const Pack& pack, const OutputSpec& o, const json& v,
                        const std::string& pointer) {
  if (v.is_null()) return "null";
  const StaticType t = pack.slot_type(o.slot);
  if (t.kind != TypeKind::list) return scalar_json(t.kind, t.domain, v, o.name, pointer);
  if (!v.is_array())
    throw Error(ErrorCode::invalid_argument,
                "output " + o.name + ": expected a list, got " + v.dump(), pointer);
  std::string out = "[";
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (k) out += ',';
    out += scalar_json(t.item, t.domain, v[k], o.name, detail::child(pointer, k));
  }
  return out + ']';
}

json parse_object(std::string_view text, std::string_view what) {
  json doc;
  try {
    doc = detail::parse_document(text);
  } catch (const Error& e) {
    throw Error(ErrorCode::invalid_argument,
                std::string(what) + " are not valid JSON: " + e.message());
  }
  if (!doc.is_object())
    throw Error(ErrorCode::invalid_argument, std::string(what) + " must be a JSON object");
  return doc;
}

// The text of a top-level member of a JSON object written by this library (strings escaped,
// so braces and quotes inside strings never confuse the scan); empty when absent.
std::string_view member_text(std::string_view object, std::string_view key) {
  int depth = 0;
  bool in_string = false;
  std::size_t string_start = 0;
  std::string_view last_string;
  for (std::size_t k = 0; k < object.size(); ++k) {
    const char c = object[k];
    if (in_string) {
      if (c == '\\') {
        ++k;
      } else if (c == '"') {
        in_string = false;
        last_string = object.substr(string_start, k - string_start);
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      string_start = k + 1;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ':' && depth == 1 && last_string == key) {
      // The value runs to the next comma or closing brace at this depth.
      std::size_t begin = k + 1, end = begin;
      int d = 0;
      bool s = false;
      for (; end < object.size(); ++end) {
        const char x = object[end];
        if (s) {
          if (x == '\\')
            ++end;
          else if (x == '"')
            s = false;
          continue;
        }
        if (x == '"') {
          s = true;
        } else if (x == '{' || x == '[') {
          ++d;
        } else if (x == '}' || x == ']') {
          if (d == 0) break;
          --d;
        } else if (x == ',' && d == 0) {
          break;
        }
      }
      return object.substr(begin, end - begin);
    } else if (c == ',' && depth == 1) {
      last_string = {};
    }
  }
  return {};
}

void append_errors(std::string& out, const std::vector<Error>& errors) {
  out += '[';
  for (std::size_t k = 0; k < errors.size(); ++k) {
    const Error& err = errors[k];
    if (k) out += ',';
    out += "{\"code\":" + std::to_string(static_cast<int>(err.code())) + ",\"name\":";
    append_string(out, error_code_name(err.code()));
    out += ",\"message\":";
    append_string(out, err.message());
    out += ",\"pointer\":";
    append_string(out, err.pointer());
    out += '}';
  }
  out += ']';
}

}  // namespace

Orienter::Orienter(Pack pack, OrientationPolicy policy)
    : evaluator_(std::move(pack)), policy_(policy) {}

Proposal Orienter::propose(std::string_view person_json, Date reference_date,
                           bool with_trace) const {
  const Pack& p = pack();
  Proposal out;
  out.reference_date = reference_date;
  out.pack_id = p.id();
  out.pack_version = p.version();
  out.pack_hash = p.hash();
  out.engine_version = std::string(engine_version());
  Evaluation& e = out.evaluation;
  EvalOptions options;
  options.reference_date = reference_date;
  options.trace = true;
  try {
    evaluator_.evaluate_json(person_json, e, options);
  } catch (const Error& err) {
    // Limits of the document reader surface as exceptions; a person is still never fatal.
    e.status = Status::error;
    e.errors.assign(1, err);
    e.frame.clear();
    e.decisions.clear();
    e.missing.clear();
  }
  out.status = e.status;
  out.errors = e.errors;
  out.trace_json = evaluation_to_json(p, e, with_trace);

  const std::size_t n_inputs = p.inputs().size();
  const bool evaluated = e.frame.size() == p.slot_count() && !e.frame.empty();
  if (evaluated) {
    const Value& ref = e.frame[static_cast<std::size_t>(p.reference_date_field())];
    if (ref.type() == Type::date) out.reference_date = ref.as_date();
  }
  out.inputs_json = "{";
  if (evaluated)
    for (std::size_t f = 0; f < n_inputs; ++f) {
      if (e.frame[f].is_null()) continue;
      if (out.inputs_json.size() > 1) out.inputs_json += ',';
      append_string(out.inputs_json, p.inputs().field(f).name);
      out.inputs_json += ':';
      out.inputs_json += e.frame[f].to_json();
    }
  out.inputs_json += '}';

  if (out.status == Status::error || !out.errors.empty() || !evaluated) {
    out.status = Status::error;
    out.outputs_json = "{}";
    out.evident = false;
    return out;
  }

  out.outputs_json = "{";
  for (const OutputSpec* o : pack_outputs(p)) {
    if (out.outputs_json.size() > 1) out.outputs_json += ',';
    append_string(out.outputs_json, o->name);
    out.outputs_json += ':';
    out.outputs_json += e.frame[static_cast<std::size_t>(o->slot)].to_json();
  }
  out.outputs_json += '}';

  const int reasons = p.slot_of(orientation_outputs::review_reasons);
  auto add_reason = [&](std::string_view code) {
    if (std::find(out.review_reasons.begin(), out.review_reasons.end(), code) ==
        out.review_reasons.end())
      out.review_reasons.emplace_back(code);
  };
  if (reasons >= static_cast<int>(n_inputs)) {
    const Value& v = e.frame[static_cast<std::size_t>(reasons)];
    if (v.type() == Type::string) add_reason(v.as_string());
    if (v.type() == Type::list)
      for (std::size_t k = 0; k < v.list_size(); ++k)
        if (v[k].type() == Type::string) add_reason(v[k].as_string());
  }
  if (out.status == Status::incomplete) add_reason(kMissingInformation);

  for (const MissingInput& m : e.missing) {
    const FieldSpec& f = p.inputs().field(static_cast<std::size_t>(m.field));
    Question q;
    q.input = f.name;
    q.label_fr = f.label_fr.empty() ? f.name : f.label_fr;
    q.label_en = f.label_en.empty() ? f.name : f.label_en;
    q.rules = m.rules;
    out.questions.push_back(std::move(q));
  }
  out.evident = out.status == Status::complete && out.review_reasons.empty();
  return out;
}

OrientationDecision Orienter::decide(const Proposal& proposal, std::string_view actor_role,
                                     Action action, std::string_view reason,
                                     std::string_view decided_at,
                                     std::string_view override_outputs_json) const {
  const Pack& p = pack();
  if (!proposal.errors.empty() || proposal.status == Status::error)
    throw Error(ErrorCode::invalid_argument,
                "a proposal with errors cannot be decided: correct the person's data first");
  if (!proposal.pack_hash.empty() && proposal.pack_hash != p.hash())
    throw Error(ErrorCode::invalid_argument, "the proposal was made with pack " + proposal.pack_id +
                                                 " " + proposal.pack_version + " (" +
                                                 proposal.pack_hash + "), not with " + p.id() +
                                                 " " + p.version() + " (" + p.hash() + ")");
  if (blank(actor_role)) throw Error(ErrorCode::invalid_argument, "a decision needs an actor role");
  const bool changes = action != Action::confirm;
  if (changes && blank(reason))
    throw Error(ErrorCode::invalid_argument, action == Action::reorient
                                                 ? "a re-orientation needs a reason"
                                                 : "an override needs a reason");
  if (!changes && !override_outputs_json.empty() && !blank(override_outputs_json))
    throw Error(ErrorCode::invalid_argument,
                "a confirmation keeps the proposal's outputs; use override to change them");

  json overrides = json::object();
  if (changes) {
    if (blank(override_outputs_json))
      throw Error(ErrorCode::invalid_argument,
                  std::string(action == Action::reorient ? "a re-orientation" : "an override") +
                      " needs the outputs it decides");
    overrides = parse_object(override_outputs_json, "override outputs");
    if (overrides.empty())
      throw Error(ErrorCode::invalid_argument,
                  std::string(action == Action::reorient ? "a re-orientation" : "an override") +
                      " needs the outputs it decides");
    const auto outputs = pack_outputs(p);
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
      const bool known = std::any_of(outputs.begin(), outputs.end(),
                                     [&](const OutputSpec* o) { return o->name == it.key(); });
      if (!known) {
        std::string names;
        for (const OutputSpec* o : outputs) names += (names.empty() ? "" : ", ") + o->name;
        throw Error(ErrorCode::invalid_argument,
                    "override outputs: " + it.key() + " is not an output of " + p.id() +
                        " (outputs: " + names + ")",
                    "/" + json_pointer_token(it.key()));
      }
    }
  }
  const json proposed = parse_object(proposal.outputs_json, "the proposal's outputs");

  OrientationDecision d;
  d.action = action;
  d.decided_by = DecidedBy::human;
  d.actor_role = std::string(actor_role);
  d.reason = std::string(reason);
  d.decided_at = std::string(decided_at);
  d.outputs_json = "{";
  for (const OutputSpec* o : pack_outputs(p)) {
    const std::string pointer = "/" + json_pointer_token(o->name);
    auto over = overrides.find(o->name);
    auto prop = proposed.find(o->name);
    const json& v = over != overrides.end() ? *over : prop != proposed.end() ? *prop : json();
    if (d.outputs_json.size() > 1) d.outputs_json += ',';
    append_string(d.outputs_json, o->name);
    d.outputs_json += ':';
    d.outputs_json += output_json(p, *o, v, pointer);
  }
  d.outputs_json += '}';
  return d;
}

std::optional<OrientationDecision> Orienter::auto_decide(const Proposal& proposal,
                                                         std::string_view decided_at) const {
  if (!policy_.auto_confirm_evident || !proposal.evident || !proposal.errors.empty() ||
      proposal.status != Status::complete)
    return std::nullopt;
  OrientationDecision d = decide(proposal, "policy", Action::confirm, {}, decided_at);
  d.decided_by = DecidedBy::policy;
  return d;
}

std::string proposal_to_json(const Proposal& p, bool with_trace) {
  std::string out;
  out.reserve(512 + (with_trace ? p.trace_json.size() : 0));
  out += "{\"status\":\"";
  out += status_name(p.status);
  out += "\",\"evident\":";
  out += p.evident ? "true" : "false";
  out += ",\"review_reasons\":[";
  for (std::size_t k = 0; k < p.review_reasons.size(); ++k) {
    if (k) out += ',';
    append_string(out, p.review_reasons[k]);
  }
  out += "],\"questions\":[";
  for (std::size_t k = 0; k < p.questions.size(); ++k) {
    const Question& q = p.questions[k];
    if (k) out += ',';
    out += "{\"input\":";
    append_string(out, q.input);
    out += ",\"label\":{\"fr\":";
    append_string(out, q.label_fr);
    out += ",\"en\":";
    append_string(out, q.label_en);
    out += "},\"rules\":" + std::to_string(q.rules) + '}';
  }
  out += "],\"reference_date\":";
  Value::date(p.reference_date).append_json(out);
  out += ",\"outputs\":";
  out += p.outputs_json.empty() ? "{}" : p.outputs_json;
  out += ",\"inputs\":";
  out += p.inputs_json.empty() ? "{}" : p.inputs_json;
  out += ",\"fired\":";
  const std::string_view fired = member_text(p.trace_json, "fired");
  out += fired.empty() ? std::string_view("{}") : fired;
  out += ",\"errors\":";
  append_errors(out, p.errors);
  out += ",\"pack\":{\"id\":";
  append_string(out, p.pack_id);
  out += ",\"version\":";
  append_string(out, p.pack_version);
  out += ",\"hash\":";
  append_string(out, p.pack_hash);
  out += "},\"engine\":";
  append_string(out, p.engine_version);
  if (with_trace) {
    const std::string_view trace = member_text(p.trace_json, "trace");
    out += ",\"trace\":";
    out += trace.empty() ? std::string_view("null") : trace;
  }
  out += '}';
  return out;
}

std::string decision_to_json(const OrientationDecision& d) {
  std::string out = "{\"action\":";
  append_string(out, action_name(d.action));
  out += ",\"decided_by\":";
  append_string(out, d.decided_by == DecidedBy::policy ? "policy" : "human");
  out += ",\"actor_role\":";
  append_string(out, d.actor_role);
  out += ",\"reason\":";
  append_string(out, d.reason);
  out += ",\"outputs\":";
  out += d.outputs_json.empty() ? "{}" : d.outputs_json;
  out += ",\"decided_at\":";
  append_string(out, d.decided_at);
  out += '}';
  return out;
}

}  // namespace v1
}  // namespace aiguillage
