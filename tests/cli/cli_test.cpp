// The `aiguillage` command run as a user would: files in a temporary folder, the built binary,
// standard output, standard error and the exit code.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiguillage/core/version.hpp"
#include "support/cli_harness.hpp"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Ages 16..25 without RSA go to the Mission Locale, RSA to the département, the rest to
// France Travail; "bonus" is an expression decision.
constexpr const char* kPack = R"json({
  "schema": "aiguillage.ruleset", "schema_version": "1.0",
  "id": "test/cli", "version": "1.0.0", "valid_from": "2020-01-01", "valid_to": null,
  "title": "CLI", "purpose": "Tests of the command-line tool",
  "sources": [{"id": "S1", "title": "Source one", "url": "https://example.org/s1"}],
  "inputs": [
    {"name": "birth_date", "type": "date", "label": {"fr": "date de naissance", "en": "birth date"}},
    {"name": "benefit", "type": "enum", "values": ["RSA", "ASS", "none"]},
    {"name": "income", "type": "decimal", "min": 0, "max": 100000}
  ],
  "variables": [{"name": "age", "expression": "years_between(birth_date, reference_date)"}],
  "decisions": [
    {"id": "structure", "kind": "table", "hit_policy": "FIRST", "complete": true,
     "inputs": [{"expression": "age"}, {"expression": "benefit"}],
     "outputs": [{"name": "structure", "type": "enum",
                  "values": ["mission_locale", "departement", "france_travail"]}],
     "rules": [
       {"id": "R1", "when": ["[16..25]", "not(\"RSA\")"], "then": ["\"mission_locale\""],
        "source": "S1", "status": "verified"},
       {"id": "R2", "when": ["-", "\"RSA\""], "then": ["\"departement\""],
        "source": "S1", "status": "verified"},
       {"id": "R3", "when": ["-", "-"], "then": ["\"france_travail\""],
        "source": "S1", "status": "interpretation"}]},
    {"id": "bonus", "kind": "expression", "expression": "income * 1.5",
     "output": {"name": "bonus", "type": "decimal"}, "source": "S1", "status": "verified"}
  ]
})json";

constexpr const char* kYoung = R"({"birth_date": "2005-01-15", "benefit": "none", "income": 100})";
constexpr const char* kRsa = R"({"birth_date": "1980-06-01", "benefit": "RSA", "income": 1.1})";

using Result = aiguillage::test_support::CliResult;

class CliTest : public ::testing::Test, protected aiguillage::test_support::CliHarness {
 protected:
  void SetUp() override {
    make_dir();
    pack_ = write("pack/pack.json", kPack);
  }
  void TearDown() override { remove_dir(); }

  // Runs `aiguillage <args>` with `input` on standard input.
  Result run(const std::string& args, const std::string& input = "") {
    return run_cli(args, {input, "", {}});
  }

  std::string pack_;
};

TEST_F(CliTest, EvalSingleRecord) {
  const std::string input = write("one.json", kYoung);
  Result r = run("eval " + pack_ + " " + input + " --date 2025-03-01");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines().size(), 1u) << r.out;
  json j = json::parse(r.out);
  EXPECT_EQ(j["status"], "complete");
  EXPECT_EQ(j["outputs"]["structure"], "mission_locale");
  EXPECT_EQ(j["outputs"]["bonus"], 150);
  EXPECT_EQ(j["fired"]["structure"], json::array({"R1"}));
  EXPECT_FALSE(j.contains("trace"));
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(CliTest, EvalAcceptsThePackFolderOrFileAndStandardInput) {
  Result a = run("eval " + (dir_ / "pack").string() + " --date 2025-03-01", kYoung);
  Result b = run("eval " + pack_ + " - --date=2025-03-01", kYoung);
  EXPECT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.lines().size(), 1u);
}

TEST_F(CliTest, EvalPrettyPrintedObjectIsOneRecord) {
  Result r = run("eval " + pack_ + " --date 2025-03-01",
                 "\n{\n  \"birth_date\": \"2005-01-15\",\n  \"benefit\": \"none\",\n"
                 "  \"income\": 100\n}\n\n");
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines().size(), 1u) << r.out;
  EXPECT_EQ(json::parse(r.out)["outputs"]["structure"], "mission_locale");
}

