// orient, decide, notice, log verify and replay run as a user would: a copy of a pack in a
// temporary folder, the built binary, its output and exit code.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_record.hpp"
#include "support/cli_harness.hpp"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kKey = "cli-test-key-0123456789";

// Persons for the youth-guidance example pack: an evident young person (Mission Locale), an
// incomplete registration, an evident adult, an RSA beneficiary long without work.
const std::string kPersons =
    R"({"person_id": "A-1", "birth_date": "2003-01-15", "rsa_beneficiary": false, "boe_status": "none", "requested_structure": "none", "months_since_last_activity": 3})"
    "\n"
    R"({"person_id": "A-2", "birth_date": "1990-01-09", "boe_status": "none"})"
    "\n"
    R"({"person_id": 3, "birth_date": "1980-06-01", "rsa_beneficiary": false, "boe_status": "none", "requested_structure": "none", "months_since_last_activity": 2})"
    "\n"
    R"({"person_id": "A-4", "birth_date": "1975-02-02", "rsa_beneficiary": true, "boe_status": "none", "requested_structure": "none", "months_since_last_activity": 40})"
    "\n";

using Result = aiguillage::test_support::CliResult;

class OrientationCliTest : public ::testing::Test, protected aiguillage::test_support::CliHarness {
 protected:
  void SetUp() override {
    make_dir();
    fs::create_directories(dir_ / "packs" / "youth");
    fs::copy_file(fs::path(AIG_SOURCE_DIR) / "rules/examples/youth-guidance/pack.json",
                  dir_ / "packs" / "youth" / "pack.json");
    pack_ = (dir_ / "packs" / "youth").string();
    persons_ = write("persons.jsonl", kPersons);
    key_ = write("key.txt", std::string(kKey) + "\n");
    log_ = (dir_ / "decisions.log").string();
  }
  void TearDown() override { remove_dir(); }

  // Runs `[env] aiguillage <args>` with `input` on standard input.
  Result run(const std::string& args, const std::string& input = "", const std::string& env = "") {
    return run_cli(args, {input, env, {}});
  }

  Result decide(const std::string& extra = "") {
    return run("decide " + pack_ + " " + persons_ + " --date 2025-03-01 --log " + log_ +
               " --key-file " + key_ + " --at 2025-03-01T09:00:00Z " + extra);
  }

  // A version of the pack in which the Mission Locale rule stops at 21.
  std::string narrowed_pack() {
    std::string text = read(dir_ / "packs" / "youth" / "pack.json");
    const std::string from = R"("when": ["[16..25]", "false", "-", "-", "-"])";
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos);
    text.replace(at, from.size(), R"("when": ["[16..21]", "false", "-", "-", "-"])");
    text.replace(text.find("\"version\": \"1.0.0\""), 18, "\"version\": \"1.1.0\"");
    return write("other/youth-1.1/pack.json", text);
  }

  std::string pack_, persons_, key_, log_;
};

TEST_F(OrientationCliTest, OrientPrintsOneProposalPerPerson) {
  Result r = run("orient " + pack_ + " " + persons_ + " --date 2025-03-01");
  EXPECT_EQ(r.code, 0) << r.err;
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 4u) << r.out;
  // person_id is no input of the pack: it is set aside, and repeated first.
  EXPECT_EQ(lines[0].rfind(R"({"person_id":"A-1","status":"complete","evident":true,)", 0), 0u)
      << lines[0];
  const json first = json::parse(lines[0]);
  EXPECT_EQ(first["outputs"]["organisme"], "mission_locale");
  EXPECT_FALSE(first["inputs"].contains("person_id"));
  EXPECT_EQ(first["pack"]["id"], "examples/youth-guidance");
  const json second = json::parse(lines[1]);
  EXPECT_EQ(second["status"], "incomplete");
  EXPECT_FALSE(second["evident"]);
  EXPECT_FALSE(second["questions"].empty());
  EXPECT_EQ(json::parse(lines[2])["person_id"], "3");
  EXPECT_EQ(json::parse(lines[3])["person_id"], "A-4");
  EXPECT_FALSE(first.contains("trace"));
  EXPECT_TRUE(json::parse(run("orient " + pack_ + " --date 2025-03-01 --trace",
                              R"({"birth_date": "2003-01-15"})")
                              .out)
                  .contains("trace"));
}

