// Replay: the same pack gives the same outputs; another version shows whom a change moves; a
// pack nobody kept is reported, never guessed.
#include "aiguillage/audit/replay.hpp"

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/decision_record.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A small orientation pack: young people to the Mission Locale, RSA with a strong barrier to
// the département, barriers to a socio-professional path, a COLLECT table of review reasons.
std::string mini_pack(const std::string& version, const std::string& young_range) {
  return R"json({
  "schema": "aiguillage.ruleset", "schema_version": "1.0",
  "id": "test/orientation", "version": ")json" +
         version + R"json(", "valid_from": "2025-01-01", "valid_to": null,
  "title": "Orientation de test", "purpose": "Tests du rejeu",
  "sources": [{"id": "S", "title": "Source", "url": "https://example.org"}],
  "inputs": [
    {"name": "birth_date", "type": "date", "source_kind": "declared"},
    {"name": "rsa_beneficiary", "type": "bool", "source_kind": "administrative_record"},
    {"name": "frein_sante", "type": "enum", "values": ["none", "medium", "strong", "unknown"]},
    {"name": "requested_structure", "type": "enum", "values": ["none", "mission_locale"]},
    {"name": "territory", "type": "string", "max_length": 3}
  ],
  "variables": [{"name": "age", "expression": "years_between(birth_date, reference_date)"}],
  "decisions": [
    {"id": "orientation", "kind": "table", "hit_policy": "FIRST", "complete": true,
     "inputs": [{"expression": "age"}, {"expression": "rsa_beneficiary"}, {"expression": "frein_sante"}],
     "outputs": [
       {"name": "parcours", "type": "enum", "values": ["emploi", "socio_professionnel", "social"]},
       {"name": "organisme_referent", "type": "enum",
        "values": ["france_travail", "mission_locale", "conseil_departemental"]}],
     "rules": [
       {"id": "R1", "when": ["-", "true", "\"strong\""], "then": ["\"social\"", "\"conseil_departemental\""], "source": "S", "status": "verified"},
       {"id": "R2", "when": [")json" +
         young_range +
         R"json(", "false", "\"none\""], "then": ["\"emploi\"", "\"mission_locale\""], "source": "S", "status": "verified"},
       {"id": "R3", "when": ["-", "-", "\"medium\",\"strong\""], "then": ["\"socio_professionnel\"", "\"france_travail\""], "source": "S", "status": "verified"},
       {"id": "R4", "when": ["-", "-", "-"], "then": ["\"emploi\"", "\"france_travail\""], "source": "S", "status": "interpretation"}]},
    {"id": "review", "kind": "table", "hit_policy": "COLLECT",
     "inputs": [{"expression": "frein_sante"}, {"expression": "requested_structure"}],
     "outputs": [{"name": "review_reasons", "type": "enum",
                  "values": ["frein_ou_aspiration_inconnu", "structure_demandee_differente"]}],
     "rules": [
       {"id": "V1", "when": ["\"unknown\"", "-"], "then": ["\"frein_ou_aspiration_inconnu\""], "source": "S", "status": "verified"},
       {"id": "V2", "when": ["-", "\"mission_locale\""], "then": ["\"structure_demandee_differente\""], "source": "S", "status": "verified"}]},
    {"id": "date_limite_contrat", "kind": "expression", "expression": "add_months(reference_date, 1)",
     "output": {"name": "date_limite_contrat", "type": "date"}, "source": "S", "status": "verified"}
  ]
})json";
}

const Date kDate = *Date::parse("2025-03-01");
constexpr const char* kKey = "replay-test-key-0123456789";

constexpr const char* kPersons[] = {
    R"({"birth_date": "2003-05-01", "rsa_beneficiary": false, "frein_sante": "none", "requested_structure": "none", "territory": "75"})",
    R"({"birth_date": "1985-05-01", "rsa_beneficiary": true, "frein_sante": "strong", "requested_structure": "none", "territory": "93"})",
    R"({"birth_date": "1990-05-01", "rsa_beneficiary": false, "frein_sante": "medium", "requested_structure": "none", "territory": "13"})",
    R"({"birth_date": "2001-05-01", "rsa_beneficiary": false, "frein_sante": "none", "requested_structure": "none"})",
    R"({"birth_date": "1970-05-01", "frein_sante": "unknown", "requested_structure": "mission_locale"})",
};

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("aig_replay_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    log_ = (dir_ / "decisions.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Confirms every proposal but the third, which a counsellor overrides.
  void write_log(const Pack& pack) {
    const Orienter orienter(pack, OrientationPolicy{true});
    DecisionLog log(log_);
    int k = 0;
    for (const char* person : kPersons) {
      ++k;
      const Proposal p = orienter.propose(person, kDate);
      ASSERT_TRUE(p.errors.empty()) << person;
      const OrientationDecision d =
          k == 3 ? orienter.decide(p, "conseiller", Action::override_outputs,
                                   "Suivi social engagé par le département.", "2025-03-01",
                                   R"({"parcours": "social"})")
                 : orienter.decide(p, "conseiller", Action::confirm, "", "2025-03-01");
      DecisionRecordInput in;
      in.person_pseudonym = pseudonymise(kKey, "P-" + std::to_string(k));
      in.territory = json::parse(person).value("territory", "");
      in.recorded_at = "2025-03-01";
      log.append(make_decision_record(pack, p, d, in));
    }
  }

  fs::path dir_;
  std::string log_;
};

