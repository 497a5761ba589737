#include "aiguillage/audit/decision_record.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

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

// The validated inputs, each with where its value comes from (R311-3-1-2 CRPA, 2°). Every
// declared input appears, null when it was not provided: a committee report must be able to
// say which data were missing, and replay must see the same absences.
std::string inputs_object(const Pack& pack, const Proposal& proposal) {
  const InputSchema& schema = pack.inputs();
  const int reference = pack.reference_date_field();
  const bool have_record = proposal.evaluation.input.values.size() == schema.size();
  Json parsed;
  if (!have_record && !proposal.inputs_json.empty()) parsed = Json::parse(proposal.inputs_json);
  std::string out = "{";
  bool first = true;
  for (std::size_t k = 0; k < schema.size(); ++k) {
    if (static_cast<int>(k) == reference) continue;  // recorded once, at the top level
    const FieldSpec& field = schema.field(k);
    std::string value = "null";
    if (have_record) {
      value = proposal.evaluation.input.values[k].to_json();
    } else if (parsed.is_object()) {
      if (auto it = parsed.find(field.name); it != parsed.end()) value = it->dump();
    }
    if (!first) out += ',';
    first = false;
    out += json_text(field.name) + ":{\"source\":" + json_text(source_kind_name(field.source)) +
           ",\"value\":" + value + '}';
  }
  return out + '}';
}

std::string fired_rules(const Pack& pack, const Proposal& proposal) {
  const auto& decisions = pack.decisions();
  const auto& outcomes = proposal.evaluation.decisions;
  std::string out = "{";
  bool first = true;
  for (std::size_t d = 0; d < decisions.size() && d < outcomes.size(); ++d) {
    if (decisions[d].kind != Decision::Kind::table) continue;
    std::string ids = "[";
    for (std::size_t k = 0; k < outcomes[d].fired.size(); ++k) {
      const int rule = outcomes[d].fired[k];
      if (k) ids += ',';
      ids += json_text(rule >= 0 && static_cast<std::size_t>(rule) < decisions[d].rules.size()
                           ? decisions[d].rules[static_cast<std::size_t>(rule)].id
                           : std::to_string(rule));
    }
    if (!first) out += ',';
    first = false;
    out += json_text(decisions[d].id) + ':' + ids + ']';
  }
  return out + '}';
}

std::string object_or_null(const std::string& text) {
  return text.empty() ? std::string("null") : text;
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

std::string make_decision_record(const Pack& pack, const Proposal& proposal,
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

  std::string text = "{";
  text += "\"schema\":" + json_text(kDecisionRecordSchema);
  // 1.1 added decision.contract_signed_at: a record without it is still written as 1.0, so
  // that records and their hashes do not change for callers that do not give it.
  text += decision.contract_signed_at.empty() ? ",\"schema_version\":\"1.0\""
                                              : ",\"schema_version\":\"1.1\"";
  text += ",\"person\":" + json_text(in.person_pseudonym);
  text +=
      ",\"territory\":" + (in.territory.empty() ? std::string("null") : json_text(in.territory));
  text += ",\"reference_date\":" + json_text(proposal.reference_date.to_string());
  text += ",\"inputs\":" + inputs_object(pack, proposal);
  text += ",\"proposal\":{";
  text += "\"status\":" + json_text(status_name(proposal.status));
  text += ",\"evident\":" + std::string(proposal.evident ? "true" : "false");
  text += ",\"review_reasons\":" + string_list(proposal.review_reasons);
  text += ",\"questions\":" + string_list(questions);
  text += ",\"outputs\":" + object_or_null(proposal.outputs_json);
  text += ",\"fired\":" + fired_rules(pack, proposal);
  text += '}';
  text += ",\"decision\":{";
  text += "\"action\":" + json_text(action_name(decision.action));
  text +=
      ",\"decided_by\":" + json_text(decision.decided_by == DecidedBy::policy ? "policy" : "human");
  text += ",\"actor_role\":" + json_text(decision.actor_role);
  text +=
      ",\"reason\":" + (decision.reason.empty() ? std::string("null") : json_text(decision.reason));
  text += ",\"outputs\":" + object_or_null(decision.outputs_json);
  text += ",\"decided_at\":" + json_text(decision.decided_at);
  if (!decision.contract_signed_at.empty())
    text += ",\"contract_signed_at\":" + json_text(decision.contract_signed_at);
  if (pack.human_decision_required() || !decision.hearing.observations.empty() ||
      !decision.hearing.legitimate_reason.empty())
    text += ",\"hearing\":{\"observations\":" + json_text(decision.hearing.observations) +
            ",\"legitimate_reason\":" + json_text(decision.hearing.legitimate_reason) + '}';
  text += '}';
  text += ",\"pack\":{\"id\":" + json_text(pack.id()) +
          ",\"version\":" + json_text(pack.version()) + ",\"hash\":" + json_text(pack.hash()) + '}';
  text += ",\"engine\":" + json_text(proposal.engine_version.empty() ? std::string(engine_version())
                                                                     : proposal.engine_version);
  text += ",\"recorded_at\":" + json_text(in.recorded_at);
  text += '}';
  return canonical_json(text);
}

}  // namespace v1
}  // namespace aiguillage
