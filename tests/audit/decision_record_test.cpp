// Decision records: pseudonyms, canonical form, and everything a replay or a committee report
// needs.
#include "aiguillage/audit/decision_record.hpp"

#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/core/version.hpp"

namespace aiguillage {
namespace {

using nlohmann::json;

Pack youth_pack() {
  return Pack::load_file(std::string(AIG_SOURCE_DIR) + "/rules/examples/youth-guidance");
}

const Date kDate = *Date::parse("2025-03-01");

TEST(Pseudonymise, StableAndKeyDependent) {
  const std::string a = pseudonymise("key-one-0123456789", "P-0001");
  EXPECT_EQ(a, pseudonymise("key-one-0123456789", "P-0001"));
  EXPECT_EQ(a.rfind("hmac-sha256:", 0), 0u);
  EXPECT_EQ(a.size(), std::string("hmac-sha256:").size() + 64);
  EXPECT_NE(a, pseudonymise("key-two-0123456789", "P-0001"));
  EXPECT_NE(a, pseudonymise("key-one-0123456789", "P-0002"));
  // Not a plain hash of the identifier: without the key it cannot be recomputed.
  EXPECT_NE(a.substr(12), to_hex(sha256("P-0001")));
}

TEST(Pseudonymise, KnownVector) {
  // RFC 4231, test case 1 (test case 2's 4-byte key is now refused as too short).
  EXPECT_EQ(pseudonymise(std::string(20, '\x0b'), "Hi There"),
            "hmac-sha256:b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(Pseudonymise, RefusesAnEmptyKey) {
  EXPECT_THROW(pseudonymise("", "P-0001"), Error);
}

class DecisionRecordTest : public ::testing::Test {
 protected:
  DecisionRecordTest() : orienter_(youth_pack(), OrientationPolicy{true}) {}
  Orienter orienter_;
};

TEST_F(DecisionRecordTest, CanonicalAndComplete) {
  const Proposal p = orienter_.propose(
      R"({"birth_date": "2005-01-15", "rsa_beneficiary": false, "boe_status": "none",
          "requested_structure": "none", "months_since_last_activity": 3})",
      kDate);
  ASSERT_TRUE(p.errors.empty());
  const OrientationDecision d =
      orienter_.decide(p, "conseiller_france_travail", Action::override_outputs,
                       "La personne demande un accompagnement par France Travail.",
                       "2025-03-01T10:15:00+01:00", R"({"organisme": "france_travail"})");
  DecisionRecordInput in;
  in.person_pseudonym = pseudonymise("a-demo-key-0123456789", "P-0001");
  in.territory = "93";
  in.recorded_at = "2025-03-01T10:15:02+01:00";
  const std::string text = make_decision_record(orienter_.pack(), p, d, in);

  EXPECT_EQ(text, canonical_json(text));
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_EQ(text, make_decision_record(orienter_.pack(), p, d, in)) << "not deterministic";

  const json r = json::parse(text);
  EXPECT_EQ(r["schema"], "aiguillage.decision_record");
  EXPECT_EQ(r["schema_version"], "1.0");
  EXPECT_EQ(r["person"], in.person_pseudonym);
  EXPECT_EQ(r["territory"], "93");
  EXPECT_EQ(r["reference_date"], "2025-03-01");
  EXPECT_EQ(r["recorded_at"], in.recorded_at);
  EXPECT_EQ(r["engine"], std::string(engine_version()));
  EXPECT_EQ(r["pack"]["id"], "examples/youth-guidance");
  EXPECT_EQ(r["pack"]["version"], orienter_.pack().version());
  EXPECT_EQ(r["pack"]["hash"], orienter_.pack().hash());

