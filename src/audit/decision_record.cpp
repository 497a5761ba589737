#include "aiguillage/audit/decision_record.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/core/version.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::json;

std::string json_text(std::string_view s) {
  return Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k) out += ',';
    out += json_text(items[k]);
  }
  return out + ']';
}

// A fragment written by another module (an outputs object in evaluation order, a decimal with
// its own number format) in canonical form; texts already canonical by construction skip this.
std::string canonical_fragment(const std::string& text) {
  return text.empty() ? std::string("null") : canonical_json(text);
}

// A value in canonical form: scalars that canonical_json writes the same way are kept as they
// are (most inputs), the others go through canonical_json.
void append_canonical_value(std::string& out, const Value& value) {
  const std::size_t start = out.size();
  value.append_json(out);
  const std::string_view written = std::string_view(out).substr(start);
  bool kept = true;
  switch (value.type()) {
    case Type::null:
    case Type::boolean:
    case Type::integer:
    case Type::date:
      break;
    case Type::string:
      kept = written.find('\\') == std::string_view::npos;  // no escape: nothing to differ
      break;
    case Type::decimal:
      kept = written.find('.') == std::string_view::npos;  // integral: written as an integer
      break;
    case Type::list:
      kept = false;
      break;
  }
  if (kept) return;
  std::string canonical = canonical_json(written);
  out.resize(start);
  out += canonical;
}

// The validated inputs, each with where its value comes from (R311-3-1-2 CRPA, 2°). Every
// declared input appears, null when it was not provided: a committee report must be able to
// say which data were missing, and replay must see the same absences. Written in canonical form
// (names in byte order, members "source" then "value").
std::string inputs_object(const Pack& pack, const Proposal& proposal) {
  const InputSchema& schema = pack.inputs();
  const int reference = pack.reference_date_field();
  const bool have_record = proposal.evaluation.input.values.size() == schema.size();
  Json parsed;
  if (!have_record && !proposal.inputs_json.empty()) parsed = Json::parse(proposal.inputs_json);
  std::vector<std::size_t> order;
  order.reserve(schema.size());
  for (std::size_t k = 0; k < schema.size(); ++k)
    if (static_cast<int>(k) != reference) order.push_back(k);  // recorded once, at the top level
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return schema.field(a).name < schema.field(b).name;
  });
  std::string out = "{";
  for (const std::size_t k : order) {
    const FieldSpec& field = schema.field(k);
    if (out.size() > 1) out += ',';
    out += json_text(field.name) + ":{\"source\":" + json_text(source_kind_name(field.source)) +
           ",\"value\":";
    if (have_record) {
      append_canonical_value(out, proposal.evaluation.input.values[k]);
    } else if (auto it = parsed.is_object() ? parsed.find(field.name) : parsed.end();
               parsed.is_object() && it != parsed.end()) {
      out += canonical_json(it->dump());
    } else {
      out += "null";
    }
    out += '}';
  }
  return out + '}';
}

// Decision id -> ids of the rules that fired, decisions in byte order (canonical form).
std::string fired_rules(const Pack& pack, const Proposal& proposal) {
  const auto& decisions = pack.decisions();
  const auto& outcomes = proposal.evaluation.decisions;
  std::vector<std::size_t> order;
  for (std::size_t d = 0; d < decisions.size() && d < outcomes.size(); ++d)
    if (decisions[d].kind == Decision::Kind::table) order.push_back(d);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return decisions[a].id < decisions[b].id; });
  std::string out = "{";
  for (const std::size_t d : order) {
    std::string ids = "[";
    for (std::size_t k = 0; k < outcomes[d].fired.size(); ++k) {
      const int rule = outcomes[d].fired[k];
      if (k) ids += ',';
      ids += json_text(rule >= 0 && static_cast<std::size_t>(rule) < decisions[d].rules.size()
                           ? decisions[d].rules[static_cast<std::size_t>(rule)].id
                           : std::to_string(rule));
    }
    if (out.size() > 1) out += ',';
    out += json_text(decisions[d].id) + ':' + ids + ']';
  }
  return out + '}';
}

}  // namespace

namespace {
std::string hmac_pseudonym(std::string_view key, std::string_view person_id) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(person_id.data()), person_id.size(), digest,
            &length) ||
      length != 32)
    throw Error(ErrorCode::internal, "HMAC-SHA256 computation failed");
  Sha256 bytes{};
  for (std::size_t k = 0; k < bytes.size(); ++k) bytes[k] = digest[k];
  return "hmac-sha256:" + to_hex(bytes);
}

void check_key(std::string_view key) {
  if (key.size() < kMinPseudonymKeyBytes)
    throw Error(ErrorCode::key_too_short,
                "the pseudonymisation key has " + std::to_string(key.size()) + " bytes; at least " +
                    std::to_string(kMinPseudonymKeyBytes) +
                    " are needed, or the pseudonyms can be undone by trying every identifier");
}
}  // namespace

std::string pseudonymise(std::string_view key, std::string_view person_id) {
  return pseudonymise(key, PersonId{std::string(person_id), false});
}