TEST_F(OrientationCliTest, OrientReportsBadLinesInlineAndKeepsTheOthers) {
  Result r = run("orient " + pack_ + " - --date 2025-03-01",
                 "{\"birth_date\": \"2003-01-15\"}\n"
                 "{\"birth_date\": \"2003-02-30\"}\n"
                 "not json\n"
                 "{\"person_id\": [1], \"birth_date\": \"2003-01-15\"}\n"
                 "{\"birth_date\": \"1990-01-01\"}\n");
  EXPECT_EQ(r.code, 1);
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 5u) << r.out;
  EXPECT_EQ(json::parse(lines[1])["line"], 2);
  EXPECT_EQ(json::parse(lines[1])["errors"][0]["name"], "invalid_date");
  EXPECT_EQ(json::parse(lines[2])["line"], 3);
  EXPECT_EQ(json::parse(lines[2])["errors"][0]["name"], "json_syntax");
  EXPECT_EQ(json::parse(lines[3])["errors"][0]["pointer"], "/person_id");
  EXPECT_EQ(json::parse(lines[4])["status"], "incomplete");
}

TEST_F(OrientationCliTest, OrientNeedsAReferenceDate) {
  Result r = run("orient " + pack_ + " " + persons_);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--date"), std::string::npos) << r.err;
}

TEST_F(OrientationCliTest, DecideRecordsPolicyAndCounsellorDecisions) {
  const std::string decisions = write(
      "decisions.jsonl",
      R"({"line": 2, "action": "override", "reason": "Vu en entretien : la personne n'a pas le RSA.", "outputs": {"organisme": "france_travail"}, "decided_at": "2025-03-02T10:00:00Z", "actor": "conseiller_france_travail"})"
      "\n");
  Result r = decide("--auto --decisions " + decisions);
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 4u) << r.out;
  const json a = json::parse(lines[0]);
  EXPECT_EQ(a["status"], "decided");
  EXPECT_EQ(a["person_id"], "A-1");
  EXPECT_EQ(a["seq"], 1);
  EXPECT_EQ(a["decision"]["decided_by"], "policy");
  const json b = json::parse(lines[1]);
  EXPECT_EQ(b["decision"]["decided_by"], "human");
  EXPECT_EQ(b["decision"]["action"], "override");
  EXPECT_EQ(b["decision"]["actor_role"], "conseiller_france_travail");
  EXPECT_EQ(json::parse(lines[2])["decision"]["decided_by"], "policy");
  EXPECT_EQ(json::parse(lines[3])["decision"]["decided_by"], "policy");
  EXPECT_NE(r.err.find("4 persons: 4 decided (3 by policy, 1 by a person), 0 pending"),
            std::string::npos)
      << r.err;

  Result v = run("log verify " + log_);
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_EQ(v.out.rfind("ok: 4 records, last hash sha256:", 0), 0u) << v.out;
  EXPECT_NE(v.out.find(json::parse(lines[3])["hash"].get<std::string>()), std::string::npos)
      << v.out;

  // The log names people only by their pseudonym, of their typed person_id.
  const std::string log_text = read(log_);
  EXPECT_EQ(log_text.find("A-1"), std::string::npos);
  std::istringstream in(log_text);
  std::vector<json> records;
  for (std::string l; std::getline(in, l);) records.push_back(json::parse(l)["record"]);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0]["person"], aiguillage::pseudonymise(kKey, "A-1"));
  EXPECT_EQ(records[2]["person"], aiguillage::pseudonymise(kKey, aiguillage::PersonId{"3", true}));
  EXPECT_NE(records[2]["person"], aiguillage::pseudonymise(kKey, "3"));
  EXPECT_EQ(records[3]["person"], aiguillage::pseudonymise(kKey, "A-4"));
  EXPECT_EQ(records[1]["decision"]["reason"], "Vu en entretien : la personne n'a pas le RSA.");
  EXPECT_EQ(records[1]["decision"]["decided_at"], "2025-03-02T10:00:00Z");
  EXPECT_EQ(records[0]["recorded_at"], "2025-03-01T09:00:00Z");
  EXPECT_EQ(records[0]["schema"], "aiguillage.decision_record");

  // Deciding again on the same persons records nothing twice: the decisions already in the
  // log are reported with their line.
  Result again = decide("--auto");
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(json::parse(again.lines()[0])["status"], "already_recorded");
  EXPECT_EQ(json::parse(again.lines()[0])["seq"], 1);
  EXPECT_EQ(run("log verify " + log_).out.rfind("ok: 4 records", 0), 0u);
}