  // Inputs carry their source; reference_date is recorded once, at the top.
  EXPECT_EQ(r["inputs"]["birth_date"]["value"], "2005-01-15");
  EXPECT_EQ(r["inputs"]["birth_date"]["source"], "declared");
  EXPECT_EQ(r["inputs"]["rsa_beneficiary"]["value"], false);
  EXPECT_EQ(r["inputs"]["rsa_beneficiary"]["source"], "administrative_record");
  EXPECT_EQ(r["inputs"]["months_since_last_activity"]["value"], 3);
  EXPECT_FALSE(r["inputs"].contains("reference_date"));
  EXPECT_EQ(r["inputs"].size(), orienter_.pack().inputs().size() - 1);

  const json& proposal = r["proposal"];
  EXPECT_EQ(proposal["status"], "complete");
  EXPECT_EQ(proposal["evident"], p.evident);
  EXPECT_EQ(proposal["outputs"]["organisme"], "mission_locale");
  EXPECT_EQ(proposal["fired"]["organisme_referent"], json::array({"O6"}));
  EXPECT_EQ(proposal["fired"]["cej_eligible"], json::array({"C2"}));
  EXPECT_FALSE(proposal["fired"].contains("date_limite_contrat"));  // an expression, no rules
  EXPECT_TRUE(proposal["review_reasons"].is_array());
  EXPECT_TRUE(proposal["questions"].is_array());

  const json& decision = r["decision"];
  EXPECT_EQ(decision["action"], "override");
  EXPECT_EQ(decision["decided_by"], "human");
  EXPECT_EQ(decision["actor_role"], "conseiller_france_travail");
  EXPECT_EQ(decision["reason"], "La personne demande un accompagnement par France Travail.");
  EXPECT_EQ(decision["decided_at"], "2025-03-01T10:15:00+01:00");
  EXPECT_EQ(decision["outputs"]["organisme"], "france_travail");
  EXPECT_EQ(decision["outputs"]["cej_eligible"], true);
}

TEST_F(DecisionRecordTest, MissingInputsAndPolicyDecisions) {
  const Proposal p = orienter_.propose(R"({"birth_date": "1980-06-01"})", kDate);
  ASSERT_TRUE(p.errors.empty());
  ASSERT_FALSE(p.evident);
  const OrientationDecision d =
      orienter_.decide(p, "conseiller_france_travail", Action::confirm, "", "2025-03-02");
  DecisionRecordInput in;
  in.person_pseudonym = pseudonymise("a-demo-key-0123456789", "P-0002");
  in.recorded_at = "2025-03-02";
  const json r = json::parse(make_decision_record(orienter_.pack(), p, d, in));
  EXPECT_TRUE(r["territory"].is_null());
  EXPECT_TRUE(r["inputs"]["rsa_beneficiary"]["value"].is_null());
  EXPECT_EQ(r["inputs"]["rsa_beneficiary"]["source"], "administrative_record");
  EXPECT_EQ(r["proposal"]["status"], "incomplete");
  EXPECT_FALSE(r["proposal"]["questions"].empty());
  EXPECT_TRUE(r["decision"]["reason"].is_null());

  const Proposal evident = orienter_.propose(
      R"({"birth_date": "1980-06-01", "rsa_beneficiary": false, "boe_status": "none",
          "requested_structure": "none", "months_since_last_activity": 2})",
      kDate);
  ASSERT_TRUE(evident.evident);
  const auto automatic = orienter_.auto_decide(evident, "2025-03-01");
  ASSERT_TRUE(automatic);
  const json a = json::parse(make_decision_record(orienter_.pack(), evident, *automatic, in));
  EXPECT_EQ(a["decision"]["decided_by"], "policy");
  EXPECT_EQ(a["decision"]["action"], "confirm");
}

