// The reproductions of the hardening review, run through the built `aiguillage` binary: every
// command that reads JSON, at 100,000 and 1,000,000 levels of nesting, ends with a clear error
// (never a signal), keeps the good records, and `decide` acknowledges exactly what is durable.
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

#include "aiguillage/audit/decision_log.hpp"
#include "support/cli_harness.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = AIG_SOURCE_DIR;
const std::string kPack = (kSource / "rules/orientation/fr-2025").string();
const std::string kKey = "AIG_PSEUDONYM_KEY=0123456789abcdef0123 ";

using Result = aiguillage::test_support::CliResult;

std::string nested(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

class CliHardening : public ::testing::TestWithParam<std::size_t>,
                     protected aiguillage::test_support::CliHarness {
 protected:
  // A million levels make a line longer than 1 MiB: JSON Lines readers then report too_long
  // (and stop there), documents too_deep.
  static std::string line_error() { return GetParam() > 500000 ? "too_long" : "too_deep"; }

  void SetUp() override {
    make_dir();
    std::ifstream in(kSource / "examples/data/persons-1000.jsonl");
    for (int k = 0; k < 3; ++k) {
      std::string line;
      std::getline(in, line);
      persons_.push_back(line);
    }
  }
  void TearDown() override { remove_dir(); }

  Result run(const std::string& args, const std::string& env = "") {
    return run_cli(args, {"", env, {}});
  }
  // The person line `k` with its person_id replaced by `value`.
  std::string person_with_id(int k, const std::string& value) const {
    json j = json::parse(persons_[static_cast<std::size_t>(k)]);
    const std::string id = j["person_id"].get<std::string>();
    std::string text = persons_[static_cast<std::size_t>(k)];
    const std::string from = "\"person_id\": \"" + id + "\"";
    const auto at = text.find(from);
    return text.replace(at, from.size(), "\"person_id\": " + value);
  }

  std::vector<std::string> persons_;
};

TEST_P(CliHardening, DeepLogLineIsABrokenLogForEveryCommand) {
  const std::string log =
      write("d.log", "{\"seq\":1,\"prev\":\"sha256:" + std::string(64, '0') +
                         "\",\"record\":{\"x\":" + nested(GetParam()) + "},\"hash\":\"x\"}\n");
  Result v = run("log verify " + log);
  EXPECT_FALSE(v.signalled) << v.code;
  EXPECT_EQ(v.code, 1);
  EXPECT_NE(v.out.find(line_error()), std::string::npos) << v.out;
  for (const std::string& args : {"replay " + log + " --packs " + (kSource / "rules").string(),
                                  "replay " + log + " --against " + kPack}) {
    Result r = run(args);
    EXPECT_FALSE(r.signalled) << args;
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_NE(r.err.find("broken at line 1"), std::string::npos) << r.err;
  }
  const std::string persons = write("p.jsonl", persons_[0] + "\n");
  Result d =
      run("decide " + kPack + " " + persons + " --date 2025-03-01 --auto --log " + log, kKey);
  EXPECT_FALSE(d.signalled);
  EXPECT_EQ(d.code, 1);
  EXPECT_NE(d.err.find("broken at line 1"), std::string::npos) << d.err;
}

TEST_P(CliHardening, DeepPersonIdIsOnePersonsErrorAndTheOthersAreKept) {
  const std::string input =
      write("p.jsonl",
            persons_[0] + "\n" + person_with_id(1, nested(GetParam())) + "\n" + persons_[2] + "\n");
  for (const std::string cmd : {"orient", "notice"}) {
    Result r = run(std::string(cmd) + " " + kPack + " " + input + " --date 2025-03-01");
    EXPECT_FALSE(r.signalled) << cmd;
    EXPECT_LT(r.out.size() + r.err.size(), 200000u) << cmd;  // the value is not echoed
    if (GetParam() > 500000) {
      // The line is too long to be read: the persons before it are handled, then exit 4.
      EXPECT_EQ(r.code, 4) << cmd << r.err;
      EXPECT_NE(r.err.find("too_long"), std::string::npos) << cmd << r.err;
      EXPECT_FALSE(r.out.empty()) << cmd;
      continue;
    }
    EXPECT_EQ(r.code, 1) << cmd << r.err;
    EXPECT_NE(r.out.find("person_id"), std::string::npos) << cmd;
    if (std::string(cmd) == "orient") {
      EXPECT_NE(r.out.find("demo-0003"), std::string::npos);
    }
  }
  if (GetParam() > 500000) return;
  Result o = run("orient " + kPack + " " + input + " --date 2025-03-01");
  ASSERT_EQ(o.lines().size(), 3u);
  EXPECT_EQ(json::parse(o.lines()[1])["line"], 2);
  const std::string log = (dir_ / "d.log").string();
  Result d = run("decide " + kPack + " " + input + " --date 2025-03-01 --auto --log " + log, kKey);
  EXPECT_FALSE(d.signalled);
  ASSERT_EQ(d.lines().size(), 3u) << d.out << d.err;
  EXPECT_EQ(json::parse(d.lines()[1])["status"], "error");
  Result v = run("log verify " + log);
  EXPECT_EQ(v.code, 0) << v.out;
}

TEST_P(CliHardening, DeepDecisionOutputsAreALoadError) {
  const std::string persons = write("p.jsonl", persons_[0] + "\n");
  const std::string decisions =
      write("dec.jsonl", R"({"person_id":"demo-0001","action":"override","reason":"r",)"
                         R"("actor":"counsellor","outputs":{"x":)" +
                             nested(GetParam()) + "}}\n");
  Result n = run("notice " + kPack + " " + persons + " --date 2025-03-01 --decisions " + decisions);
  EXPECT_FALSE(n.signalled);
  EXPECT_EQ(n.code, 3) << n.err;
  EXPECT_NE(n.err.find(line_error()), std::string::npos) << n.err;
  Result d = run("decide " + kPack + " " + persons + " --date 2025-03-01 --decisions " + decisions +
                     " --log " + (dir_ / "d.log").string(),
                 kKey);
  EXPECT_FALSE(d.signalled);
  EXPECT_EQ(d.code, 3) << d.err;
}

TEST_P(CliHardening, DeepDocumentsAreRefusedByEveryReader) {
  const std::string deep = nested(GetParam());
  // Test cases.
  fs::create_directories(dir_ / "pack/tests");
  fs::copy_file(kSource / "rules/orientation/fr-2025/pack.json", dir_ / "pack/pack.json");
  write("pack/tests/deep.json",
        R"({"schema":"aiguillage.testcases","schema_version":"1.0","cases":[{"name":"d",)"
        R"("reference_date":"2025-03-01","input":{},"expected":{"status":"complete",)"
        R"("outputs":{"x":)" +
            deep + "}}}]}");
  Result t = run("test " + (dir_ / "pack").string());
  EXPECT_FALSE(t.signalled);
  EXPECT_NE(t.code, 0);
  EXPECT_NE((t.out + t.err).find("too_deep"), std::string::npos) << t.out << t.err;
  // A pack, a document to hash, a JDM graph.
  const std::string doc = write("deep.json", "{\"x\":" + deep + "}");
  for (const std::string& args : {"check " + doc, "hash --json " + doc, "import-jdm " + doc,
                                  "eval " + doc + " --date 2025-03-01"}) {
    Result r = run(args);
    EXPECT_FALSE(r.signalled) << args;
    EXPECT_EQ(r.code, 3) << args << r.err;
    EXPECT_NE(r.err.find("too_deep"), std::string::npos) << args << r.err;
  }
  // Records (eval, explain) and a whole pretty-printed record.
  const std::string records = write("r.jsonl", persons_[0] + "\n{\"x\":" + deep + "}\n");
  for (const std::string cmd : {"eval", "explain", "orient"}) {
    Result r = run(std::string(cmd) + " " + kPack + " " + records + " --date 2025-03-01");
    EXPECT_FALSE(r.signalled) << cmd;
    EXPECT_EQ(r.code, GetParam() > 500000 ? 4 : 1) << cmd << r.err;
    EXPECT_NE((r.out + r.err).find(line_error()), std::string::npos) << cmd << r.out.substr(0, 300);
  }
  // Offers and profiles.
  const std::string offers = write("offers.jsonl", "{\"x\":" + deep + "}\n");
  Result m = run("match --referential " + (kSource / "data/rome-subset").string() + " --offers " +
                 offers + " --profiles " + offers);
  EXPECT_FALSE(m.signalled);
  EXPECT_NE(m.code, 0);
}

INSTANTIATE_TEST_SUITE_P(Depths, CliHardening, ::testing::Values(100000, 1000000));

class CliDecide : public CliHardening {
 protected:
  // The first persons of the sample: enough of them are evident for --auto to record some.
  std::string sample_persons(int count = 40) {
    std::ifstream in(kSource / "examples/data/persons-1000.jsonl");
    std::string text, line;
    for (int k = 0; k < count && std::getline(in, line); ++k) text += line + "\n";
    return write("p.jsonl", text);
  }
};

TEST_F(CliDecide, AcknowledgedDecisionsSurviveACrashAndARerunRecordsEachOnce) {
  std::string input;
  std::ifstream in(kSource / "examples/data/persons-1000.jsonl");
  for (int k = 0; k < 6; ++k) {
    std::string line;
    std::getline(in, line);
    input += line + "\n";
  }
  const std::string persons = write("p.jsonl", input);
  const std::string log = (dir_ / "d.log").string();
  const std::string args =
      "decide " + kPack + " " + persons + " --date 2025-03-01 --auto --log " + log;
  Result crashed = run(args, kKey + "AIG_TEST_CRASH_AFTER_APPENDS=1 ");
  EXPECT_TRUE(crashed.signalled) << crashed.code;
  // Every decision acknowledged on stdout is in the log, and nothing else.
  std::size_t acknowledged = 0;
  for (const std::string& l : crashed.lines())
    if (json::parse(l)["status"] == "decided") ++acknowledged;
  EXPECT_EQ(acknowledged, 1u) << crashed.out;
  Result v = run("log verify " + log + " --json");
  ASSERT_EQ(v.code, 0) << v.out;
  EXPECT_EQ(json::parse(v.out)["records"], 1);

  Result again = run(args, kKey);
  std::size_t decided = 0, before = 0;
  for (const std::string& l : again.lines()) {
    const json j = json::parse(l);
    decided += j["status"] == "decided";
    before += j["status"] == "already_recorded";
  }
  EXPECT_EQ(before, 1u) << again.out;
  Result v2 = run("log verify " + log + " --json");
  const std::uint64_t records = json::parse(v2.out)["records"];
  EXPECT_EQ(records, 1 + decided);

  // A third run writes nothing.
  Result third = run(args, kKey);
  Result v3 = run("log verify " + log + " --json");
  EXPECT_EQ(json::parse(v3.out)["records"], records);
  EXPECT_EQ(third.out.find("\"decided\""), std::string::npos) << third.out;
}

TEST_F(CliDecide, PersonsWithoutIdentifierAreRefusedAndTypedIdentifiersDiffer) {
  const std::string without = person_with_id(0, "\"x\"").replace(0, 0, "");
  json a = json::parse(persons_[0]);
  a.erase("person_id");
  json s = json::parse(persons_[0]);
  s["person_id"] = "1";
  json i = json::parse(persons_[0]);
  i["person_id"] = 1;
  const std::string input = write("p.jsonl", a.dump() + "\n" + s.dump() + "\n" + i.dump() + "\n");
  const std::string log = (dir_ / "d.log").string();
  Result d = run("decide " + kPack + " " + input + " --date 2025-03-01 --auto --log " + log, kKey);
  ASSERT_EQ(d.lines().size(), 3u) << d.out << d.err;
  const json first = json::parse(d.lines()[0]);
  EXPECT_EQ(first["status"], "error");
  EXPECT_EQ(first["errors"][0]["name"], "identifier_missing");
  EXPECT_EQ(json::parse(d.lines()[1])["person_id"], "1");
  EXPECT_EQ(json::parse(d.lines()[2])["person_id"], 1);
  Result r = run("log verify " + log + " --json");
  std::ifstream lf(log);
  std::vector<std::string> people;
  for (std::string l; std::getline(lf, l);) people.push_back(json::parse(l)["record"]["person"]);
  if (people.size() == 2) {
    EXPECT_NE(people[0], people[1]);
  }
}

TEST_F(CliDecide, LogVerifyWithAnAnchor) {
  const std::string persons = sample_persons();
  const std::string log = (dir_ / "d.log").string();
  run("decide " + kPack + " " + persons + " --date 2025-03-01 --auto --log " + log, kKey);
  Result v = run("log verify " + log + " --json");
  const json j = json::parse(v.out);
  const std::string head = j["last_hash"];
  const std::string lines = std::to_string(j["records"].get<int>());
  ASSERT_GT(j["records"].get<int>(), 0) << v.out;
  EXPECT_EQ(run("log verify " + log + " --head " + head + " --lines " + lines).code, 0);
  // Drop the last line: the chain still verifies, the anchor does not.
  std::string text = read(log);
  text.pop_back();
  text = text.substr(0, text.rfind('\n') + 1);
  write("d.log", text);
  EXPECT_EQ(run("log verify " + log).code, 0);
  Result a = run("log verify " + log + " --head " + head + " --lines " + lines);
  EXPECT_EQ(a.code, 1);
  EXPECT_NE(a.out.find("truncated"), std::string::npos) << a.out;
  EXPECT_EQ(run("log verify " + log + " --head nothex").code, 2);
  EXPECT_EQ(run("log verify " + log + " --lines 3").code, 2);
}

TEST_F(CliDecide, EvalStopsAtTheLineLimitOnAnEndlessLine) {
  // /dev/zero has no newline: the reader stops at the limit instead of growing for ever.
  Result r = run("eval " + kPack + " /dev/zero --date 2025-03-01");
  EXPECT_FALSE(r.signalled);
  EXPECT_NE(r.code, 0);
  EXPECT_NE((r.out + r.err).find("too_long"), std::string::npos) << r.out.substr(0, 300) << r.err;
}

TEST_F(CliDecide, ReplayChecksTheDecisionPart) {
  const std::string persons = sample_persons();
  const std::string log = (dir_ / "d.log").string();
  run("decide " + kPack + " " + persons + " --date 2025-03-01 --auto --log " + log, kKey);
  std::ifstream in(log);
  std::vector<json> records;
  for (std::string l; std::getline(in, l);) records.push_back(json::parse(l)["record"]);
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(run("replay " + log + " --packs " + (kSource / "rules").string()).code, 0);
  // A policy decision that changed the outputs, chained with recomputed hashes: the chain
  // verifies, replay does not.
  json& outputs = records[0]["decision"]["outputs"];
  for (auto it = outputs.begin(); it != outputs.end(); ++it)
    if (it->is_string()) {
      *it = "forged";
      break;
    }
  records[0]["decision"]["actor_role"] = "Jean Dupont <jean@example.org>";
  const std::string forged = (dir_ / "forged.log").string();
  {
    aiguillage::DecisionLog out(forged);
    for (const json& r : records) out.append(r.dump());
  }
  EXPECT_EQ(run("log verify " + forged).code, 0);
  Result r = run("replay " + forged + " --packs " + (kSource / "rules").string());
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("decision: a policy decision changed the proposal's outputs"),
            std::string::npos)
      << r.out;
}