std::string pseudonymise(std::string_view key, const PersonId& person_id) {
  check_key(key);
  if (person_id.text.empty())
    throw Error(ErrorCode::identifier_missing,
                "the person has no identifier: a record without one could not be joined to the "
                "person's other records, or would be joined to someone else's");
  if (person_id.integer) {
    const std::string_view t = person_id.text;
    const std::string_view digits = t.substr(!t.empty() && t[0] == '-');
    if (digits.empty() ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      throw Error(ErrorCode::invalid_argument, "an integer identifier must be decimal digits");
    return hmac_pseudonym(key, std::string("\0integer:", 9) + person_id.text);
  }
  for (char c : person_id.text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw Error(ErrorCode::invalid_argument, "a person identifier may hold no control character",
                  "/person_id");
  return hmac_pseudonym(key, person_id.text);
}

KeyedDecisionRecord make_keyed_decision_record(const Pack& pack, const Proposal& proposal,
                                               const OrientationDecision& decision,
                                               const DecisionRecordInput& in) {
  if (!proposal.errors.empty())
    throw Error(ErrorCode::invalid_argument, "a rejected person has no proposal to record: " +
                                                 proposal.errors.front().describe());
  if (!proposal.pack_hash.empty() && proposal.pack_hash != pack.hash())
    throw Error(ErrorCode::invalid_argument, "the proposal was made with the pack " +
                                                 proposal.pack_hash + ", not with " + pack.hash());
  if (pack.human_decision_required() && decision.decided_by == DecidedBy::policy)
    throw Error(ErrorCode::human_decision_required,
                "pack " + pack.id() + " is never decided by policy: no record of a policy decision",
                "/decision/decided_by");
  if (in.person_pseudonym.empty())
    throw Error(ErrorCode::identifier_missing, "a decision record needs the person's pseudonym");
  check_timestamp(in.recorded_at, "recorded_at");

  std::vector<std::string> questions;
  for (const Question& q : proposal.questions) questions.push_back(q.input);

  // Written in canonical form in one pass (members in byte order, no space; fragments of other
  // modules put in canonical form on their own): the bytes built are the bytes hashed, stored
  // and returned, and the parts of the duplicate key are at hand.
  const std::string person = json_text(in.person_pseudonym);
  const std::string pack_hash = json_text(pack.hash());
  const std::string reference_date = json_text(proposal.reference_date.to_string());
  const std::string inputs = inputs_object(pack, proposal);
  std::string prop = "{\"evident\":" + std::string(proposal.evident ? "true" : "false");
  prop += ",\"fired\":" + fired_rules(pack, proposal);
  prop += ",\"outputs\":" + canonical_fragment(proposal.outputs_json);
  prop += ",\"questions\":" + string_list(questions);
  prop += ",\"review_reasons\":" + string_list(proposal.review_reasons);
  prop += ",\"status\":" + json_text(status_name(proposal.status));
  prop += '}';

  KeyedDecisionRecord out;
  std::string& text = out.record;
  text.reserve(inputs.size() + prop.size() + 1024);
  text += "{\"decision\":{";
  text += "\"action\":" + json_text(action_name(decision.action));
  text += ",\"actor_role\":" + json_text(decision.actor_role);
  if (!decision.contract_signed_at.empty())
    text += ",\"contract_signed_at\":" + json_text(decision.contract_signed_at);
  text += ",\"decided_at\":" + json_text(decision.decided_at);
  text +=
      ",\"decided_by\":" + json_text(decision.decided_by == DecidedBy::policy ? "policy" : "human");
  if (pack.human_decision_required() || !decision.hearing.observations.empty() ||
      !decision.hearing.legitimate_reason.empty())
    text += ",\"hearing\":{\"legitimate_reason\":" + json_text(decision.hearing.legitimate_reason) +
            ",\"observations\":" + json_text(decision.hearing.observations) + '}';
  text += ",\"outputs\":" + canonical_fragment(decision.outputs_json);
  text +=
      ",\"reason\":" + (decision.reason.empty() ? std::string("null") : json_text(decision.reason));
  text += '}';
  text += ",\"engine\":" + json_text(proposal.engine_version.empty() ? std::string(engine_version())
                                                                     : proposal.engine_version);
  text += ",\"inputs\":" + inputs;
  text += ",\"pack\":{\"hash\":" + pack_hash + ",\"id\":" + json_text(pack.id()) +
          ",\"version\":" + json_text(pack.version()) + '}';
  text += ",\"person\":" + person;
  text += ",\"proposal\":" + prop;
  text += ",\"recorded_at\":" + json_text(in.recorded_at);
  text += ",\"reference_date\":" + reference_date;
  text += ",\"schema\":" + json_text(kDecisionRecordSchema);
  // 1.1 added decision.contract_signed_at: a record without it is still written as 1.0, so
  // that records and their hashes do not change for callers that do not give it.
  text += decision.contract_signed_at.empty() ? ",\"schema_version\":\"1.0\""
                                              : ",\"schema_version\":\"1.1\"";
  text +=
      ",\"territory\":" + (in.territory.empty() ? std::string("null") : json_text(in.territory));
  text += '}';
  out.key = decision_key_of_parts(person, pack_hash, reference_date, inputs, prop);
  return out;
}

std::string make_decision_record(const Pack& pack, const Proposal& proposal,
                                 const OrientationDecision& decision,
                                 const DecisionRecordInput& in) {
  return make_keyed_decision_record(pack, proposal, decision, in).record;
}

}  // namespace v1
}  // namespace aiguillage