TEST_F(DecisionRecordTest, RefusesRejectedPersonsAndMissingPseudonyms) {
  const Proposal good = orienter_.propose(R"({"birth_date": "1980-06-01"})", kDate);
  const OrientationDecision d =
      orienter_.decide(good, "conseiller", Action::confirm, "", "2025-03-01T10:00:00Z");
  DecisionRecordInput in;
  in.recorded_at = "2025-03-01T10:00:00Z";
  EXPECT_THROW(make_decision_record(orienter_.pack(), good, d, in), Error);

  const Proposal bad = orienter_.propose(R"({"boe_status": "maybe"})", kDate);
  ASSERT_FALSE(bad.errors.empty());
  in.person_pseudonym = pseudonymise("k-0123456789abcdef", "x");
  EXPECT_THROW(make_decision_record(orienter_.pack(), bad, d, in), Error);
}

// The record is written in canonical form in one pass: it must be its own canonical form, and
// the key computed from its parts must be the key read from its text, for every person of the
// example file, confirmed and overridden, with reasons that need escapes.
TEST(KeyedDecisionRecord, CanonicalInOnePassAndKeyedFromItsParts) {
  const Pack pack = Pack::load_file(std::string(AIG_SOURCE_DIR) + "/rules/orientation/fr-2025");
  const Orienter orienter(pack);
  std::ifstream persons(std::string(AIG_SOURCE_DIR) + "/examples/data/persons-1000.jsonl");
  ASSERT_TRUE(persons);
  const std::string reasons[] = {"", "plain reason", "quote \" and backslash \\ and tab \t",
                                 "accent\u00e9 \u2014 \x01 control", "\x7f del"};
  std::size_t n = 0, overridden = 0;
  for (std::string line; std::getline(persons, line); ++n) {
    json person = json::parse(line);
    person.erase("person_id");
    const Proposal p = orienter.propose(person.dump(), kDate, n % 2 == 0);
    ASSERT_TRUE(p.errors.empty()) << line;
    const json outputs = json::parse(p.outputs_json);
    std::string role = "france_travail";
    if (auto it = outputs.find("decideur"); it != outputs.end() && it->is_string()) role = *it;
    OrientationDecision d;
    const auto referent = outputs.find("organisme_referent");
    if (n % 3 == 1 && referent != outputs.end() && *referent != "mission_locale") {
      // Members out of byte order, as a portal may send them.
      d = orienter.decide(p, role, Action::override_outputs, "demande de la personne",
                          "2025-03-01T10:15:00Z",
                          R"({"parcours": "emploi", "organisme_referent": "mission_locale"})");
      ++overridden;
    } else {
      d = orienter.decide(p, role, Action::confirm, reasons[n % 5], "2025-03-01T10:15:00Z");
    }
    DecisionRecordInput in;
    in.person_pseudonym = pseudonymise("a-demo-key-0123456789", "P-" + std::to_string(n));
    in.territory = n % 4 ? "93" : "";
    in.recorded_at = "2025-03-01T10:15:02Z";
    const KeyedDecisionRecord keyed = make_keyed_decision_record(pack, p, d, in);
    ASSERT_EQ(keyed.record, canonical_json(keyed.record)) << line;
    ASSERT_EQ(keyed.record, make_decision_record(pack, p, d, in));
    ASSERT_EQ(keyed.key.size(), 32u);
    ASSERT_EQ(keyed.key, decision_key(keyed.record)) << line;
  }
  EXPECT_EQ(n, 1000u);
  EXPECT_GT(overridden, 100u);
}

TEST(DecisionKey, OnlyForDecisionRecords) {
  EXPECT_EQ(decision_key(R"({"a":1})"), "");
  EXPECT_EQ(decision_key("[1,2]"), "");
  EXPECT_EQ(decision_key(R"({"pack":{"hash":"h"},"person":"p","schema":"other"})"), "");
  const std::string a = decision_key(
      R"({"inputs":{},"pack":{"hash":"h"},"person":"p","schema":"aiguillage.decision_record"})");
  EXPECT_EQ(a.size(), 32u);
  EXPECT_NE(a, decision_key(R"({"inputs":{},"pack":{"hash":"h"},"person":"q",)"
                            R"("schema":"aiguillage.decision_record"})"));
}

}  // namespace
}  // namespace aiguillage