TEST_F(CliDecide, AuditFieldsAreValidated) {
  const std::string persons = write("p.jsonl", persons_[0] + "\n");
  const std::string log = (dir_ / "d.log").string();
  const std::string base = "decide " + kPack + " " + persons + " --date 2025-03-01 --log " + log;
  const std::string email = write(
      "email.jsonl", R"({"line":1,"action":"confirm","actor":"Jean Dupont <jean@example.org>"})"
                     "\n");
  Result a = run(base + " --decisions " + email, kKey);
  ASSERT_FALSE(a.lines().empty()) << a.err;
  EXPECT_EQ(json::parse(a.lines()[0])["errors"][0]["name"], "invalid_actor");
  const std::string when = write(
      "when.jsonl", R"({"line":1,"action":"confirm","actor":"conseiller","decided_at":"hier"})"
                    "\n");
  Result w = run(base + " --decisions " + when, kKey);
  ASSERT_FALSE(w.lines().empty()) << w.err;
  EXPECT_EQ(json::parse(w.lines()[0])["errors"][0]["name"], "invalid_timestamp");
  const std::string reason =
      write("reason.jsonl", R"({"line":1,"action":"override","actor":"conseiller","reason":")" +
                                std::string(5'000'000, 'r') +
                                R"(","outputs":{"organisme_referent":"mission_locale"}})"
                                "\n");
  Result l = run(base + " --decisions " + reason, kKey);
  EXPECT_NE(l.code, 0);
  EXPECT_NE((l.out + l.err).find("too_long"), std::string::npos) << l.err;
  EXPECT_LT(l.out.size() + l.err.size(), 10000u);
  Result at = run(base + " --auto --at yesterday", kKey);
  EXPECT_NE(at.code, 0);
  EXPECT_EQ(run("log verify " + log + " --json").out.find("\"records\":0") != std::string::npos,
            true);
}

