// Decision records (document aiguillage.decision_record, schema_version 1.0): pseudonymised,
// minimal, and enough to replay the decision and to report to the employment committees how
// the criteria were applied.
#pragma once

#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

#include "aiguillage/orientation/orientation.hpp"

namespace aiguillage {
inline namespace v1 {

inline constexpr std::string_view kDecisionRecordSchema = "aiguillage.decision_record";

// Below this a key is guessable, and pseudonyms under it reversible by trying every identifier.
inline constexpr std::size_t kMinPseudonymKeyBytes = 16;

// HMAC-SHA256 of the person's identifier under the deployment's key, "hmac-sha256:" + hex.
// The same person gives the same pseudonym under one key; without the key it cannot be undone.
// Throws Error(key_too_short) for a key under kMinPseudonymKeyBytes and
// Error(identifier_missing) for an empty identifier.
AIG_API std::string pseudonymise(std::string_view key, std::string_view person_id);

// An identifier as read from a document, with its JSON type: the string "1" and the integer 1
// are different persons. A string is pseudonymised as its bytes (it may hold no control
// character), an integer as "\0integer:" followed by its decimal digits, which no accepted
// string can equal: the two kinds never share a pseudonym.
struct PersonId {
  std::string text;  // the string, or the integer's decimal digits
  bool integer = false;
};
std::string pseudonymise(std::string_view key, const PersonId& person_id);

struct AIG_API DecisionRecordInput {
  std::string person_pseudonym;  // from pseudonymise()
  std::string territory;         // département code, when known ("" otherwise)
  std::string recorded_at;       // caller-supplied timestamp
};

// The record as canonical JSON (one line, sorted keys): schema, schema_version, person,
// territory, reference_date, inputs (name -> {value, source}), proposal (outputs, evident,
// review_reasons, questions, fired rules per decision), decision (action, decided_by,
// actor_role, reason, outputs, decided_at), pack {id, version, hash}, engine, recorded_at.
AIG_API std::string make_decision_record(const Pack& pack, const Proposal& proposal,
                                         const OrientationDecision& decision,
                                         const DecisionRecordInput& in);

// The record and its duplicate key (decision_key of decision_log.hpp), computed from the parts
// the record is built from rather than by reading the record again.
struct KeyedDecisionRecord {
  std::string record;
  std::string key;
};
KeyedDecisionRecord make_keyed_decision_record(const Pack& pack, const Proposal& proposal,
                                               const OrientationDecision& decision,
                                               const DecisionRecordInput& in);

}  // namespace v1
}  // namespace aiguillage