TEST_F(CliTest, EvalJsonLinesKeepsEveryGoodLineAroundBadOnes) {
  const std::string input = std::string(kYoung) + "\n\n" +   // line 1, blank line 2
                            R"({"benefit": "XX"})" + "\n" +  // line 3: not an enum value
                            kRsa + "\r\n" +                  // line 4 (CRLF)
                            R"({"benefit": )" + "\n" +       // line 5: broken JSON
                            "   " + kYoung;                  // line 6, no final newline
  const std::string file = write("in.jsonl", input);
  for (const std::string& args : {"eval " + pack_ + " " + file + " --date 2025-03-01",
                                  "eval " + pack_ + " --date 2025-03-01"}) {
    Result r = run(args, input);
    EXPECT_EQ(r.code, 1) << args;
    auto lines = r.lines();
    ASSERT_EQ(lines.size(), 5u) << r.out;
    EXPECT_EQ(json::parse(lines[0])["outputs"]["structure"], "mission_locale");
    json bad = json::parse(lines[1]);
    EXPECT_EQ(bad.size(), 3u) << lines[1];
    EXPECT_EQ(bad["line"], 3);
    EXPECT_EQ(bad["status"], "error");
    ASSERT_EQ(bad["errors"].size(), 1u);
    EXPECT_EQ(bad["errors"][0]["code"], -113);
    EXPECT_EQ(bad["errors"][0]["name"], "enum_value");
    EXPECT_EQ(bad["errors"][0]["pointer"], "/benefit");
    EXPECT_FALSE(bad["errors"][0]["message"].get<std::string>().empty());
    EXPECT_EQ(lines[1].rfind(R"({"line":3,"status":"error","errors":[{"code":-113,)", 0), 0u);
    EXPECT_EQ(json::parse(lines[2])["outputs"]["structure"], "departement");
    json broken = json::parse(lines[3]);
    EXPECT_EQ(broken["line"], 5);
    EXPECT_EQ(broken["errors"][0]["name"], "json_syntax");
    EXPECT_EQ(json::parse(lines[4])["outputs"]["structure"], "mission_locale");
  }
}

TEST_F(CliTest, EvalBareScalarsAndArraysAreErrorLines) {
  Result r = run("eval " + pack_ + " --date 2025-03-01",
                 "\"x\"\n3\n[1]\ntrue\n" + std::string(kYoung) + "\n");
  EXPECT_EQ(r.code, 1);
  auto lines = r.lines();
  ASSERT_EQ(lines.size(), 5u) << r.out;
  for (int k = 0; k < 4; ++k) {
    json j = json::parse(lines[static_cast<std::size_t>(k)]);
    EXPECT_EQ(j["line"], k + 1);
    EXPECT_EQ(j["errors"][0]["name"], "type_mismatch") << lines[static_cast<std::size_t>(k)];
  }
  EXPECT_EQ(json::parse(lines[4])["status"], "complete");
}

TEST_F(CliTest, EvalTraceIncludesTheTrace) {
  Result r = run("eval " + pack_ + " --trace --date 2025-03-01", kYoung);
  EXPECT_EQ(r.code, 0) << r.err;
  json j = json::parse(r.out);
  ASSERT_TRUE(j.contains("trace")) << r.out;
  EXPECT_EQ(j["trace"]["variables"]["age"], 20);
  EXPECT_EQ(j["trace"]["pack"]["id"], "test/cli");
}

TEST_F(CliTest, EvalWithoutReferenceDateIsAnError) {
  Result r = run("eval " + pack_, std::string(kYoung) + "\n");
  EXPECT_EQ(r.code, 1);
  json j = json::parse(r.out);
  EXPECT_EQ(j["status"], "error");
  EXPECT_EQ(j["line"], 1);
  EXPECT_EQ(j["errors"][0]["name"], "missing_reference_date");
  EXPECT_EQ(j["errors"][0]["pointer"], "/reference_date");

  // A record may carry its own reference date.
  r = run("eval " + pack_, R"({"benefit": "RSA", "reference_date": "2025-03-01"})");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(json::parse(r.out)["outputs"]["structure"], "departement");
}

