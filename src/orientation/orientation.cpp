#include "aiguillage/orientation/orientation.hpp"

#include <algorithm>

#include "aiguillage/core/version.hpp"
#include "aiguillage/rules/json_lines.hpp"
#include "core/json_read.hpp"
#include "proposal_writer.hpp"
#include "review.hpp"
#include "rules/json_names.hpp"

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

void append_pack_and_engine(std::string& out, std::string_view id, std::string_view version,
                            std::string_view hash, std::string_view engine) {
  out += ",\"pack\":{\"id\":";
  append_string(out, id);
  out += ",\"version\":";
  append_string(out, version);
  out += ",\"hash\":";
  append_string(out, hash);
  out += "},\"engine\":";
  append_string(out, engine);
}

}  // namespace

namespace {

Error policy_refused(const Pack& p) {
  return Error(ErrorCode::human_decision_required,
               "pack " + p.id() + " " + p.version() +
                   " is never decided by policy (human_decision_required): a human actor must "
                   "confirm or override each proposal",
               "/human_decision_required");
}

}  // namespace

Orienter::Orienter(Pack pack, OrientationPolicy policy)
    : evaluator_(std::move(pack)), policy_(policy) {
  if (policy_.auto_confirm_evident && evaluator_.pack().human_decision_required())
    throw policy_refused(evaluator_.pack());
}

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
  // Limits of the document reader become errors too: a person is never fatal.
  JsonLinesEvaluator::evaluate_line(evaluator_, person_json, e, options);
  out.status = e.status;
  out.errors = e.errors;
  out.trace_json = evaluation_to_json(p, e, with_trace);

  const bool evaluated = e.frame.size() == p.slot_count() && !e.frame.empty();
  if (evaluated) {
    const Value& ref = e.frame[static_cast<std::size_t>(p.reference_date_field())];
    if (ref.type() == Type::date) out.reference_date = ref.as_date();
  }
  detail::append_inputs(out.inputs_json, evaluator_.json_names(),
                        evaluated ? e.frame.data() : nullptr);

  if (out.status == Status::error || !out.errors.empty() || !evaluated) {
    out.status = Status::error;
    out.outputs_json = "{}";
    out.evident = false;
    return out;
  }

  detail::append_outputs(out.outputs_json, evaluator_.json_names(), e.frame.data());
  std::vector<std::string_view> reasons;
  detail::collect_reasons(p, e.frame.data(), out.status, reasons);
  out.review_reasons.assign(reasons.begin(), reasons.end());
  out.questions = detail::build_questions(p, e.missing);
  out.review_details = detail::build_review(p, e.frame.data(), e.decisions, reasons, out.questions);
  out.evident = out.status == Status::complete && out.review_reasons.empty();
  return out;
}

BulkProposer::BulkProposer(const Orienter& orienter, Date reference_date)
    : lines_(orienter.evaluator(),
             [&] {
               EvalOptions o;
               o.reference_date = reference_date;
               return o;
             }()),
      writer_(std::make_unique<detail::ProposalWriter>(orienter, reference_date)) {}

BulkProposer::~BulkProposer() = default;

void BulkProposer::run(std::span<const std::string_view> persons, const Sink& sink) {
  lines_.run(persons, [&](const RowResult& r) {
    text_.clear();
    const bool rejected = writer_->append(text_, r);
    sink(r.row, text_, rejected);
  });
}

void check_actor_role(std::string_view role) {
  const bool ok =
      !role.empty() && role.size() <= 64 && role[0] >= 'a' && role[0] <= 'z' &&
      std::all_of(role.begin(), role.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
      });
  if (!ok)
    throw Error(ErrorCode::invalid_actor,
                "the actor \"" + bounded_text(role, 64) +
                    "\" is not a role name (a-z, 0-9, _ - . from a letter, at most 64): records "
                    "name the role that decided, never a person",
                "/actor");
}

