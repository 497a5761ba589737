// aiguillage decide on a pack never decided by policy (rules/sanctions/fr-2025): --auto is
// refused with human_decision_required; a decisions file gives the hearing, which the log keeps.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
#include "support/cli_harness.hpp"
namespace fs = std::filesystem;

const std::string kPerson =
    R"({"person_id": "S-1", "manquement": "obligations_contrat_engagement", "antecedent": "aucun", "motif_legitime": "non_invoque", "allocation": "are", "organisme_referent": "france_travail", "foyer_plusieurs_personnes": false, "majoration_parent_isole": false, "mineur_ou_protege": false, "date_reception_notification": "2025-07-01"})"
    "\n";

class SanctionsCliTest : public ::testing::Test, protected aiguillage::test_support::CliHarness {
 protected:
  void SetUp() override {
    make_dir();
    persons_ = write("persons.jsonl", kPerson);
    key_ = write("key.txt", "sanctions-cli-test-key-0123456789\n");
    log_ = (dir_ / "decisions.log").string();
  }
  void TearDown() override { remove_dir(); }

  using Result = aiguillage::test_support::CliResult;
  Result decide(const std::string& extra) {
    return run_cli("decide " + std::string(AIG_SOURCE_DIR) + "/rules/sanctions/fr-2025 " +
                   persons_ + " --date 2025-07-03 --log " + log_ + " --key-file " + key_ +
                   " --at 2025-07-20T09:00:00Z " + extra);
  }

  std::string persons_, key_, log_;
};

TEST_F(SanctionsCliTest, AutoIsRefused) {
  const Result r = decide("--auto");
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("human_decision_required"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(SanctionsCliTest, WithoutPlannedDecisionThePersonWaits) {
  const std::string none = write("none.jsonl", "");
  const Result r = decide("--decisions " + none);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["status"], "pending") << r.out;
}

TEST_F(SanctionsCliTest, PlannedDecisionKeepsTheHearing) {
  const std::string decisions = write(
      "decisions.jsonl",
      R"({"person_id": "S-1", "action": "confirm", "actor": "directeur_regional_france_travail", "observations": "aucune observation reçue dans le délai de dix jours", "legitimate_reason": "aucun motif invoqué"})"
      "\n");
  const Result r = decide("--decisions " + decisions);
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  const json line = json::parse(r.out);
  EXPECT_EQ(line["status"], "decided") << r.out;
  EXPECT_EQ(line["decision"]["decided_by"], "human");
  EXPECT_EQ(line["decision"]["hearing"]["legitimate_reason"], "aucun motif invoqué");
  const std::string log = read(log_);
  EXPECT_NE(log.find(R"("observations":"aucune observation reçue dans le délai de dix jours")"),
            std::string::npos)
      << log;

  const std::string unheard = write(
      "unheard.jsonl",
      R"({"person_id": "S-1", "action": "confirm", "actor": "directeur_regional_france_travail"})"
      "\n");
  fs::remove(log_);
  const Result refused = decide("--decisions " + unheard);
  EXPECT_NE(refused.out.find("/hearing/observations"), std::string::npos) << refused.out;
}

}  // namespace