TEST_F(OrientationCliTest, DecideLeavesUnsettledCasesPending) {
  Result r = decide("--auto");
  EXPECT_EQ(r.code, 0) << r.err;
  const json pending = json::parse(r.lines()[1]);
  EXPECT_EQ(pending["status"], "pending");
  EXPECT_EQ(pending["person_id"], "A-2");
  EXPECT_EQ(pending["review_reasons"], json::array({"missing_information"}));
  EXPECT_FALSE(pending["questions"].empty());
  EXPECT_EQ(run("log verify " + log_).out.rfind("ok: 3 records", 0), 0u);
}

TEST_F(OrientationCliTest, DecideRefusesAnOverrideWithoutReason) {
  const std::string decisions = write(
      "decisions.jsonl",
      R"({"person_id": "A-1", "action": "override", "outputs": {"organisme": "france_travail"}})"
      "\n"
      R"({"line": 9, "action": "confirm"})"
      "\n");
  Result r = decide("--decisions " + decisions + " --actor conseiller");
  EXPECT_EQ(r.code, 1);
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 4u);
  const json refused = json::parse(lines[0]);
  EXPECT_EQ(refused["status"], "error");
  EXPECT_EQ(refused["errors"][0]["name"], "invalid_argument");
  EXPECT_NE(r.err.find("matches no person (line 9)"), std::string::npos) << r.err;
  EXPECT_EQ(run("log verify " + log_).out.rfind("ok: 0 records", 0), 0u);
}

TEST_F(OrientationCliTest, DecideNeedsAKeyALogAndSomethingToDecide) {
  const std::string base = "decide " + pack_ + " " + persons_ + " --date 2025-03-01 --auto";
  Result no_key = run(base + " --log " + log_);
  EXPECT_EQ(no_key.code, 2);
  EXPECT_NE(no_key.err.find("AIG_PSEUDONYM_KEY"), std::string::npos) << no_key.err;
  EXPECT_FALSE(fs::exists(log_));
  Result short_key = run(base + " --log " + log_, "", "AIG_PSEUDONYM_KEY=short");
  EXPECT_EQ(short_key.code, 2);
  Result env_key = run(base + " --log " + log_, "", std::string("AIG_PSEUDONYM_KEY=") + kKey);
  EXPECT_EQ(env_key.code, 0) << env_key.err;
  Result no_log = run(base + " --key-file " + key_);
  EXPECT_EQ(no_log.code, 2);
  Result nothing = run("decide " + pack_ + " " + persons_ + " --date 2025-03-01 --log " + log_ +
                       " --key-file " + key_);
  EXPECT_EQ(nothing.code, 2);
  const std::string bad = write("bad-decisions.jsonl", R"({"line": 1, "action": "approve"})");
  Result bad_file = decide("--decisions " + bad);
  EXPECT_EQ(bad_file.code, 3);
  EXPECT_NE(bad_file.err.find("/action"), std::string::npos) << bad_file.err;
}

TEST_F(OrientationCliTest, BrokenLogIsNamedAndNotAppendedTo) {
  ASSERT_EQ(decide("--auto").code, 0);
  std::string text = read(log_);
  // Alter the second record's proposal.
  const auto second = text.find('\n') + 1;
  const auto at = text.find("france_travail", second);
  ASSERT_NE(at, std::string::npos);
  std::string altered = text;
  altered.replace(at, 14, "cap_emploi____");
  write("decisions.log", altered);
  Result v = run("log verify " + log_);
  EXPECT_EQ(v.code, 1);
  EXPECT_EQ(v.out.rfind("broken at line 2: hash does not match", 0), 0u) << v.out;
  Result j = run("log verify " + log_ + " --json");
  EXPECT_EQ(j.code, 1);
  EXPECT_EQ(json::parse(j.out)["first_bad"], 2);
  EXPECT_EQ(json::parse(j.out)["records"], 1);

  // A crash in the middle of the last write.
  write("decisions.log", text.substr(0, text.size() - 7));
  Result torn = run("log verify " + log_);
  EXPECT_EQ(torn.code, 1);
  EXPECT_EQ(torn.out.rfind("broken at line 3: the last line has no end of line", 0), 0u)
      << torn.out;
  EXPECT_TRUE(json::parse(run("log verify " + log_ + " --json").out)["torn_tail"]);
  const auto size = fs::file_size(log_);
  Result refused = decide("--auto");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("broken at line 3"), std::string::npos) << refused.err;
  EXPECT_EQ(fs::file_size(log_), size);

  EXPECT_EQ(run("log verify " + (dir_ / "absent.log").string()).code, 4);
  EXPECT_EQ(run("log check " + log_).code, 2);
}