TEST_F(CliTest, EvalUnknownFieldsAreRejectedUnlessAllowed) {
  const std::string input = R"({"benefit": "RSA", "colour": "blue"})";
  Result r = run("eval " + pack_ + " --date 2025-03-01", input);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(json::parse(r.out)["errors"][0]["name"], "unknown_field");
  r = run("eval " + pack_ + " --date 2025-03-01 --allow-unknown-fields", input);
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(CliTest, EvalThreadsKeepInputOrder) {
  std::string input;
  const char* benefits[] = {"RSA", "ASS", "none"};
  for (int k = 0; k < 3000; ++k) {
    input += R"({"birth_date": ")" + std::to_string(1950 + k % 60) + R"(-03-0)" +
             std::to_string(1 + k % 9) + R"(", "benefit": ")" + benefits[k % 3] +
             R"(", "income": )" + std::to_string(k) + "}\n";
    if (k % 500 == 7)
      input += R"({"benefit": "bad"})"
               "\n";
  }
  Result one = run("eval " + pack_ + " --date 2025-03-01", input);
  Result three = run("eval " + pack_ + " --date 2025-03-01 --threads 3", input);
  EXPECT_EQ(one.code, 1);
  EXPECT_EQ(three.code, 1);
  EXPECT_EQ(one.lines().size(), 3006u);
  EXPECT_EQ(one.out, three.out);
}

TEST_F(CliTest, EvalEmptyInputPrintsNothing) {
  Result r = run("eval " + pack_ + " --date 2025-03-01", "\n  \n");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, "");
}

TEST_F(CliTest, CheckExitCodes) {
  Result r = run("check " + pack_);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 errors"), std::string::npos) << r.out;

  // Without R3 the table declared complete has a gap: an error.
  json pack = json::parse(kPack);
  pack["decisions"][0]["rules"].erase(2);
  const std::string gap = write("gap.json", pack.dump(2));
  r = run("check " + gap);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("gap"), std::string::npos) << r.out;
  r = run("check " + gap + " --json");
  EXPECT_EQ(r.code, 1);
  json report = json::parse(r.out);
  EXPECT_EQ(report["errors"], 1);
  EXPECT_EQ(report["findings"][0]["kind"], "gap");

  // The same gap in a table not declared complete is only a warning.
  pack["decisions"][0]["complete"] = false;
  r = run("check " + write("open.json", pack.dump()));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST_F(CliTest, TestCommandReportsFailuresCoverageAndSummary) {
  write("pack/tests/a.json", R"({"schema": "aiguillage.testcases", "schema_version": "1.0",
    "cases": [
      {"name": "jeune", "reference_date": "2025-03-01",
       "input": {"birth_date": "2005-01-15", "benefit": "none", "income": 1.00},
       "expected": {"status": "complete", "outputs": {"structure": "mission_locale", "bonus": 1.5},
                    "rules": {"structure": "R1"}}},
      {"name": "rsa", "reference_date": "2025-03-01", "input": {"benefit": "RSA"},
       "expected": {"rules": {"structure": "R2"}, "missing": ["income"]}}]})");
  const std::string dir = (dir_ / "pack").string();
  Result r = run("test " + dir);
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  auto lines = r.lines();
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "2 passed, 0 failed");
  EXPECT_NE(r.out.find("uncovered: structure/R3\n"), std::string::npos) << r.out;

  write("pack/tests/b.json", R"({"schema": "aiguillage.testcases", "schema_version": "1.0",
    "cases": [{"name": "autre", "reference_date": "2025-03-01",
               "input": {"birth_date": "1950-01-01", "benefit": "ASS"},
               "expected": {"outputs": {"structure": "departement"}}}]})");
  r = run("test " + pack_);  // the pack file names the same folder
  EXPECT_EQ(r.code, 1);
  lines = r.lines();
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[0], "FAIL " + dir + "/tests/b.json:autre: output structure expected " +
                          "\"departement\", got \"france_travail\"");
  EXPECT_EQ(lines[1], "coverage: all 3 rules fired");
  EXPECT_EQ(lines[2], "2 passed, 1 failed");

  r = run("test " + dir + " --json");
  EXPECT_EQ(r.code, 1);
  json j = json::parse(r.out);
  EXPECT_EQ(j["passed"], 2);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["failures"].size(), 1u);
}