void check_timestamp(std::string_view at, std::string_view what) {
  auto fail = [&]() {
    return Error(ErrorCode::invalid_timestamp,
                 std::string(what) + " \"" + bounded_text(at, 64) +
                     "\" is not an ISO 8601 date or timestamp (YYYY-MM-DD or "
                     "YYYY-MM-DDThh:mm:ssZ, with an offset instead of Z if needed)",
                 "/" + std::string(what));
  };
  auto digits = [&](std::size_t from, std::size_t n, int lo, int hi) {
    if (from + n > at.size()) return false;
    int v = 0;
    for (std::size_t k = from; k < from + n; ++k) {
      if (at[k] < '0' || at[k] > '9') return false;
      v = v * 10 + (at[k] - '0');
    }
    return v >= lo && v <= hi;
  };
  if (at.size() < 10 || !Date::parse(at.substr(0, 10))) throw fail();
  if (at.size() == 10) return;
  // hh:mm
  if (at[10] != 'T' || !digits(11, 2, 0, 23) || at.size() < 16 || at[13] != ':' ||
      !digits(14, 2, 0, 59))
    throw fail();
  std::size_t k = 16;
  if (k < at.size() && at[k] == ':') {
    if (!digits(k + 1, 2, 0, 60)) throw fail();
    k += 3;
    if (k < at.size() && at[k] == '.') {
      const std::size_t from = ++k;
      while (k < at.size() && at[k] >= '0' && at[k] <= '9') ++k;
      if (k == from || k - from > 9) throw fail();
    }
  }
  if (k < at.size() && at[k] == 'Z' && k + 1 == at.size()) return;
  if (k + 6 == at.size() && (at[k] == '+' || at[k] == '-') && digits(k + 1, 2, 0, 23) &&
      at[k + 3] == ':' && digits(k + 4, 2, 0, 59))
    return;
  throw fail();
}

OrientationDecision Orienter::decide(const Proposal& proposal, std::string_view actor_role,
                                     Action action, std::string_view reason,
                                     std::string_view decided_at,
                                     std::string_view override_outputs_json) const {
  return decide(proposal, actor_role, action, reason, decided_at, override_outputs_json, Hearing{});
}

OrientationDecision Orienter::decide(const Proposal& proposal, std::string_view actor_role,
                                     Action action, std::string_view reason,
                                     std::string_view decided_at,
                                     std::string_view override_outputs_json,
                                     const Hearing& hearing) const {
  const Pack& p = pack();
  if (p.human_decision_required()) {
    if (actor_role == "policy") throw policy_refused(p);
    if (blank(hearing.observations))
      throw Error(ErrorCode::invalid_argument,
                  "pack " + p.id() +
                      " needs the person's observations before a decision (or that none came "
                      "within the time to answer)",
                  "/hearing/observations");
    if (blank(hearing.legitimate_reason))
      throw Error(
          ErrorCode::invalid_argument,
          "pack " + p.id() + " needs the assessment of a legitimate reason before a decision",
          "/hearing/legitimate_reason");
  }
  if (!proposal.errors.empty() || proposal.status == Status::error)
    throw Error(ErrorCode::invalid_argument,
                "a proposal with errors cannot be decided: correct the person's data first");
  if (!proposal.pack_hash.empty() && proposal.pack_hash != p.hash())
    throw Error(ErrorCode::invalid_argument, "the proposal was made with pack " + proposal.pack_id +
                                                 " " + proposal.pack_version + " (" +
                                                 proposal.pack_hash + "), not with " + p.id() +
                                                 " " + p.version() + " (" + p.hash() + ")");
  if (blank(actor_role)) throw Error(ErrorCode::invalid_argument, "a decision needs an actor role");
  check_actor_role(actor_role);
  check_timestamp(decided_at);
  if (reason.size() > kMaxReasonBytes)
    throw Error(ErrorCode::too_long,
                "a reason has at most " + std::to_string(kMaxReasonBytes) + " bytes, not " +
                    std::to_string(reason.size()),
                "/reason");
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
  d.hearing = hearing;
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
  if (pack().human_decision_required()) throw policy_refused(pack());
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
  out += "],\"review_details\":";
  detail::append_review_json(out, p.review_details);
  out += ",\"questions\":";
  detail::append_questions_json(out, p.questions);
  out += ",\"reference_date\":";
  Value::date(p.reference_date).append_json(out);
  out += ",\"outputs\":";
  out += p.outputs_json.empty() ? "{}" : p.outputs_json;
  out += ",\"inputs\":";
  out += p.inputs_json.empty() ? "{}" : p.inputs_json;
  out += ",\"fired\":";
  const std::string_view fired = member_text(p.trace_json, "fired");
  out += fired.empty() ? std::string_view("{}") : fired;
  out += ",\"errors\":";
  detail::append_errors_json(out, p.errors);
  append_pack_and_engine(out, p.pack_id, p.pack_version, p.pack_hash, p.engine_version);
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
  // Only packs that ask for a hearing have one: other decisions keep their exact text.
  if (!d.hearing.observations.empty() || !d.hearing.legitimate_reason.empty()) {
    out += ",\"hearing\":{\"observations\":";
    append_string(out, d.hearing.observations);
    out += ",\"legitimate_reason\":";
    append_string(out, d.hearing.legitimate_reason);
    out += '}';
  }
  out += '}';
  return out;
}

}  // namespace v1
}  // namespace aiguillage