TEST_F(OrientationCliTest, ReplayFindsThePackByHash) {
  ASSERT_EQ(decide("--auto").code, 0);
  narrowed_pack();  // another version in the folder, under another hash
  Result r = run("replay " + log_ + " --packs " + dir_.string());
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_EQ(r.out, "3 records: 3 identical, 0 different, 0 pack missing, 0 errors\n");
  Result j = run("replay " + log_ + " --packs " + (dir_ / "packs").string() + " --json");
  EXPECT_EQ(j.code, 0);
  EXPECT_EQ(json::parse(j.out)["identical"], 3);

  // Only the other version is kept: every record's pack is missing.
  Result missing = run("replay " + log_ + " --packs " + (dir_ / "other").string());
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.out.find("3 pack missing"), std::string::npos) << missing.out;
  EXPECT_NE(missing.out.find("line 1 pack_missing"), std::string::npos) << missing.out;
}

TEST_F(OrientationCliTest, ReplayAgainstAnotherVersionShowsWhoMoves) {
  ASSERT_EQ(decide("--auto").code, 0);
  Result r = run("replay " + log_ + " --against " + narrowed_pack());
  // Differences are what --against is asked for: not a failure.
  EXPECT_EQ(r.code, 0) << r.err << r.out;
  const auto lines = r.lines();
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], "line 1 different " + aiguillage::pseudonymise(kKey, "A-1") +
                          R"(: organisme: "mission_locale" -> "france_travail")");
  EXPECT_EQ(lines[1], "3 records: 2 identical, 1 different, 0 pack missing, 0 errors");
}

TEST_F(OrientationCliTest, ReplayUsage) {
  EXPECT_EQ(run("replay " + log_).code, 2);
  EXPECT_EQ(run("replay " + log_ + " --packs a --against b").code, 2);
  EXPECT_EQ(run("replay " + log_ + " --packs " + (dir_ / "nowhere").string()).code, 4);
}

TEST_F(OrientationCliTest, NoticesForProposalsAndDecisions) {
  Result r = run("notice " + pack_ + " " + persons_ + " --date 2025-03-01");
  EXPECT_EQ(r.code, 0) << r.err;
  std::size_t feeds = 0;
  for (char c : r.out) feeds += c == '\f';
  EXPECT_EQ(feeds, 3u);
  EXPECT_NE(r.out.find("R. 311-3-1-2"), std::string::npos);

  const std::string decisions = write(
      "decisions.jsonl",
      R"({"person_id": "A-1", "action": "override", "reason": "Demande de la personne.", "outputs": {"organisme": "france_travail"}, "actor": "conseiller"})"
      "\n");
  Result one = run("notice " + pack_ + " - --date 2025-03-01 --lang en --decisions " + decisions,
                   kPersons.substr(0, kPersons.find('\n') + 1));
  EXPECT_EQ(one.code, 0) << one.err;
  EXPECT_EQ(one.out.find('\f'), std::string::npos);
  EXPECT_NE(one.out.find("Demande de la personne."), std::string::npos) << one.out;

  Result bad = run("notice " + pack_ + " - --date 2025-03-01", "{\"boe_status\": 3}\n");
  EXPECT_EQ(bad.code, 1);
  EXPECT_EQ(bad.out.rfind("line 1: error: type_mismatch at /boe_status", 0), 0u) << bad.out;
  EXPECT_EQ(run("notice " + pack_ + " --date 2025-03-01 --lang de").code, 2);
}

// The bundled sample and the 2025 pack must agree on every input name and value.
TEST_F(OrientationCliTest, BundledSampleOrientsWithoutErrors) {
  const fs::path pack = fs::path(AIG_SOURCE_DIR) / "rules/orientation/fr-2025";
  const fs::path sample = fs::path(AIG_SOURCE_DIR) / "examples/data/persons-1000.jsonl";
  // Both ship in the repository: a missing one is a failure, not a reason to skip.
  ASSERT_TRUE(fs::exists(pack / "pack.json")) << pack;
  ASSERT_TRUE(fs::exists(sample)) << sample;
  Result r = run("orient " + pack.string() + " " + sample.string() + " --date 2025-03-01");
  EXPECT_EQ(r.code, 0) << r.out.substr(0, 2000);
  EXPECT_EQ(r.lines().size(), 1000u);
  EXPECT_EQ(r.out.find("\"line\":"), std::string::npos);
}

}  // namespace