TEST_F(CliDecide, ByteOrderMarkBrokenPackAndLanguage) {
  // A UTF-8 byte-order mark before the first record is no part of it.
  const std::string bom = write("bom.jsonl", "\xEF\xBB\xBF" + persons_[0] + "\n");
  Result b = run("orient " + kPack + " " + bom + " --date 2025-03-01");
  EXPECT_EQ(b.code, 0) << b.out << b.err;
  // One broken pack.json under --packs does not stop the replay.
  fs::create_directories(dir_ / "packs/good");
  fs::create_directories(dir_ / "packs/broken");
  fs::copy_file(kSource / "rules/orientation/fr-2025/pack.json", dir_ / "packs/good/pack.json");
  write("packs/broken/pack.json", "{ not json");
  const std::string persons = write("p.jsonl", persons_[0] + "\n");
  const std::string log = (dir_ / "d.log").string();
  run("decide " + kPack + " " + persons + " --date 2025-03-01 --auto --log " + log, kKey);
  Result r = run("replay " + log + " --packs " + (dir_ / "packs").string());
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("warning: skipped"), std::string::npos) << r.err;
  // A pack description must be text.
  std::ifstream pin(kSource / "rules/examples/youth-guidance/pack.json");
  json pack = json::parse(pin);
  pack["description"] = json::array({1, 2});
  const std::string bad = write("bad-pack.json", pack.dump());
  Result c = run("check " + bad);
  EXPECT_EQ(c.code, 3);
  EXPECT_NE(c.err.find("type_mismatch at /description"), std::string::npos) << c.err;
}

}  // namespace