TEST_F(CliTest, TestCommandCountsAMalformedTestFileAsAFailure) {
  write("pack/tests/a.json", R"({"schema": "aiguillage.testcases", "schema_version": "1.0",
    "cases": [{"name": "x", "input": {}, "expected": {"status": "finished"}}]})");
  Result r = run("test " + (dir_ / "pack").string());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("a.json: invalid_document at /cases/0/expected/status"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.lines().back(), "0 passed, 1 failed");
}

TEST_F(CliTest, HashIsStableUnderKeyPermutation) {
  // Same document, every object's keys in reverse order, other whitespace.
  std::function<nlohmann::ordered_json(const nlohmann::ordered_json&)> reverse =
      [&](const nlohmann::ordered_json& v) {
        if (v.is_array()) {
          nlohmann::ordered_json a = nlohmann::ordered_json::array();
          for (const auto& x : v) a.push_back(reverse(x));
          return a;
        }
        if (!v.is_object()) return v;
        std::vector<std::string> keys;
        for (auto it = v.begin(); it != v.end(); ++it) keys.push_back(it.key());
        nlohmann::ordered_json o = nlohmann::ordered_json::object();
        for (auto k = keys.rbegin(); k != keys.rend(); ++k) o[*k] = reverse(v.at(*k));
        return o;
      };
  const std::string permuted =
      write("permuted.json", reverse(nlohmann::ordered_json::parse(kPack)).dump(4));
  ASSERT_NE(read(permuted), kPack);

  Result a = run("hash " + pack_);
  Result b = run("hash " + permuted);
  Result c = run("hash --json " + permuted);
  EXPECT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out.rfind("sha256:", 0), 0u) << a.out;
  EXPECT_EQ(a.out.size(), 7u + 64u + 1u);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.out, c.out);
  // The hash in results is the same one.
  Result t = run("eval " + permuted + " --trace --date 2025-03-01", kYoung);
  EXPECT_EQ(json::parse(t.out)["trace"]["pack"]["hash"].get<std::string>() + "\n", a.out);

  Result changed = run("hash --json -", R"({"a": 1})");
  EXPECT_EQ(changed.code, 0);
  EXPECT_NE(changed.out, a.out);
  EXPECT_EQ(run("hash --json -", "{\"a\": 1.0}\n").out, changed.out);
  EXPECT_EQ(run("hash --json -", "{\"a\": ").code, 3);
}

TEST_F(CliTest, UsageErrorsExit2) {
  Result r = run("");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("usage: aiguillage"), std::string::npos);
  r = run("frobnicate");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("error: unknown command frobnicate"), std::string::npos) << r.err;
  r = run("eval " + pack_ + " --frob");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("error: unknown option --frob"), std::string::npos) << r.err;
  EXPECT_EQ(run("eval").code, 2);
  EXPECT_EQ(run("eval " + pack_ + " a b").code, 2);
  EXPECT_EQ(run("eval " + pack_ + " --date").code, 2);
  r = run("eval " + pack_ + " --date 2025-02-30");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--date"), std::string::npos) << r.err;
  EXPECT_EQ(run("eval " + pack_ + " --threads 0").code, 2);
  EXPECT_EQ(run("eval " + pack_ + " --trace=yes").code, 2);
  EXPECT_EQ(run("check " + pack_ + " --trace").code, 2);
  EXPECT_EQ(run("hash").code, 2);
  EXPECT_EQ(run("explain " + pack_ + " --lang de").code, 2);
  EXPECT_EQ(run("import-jdm x.json --valid-from tomorrow").code, 2);
  EXPECT_EQ(run("version extra").code, 2);
}