TEST_F(ReplayTest, SamePackIsIdentical) {
  const Pack pack = Pack::load(mini_pack("1.0.0", "[16..25]"));
  write_log(pack);
  Registry registry;
  registry.add(pack);
  registry.add(Pack::load(mini_pack("2.0.0", "[16..21]")));  // another version, ignored
  const ReplayReport report = replay_log(log_, registry);
  ASSERT_EQ(report.items.size(), 5u);
  EXPECT_EQ(report.identical, 5u) << report.to_text();
  EXPECT_EQ(report.different + report.pack_missing + report.errors, 0u);
  EXPECT_EQ(report.items[0].person, pseudonymise(kKey, "P-1"));
  EXPECT_EQ(report.to_text(), "5 records: 5 identical, 0 different, 0 pack missing, 0 errors\n");
  const json j = json::parse(report.to_json());
  EXPECT_EQ(j["records"], 5);
  EXPECT_EQ(j["identical"], 5);
  EXPECT_TRUE(j["items"].empty());
}

TEST_F(ReplayTest, AgainstAnotherVersionShowsWhoMoves) {
  const Pack v1 = Pack::load(mini_pack("1.0.0", "[16..25]"));
  write_log(v1);
  // Version 2 narrows the Mission Locale rule to 21: the 23-year-old moves, the 21-year-old
  // (born 2003-05-01, 21 on 2025-03-01) stays.
  const Pack v2 = Pack::load(mini_pack("2.0.0", "[16..21]"));
  const ReplayReport report = replay_log_against(log_, v2);
  ASSERT_EQ(report.items.size(), 5u);
  EXPECT_EQ(report.different, 1u) << report.to_text();
  EXPECT_EQ(report.identical, 4u);
  const ReplayItem& moved = report.items[3];
  EXPECT_EQ(moved.line, 4u);
  EXPECT_EQ(moved.outcome, ReplayItem::Outcome::different);
  EXPECT_EQ(moved.diff, R"(organisme_referent: "mission_locale" -> "france_travail")");
  EXPECT_NE(report.to_text().find("line 4 different " + pseudonymise(kKey, "P-4") +
                                  R"(: organisme_referent: "mission_locale" -> "france_travail")"),
            std::string::npos)
      << report.to_text();
  // The overridden person: the new proposal still differs from what the counsellor decided.
  EXPECT_NE(report.items[2].message.find(
                R"(vs the counsellor's override: parcours: "social" -> "socio_professionnel")"),
            std::string::npos)
      << report.items[2].message;
  const json j = json::parse(report.to_json());
  EXPECT_EQ(j["different"], 1);
  ASSERT_EQ(j["items"].size(), 2u);  // the moved person, and the override with its note
  EXPECT_EQ(j["items"][0]["outcome"], "identical");
  EXPECT_EQ(j["items"][1]["line"], 4);
}

TEST_F(ReplayTest, RewrittenRecordIsDifferent) {
  // Whoever holds the log can rewrite a proposal and rebuild the chain from there; the pack,
  // kept elsewhere, still says what it proposed.
  const Pack v1 = Pack::load(mini_pack("1.0.0", "[16..25]"));
  const Orienter orienter(v1);
  const Proposal p = orienter.propose(kPersons[0], kDate);
  OrientationDecision d = orienter.decide(p, "conseiller", Action::confirm, "", "2025-03-01");
  DecisionRecordInput in{pseudonymise(kKey, "P-1"), "75", "2025-03-01"};
  json record = json::parse(make_decision_record(v1, p, d, in));
  record["proposal"]["outputs"]["organisme_referent"] = "france_travail";
  {
    DecisionLog log(log_);
    log.append(record.dump());
  }
  Registry registry;
  registry.add(v1);
  const ReplayReport report = replay_log(log_, registry);
  EXPECT_EQ(report.different, 1u);
  EXPECT_EQ(report.items[0].diff, R"(organisme_referent: "france_travail" -> "mission_locale")");
}

TEST_F(ReplayTest, PackMissingIsReported) {
  const Pack v1 = Pack::load(mini_pack("1.0.0", "[16..25]"));
  write_log(v1);
  Registry registry;
  registry.add(Pack::load(mini_pack("2.0.0", "[16..21]")));
  const ReplayReport report = replay_log(log_, registry);
  EXPECT_EQ(report.pack_missing, 5u);
  EXPECT_EQ(report.identical, 0u);
  EXPECT_NE(report.items[0].message.find(v1.hash()), std::string::npos);
  EXPECT_NE(report.to_text().find("5 pack missing"), std::string::npos);
}

TEST_F(ReplayTest, BrokenLogIsRefused) {
  const Pack v1 = Pack::load(mini_pack("1.0.0", "[16..25]"));
  write_log(v1);
  fs::resize_file(log_, fs::file_size(log_) - 3);
  Registry registry;
  registry.add(v1);
  EXPECT_THROW(replay_log(log_, registry), Error);
}

}  // namespace
}  // namespace aiguillage