TEST_F(CliTest, HelpPrintsUsageAndExits0) {
  Result r = run("--help");
  EXPECT_EQ(r.code, 0);
  for (const char* cmd : {"eval", "explain", "check", "test", "hash", "import-jdm", "version"}) {
    EXPECT_NE(r.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd;
    Result h = run(std::string(cmd) + " --help");
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_EQ(h.out.rfind(std::string("usage: aiguillage ") + cmd, 0), 0u) << h.out;
  }
}

TEST_F(CliTest, LoadErrorsExit3WithThePointer) {
  json pack = json::parse(kPack);
  pack["decisions"][0]["hit_policy"] = "FRST";
  Result r = run("eval " + write("bad.json", pack.dump()) + " --date 2025-03-01", kYoung);
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("error: bad_hit_policy at /decisions/0/hit_policy: ", 0), 0u) << r.err;

  pack = json::parse(kPack);
  pack["decisions"][0]["rules"][1]["when"][1] = "\"RSA";
  for (const char* cmd : {"eval", "check", "test", "hash", "explain"}) {
    r = run(std::string(cmd) + " " + write("bad_cell.json", pack.dump()));
    EXPECT_EQ(r.code, 3) << cmd;
    EXPECT_NE(r.err.find(" at /decisions/0/rules/1/when/1"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  }
}

TEST_F(CliTest, IoErrorsExit4) {
  Result r = run("eval " + (dir_ / "absent.json").string());
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.err.rfind("error: io at /: ", 0), 0u) << r.err;
  EXPECT_EQ(run("check " + dir_.string()).code, 4);  // a folder without pack.json
  r = run("eval " + pack_ + " " + (dir_ / "absent.jsonl").string() + " --date 2025-03-01");
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.err.find("absent.jsonl"), std::string::npos) << r.err;
  EXPECT_EQ(run("hash --json " + (dir_ / "absent.json").string()).code, 4);
  EXPECT_EQ(run("import-jdm " + (dir_ / "absent.json").string()).code, 4);
}

TEST_F(CliTest, ExplainPrintsOneExplanationPerRecord) {
  Result r = run("explain " + pack_ + " --date 2025-03-01 --lang en",
                 std::string(kYoung) + "\n" + kRsa + "\n");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("R1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("R2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n\n"), std::string::npos);

  Result fr = run("explain " + pack_ + " --date 2025-03-01", kYoung);
  EXPECT_EQ(fr.code, 0);
  EXPECT_NE(fr.out, "");

  r = run("explain " + pack_ + " --date 2025-03-01",
          std::string(R"({"benefit": "XX"})") + "\n" + kYoung + "\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out.rfind("line 1: error: enum_value at /benefit: ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(fr.out), std::string::npos);
}

TEST_F(CliTest, ImportJdmPrintsAPackThatEvaluates) {
  const std::string graph = write("graph.json", R"({"nodes": [
    {"id": "in", "type": "inputNode", "name": "Request"},
    {"id": "t1", "type": "decisionTableNode", "name": "grade", "content": {
      "hitPolicy": "first",
      "inputs": [{"id": "c1", "name": "Score", "field": "score"}],
      "outputs": [{"id": "o1", "name": "Grade", "field": "grade"}],
      "rules": [{"_id": "r1", "c1": ">= 50", "o1": "\"pass\""},
                {"_id": "r2", "c1": "", "o1": "\"fail\""}]}},
    {"id": "out", "type": "outputNode", "name": "Response"}],
    "edges": [{"id": "e1", "sourceId": "in", "targetId": "t1"},
              {"id": "e2", "sourceId": "t1", "targetId": "out"}]})");
  Result r = run("import-jdm " + graph +
                 " --id imported/grade --version 2.0.0 "
                 "--valid-from 2024-01-01");
  EXPECT_EQ(r.code, 0) << r.err;
  json pack = json::parse(r.out);
  EXPECT_EQ(pack["id"], "imported/grade");
  EXPECT_EQ(pack["version"], "2.0.0");
  EXPECT_EQ(pack["valid_from"], "2024-01-01");
  r = run("eval " + write("imported.json", r.out) + " --date 2025-01-01",
          "{\"score\": 70}\n{\"score\": 10}\n");
  EXPECT_EQ(r.code, 0) << r.err;
  auto lines = r.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json::parse(lines[0])["outputs"]["grade"], "pass");
  EXPECT_EQ(json::parse(lines[1])["outputs"]["grade"], "fail");

  r = run("import-jdm -", R"({"nodes": []})");
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
}

TEST_F(CliTest, VersionPrintsTheEngineVersion) {
  Result r = run("version");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find(std::string(aiguillage::engine_version())), std::string::npos) << r.out;
  EXPECT_EQ(run("--version").out, r.out);
}

}  // namespace
