#include "aiguillage/rules/test_cases.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiguillage/core/error.hpp"

namespace aiguillage {
namespace {

// Ages 16..25 without RSA go to the Mission Locale, RSA to the département, the rest to
// France Travail; "bonus" is an expression decision with a decimal output.
constexpr const char* kPack = R"json({
  "schema": "aiguillage.ruleset", "schema_version": "1.0",
  "id": "test/mini", "version": "1.0.0", "valid_from": "2020-01-01", "valid_to": null,
  "title": "Mini", "purpose": "Tests of the test-case runner",
  "sources": [{"id": "S1", "title": "Source one"}],
  "inputs": [
    {"name": "birth_date", "type": "date"},
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

std::string doc(const std::string& cases) {
  return R"({"schema": "aiguillage.testcases", "schema_version": "1.0", "cases": [)" + cases + "]}";
}

// One case named "c" with the given input and expectations.
std::string one_case(const std::string& input, const std::string& expected,
                     const std::string& date = "2025-03-01") {
  return doc(R"({"name": "c", "reference_date": ")" + date + R"(", "input": )" + input +
             R"(, "expected": )" + expected + "}");
}

class TestCasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pack_ = Pack::load(kPack);
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("aig_test_cases_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "tests");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir_ / "tests" / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  // Runs one document written to "t.json"; returns the run.
  TestRun run(const std::string& text) { return run_test_files(pack_, {write("t.json", text)}); }

  // The failure lines without the "FAIL <file>:c: " prefix.
  std::vector<std::string> differences(const std::string& text) {
    TestRun r = run(text);
    std::vector<std::string> out;
    const std::string prefix = "FAIL " + (dir_ / "tests" / "t.json").string() + ":c: ";
    for (const std::string& f : r.failures) {
      EXPECT_EQ(f.rfind(prefix, 0), 0u) << f;
      out.push_back(f.substr(prefix.size()));
    }
    return out;
  }

  Pack pack_;
  std::filesystem::path dir_;
};

TEST_F(TestCasesTest, LoadsEveryField) {
  TestSuite s = load_test_cases(doc(R"(
    {"name": "jeune", "rationale": "why", "reference_date": "2025-03-01",
     "input": {"birth_date": "2005-01-15", "income": 1.50},
     "expected": {"status": "incomplete", "outputs": {"structure": "mission_locale"},
                  "rules": {"structure": "R1", "other": ["A", "B"], "none": null},
                  "missing": ["benefit"], "error": "enum_value"}})"));
  ASSERT_EQ(s.cases.size(), 1u);
  const TestCase& c = s.cases[0];
  EXPECT_EQ(c.name, "jeune");
  EXPECT_EQ(c.rationale, "why");
  EXPECT_EQ(c.pointer, "/cases/0");
  ASSERT_TRUE(c.reference_date);
  EXPECT_EQ(c.reference_date->to_string(), "2025-03-01");
  // The input reaches the schema as written, digits included.
  EXPECT_EQ(c.input, R"({"birth_date": "2005-01-15", "income": 1.50})");
  EXPECT_EQ(c.status, Status::incomplete);
  ASSERT_EQ(c.outputs.size(), 1u);
  EXPECT_EQ(c.outputs[0].name, "structure");
  EXPECT_EQ(c.outputs[0].value, "\"mission_locale\"");
  EXPECT_EQ(c.outputs[0].pointer, "/cases/0/expected/outputs/structure");
  ASSERT_EQ(c.rules.size(), 3u);
  for (const ExpectedRules& r : c.rules) {
    if (r.decision == "structure") {
      EXPECT_EQ(r.rules, std::vector<std::string>{"R1"});
    }
    if (r.decision == "other") {
      EXPECT_EQ(r.rules, (std::vector<std::string>{"A", "B"}));
    }
    if (r.decision == "none") {
      EXPECT_TRUE(r.rules.empty());
    }
  }
  ASSERT_TRUE(c.missing);
  EXPECT_EQ(*c.missing, std::vector<std::string>{"benefit"});
  EXPECT_EQ(c.error, "enum_value");
}

TEST_F(TestCasesTest, InputSpansSurviveNestingAndEscapes) {
  TestSuite s = load_test_cases(doc(R"(
    {"name": "a", "expected": {"status": "complete"}, "input": {"x": {"y": [1, "]}\"{"]}}},
    {"input": {}, "name": "b \"q\"", "expected": {"status": "complete"}})"));
  ASSERT_EQ(s.cases.size(), 2u);
  EXPECT_EQ(s.cases[0].input, R"({"x": {"y": [1, "]}\"{"]}})");
  EXPECT_EQ(s.cases[1].input, "{}");
  EXPECT_EQ(s.cases[1].name, "b \"q\"");
}

struct Malformed {
  ErrorCode code;
  const char* pointer;
};

TEST_F(TestCasesTest, MalformedDocumentsGivePinnedCodesAndPointers) {
  const std::string ok_case = R"({"name": "c", "input": {}, "expected": {"status": "complete"}})";
  const std::vector<std::pair<std::string, Malformed>> table = {
      {"{", {ErrorCode::json_syntax, ""}},
      {"[]", {ErrorCode::invalid_document, ""}},
      {R"({"schema": "aiguillage.ruleset", "schema_version": "1.0", "cases": []})",
       {ErrorCode::schema_mismatch, "/schema"}},
      {R"({"schema": "aiguillage.testcases", "cases": []})",
       {ErrorCode::schema_mismatch, "/schema_version"}},
      {R"({"schema": "aiguillage.testcases", "schema_version": "2.0", "cases": []})",
       {ErrorCode::schema_version_too_new, "/schema_version"}},
      {R"({"schema": "aiguillage.testcases", "schema_version": "0.9", "cases": []})",
       {ErrorCode::schema_version_too_old, "/schema_version"}},
      {R"({"schema": "aiguillage.testcases", "schema_version": "1.0"})",
       {ErrorCode::required_missing, "/cases"}},
      {R"({"schema": "aiguillage.testcases", "schema_version": "1.0", "cases": {}})",
       {ErrorCode::invalid_document, "/cases"}},
      {R"({"schema": "aiguillage.testcases", "schema_version": "1.0", "cases": [], "x": 1})",
       {ErrorCode::unknown_field, "/x"}},
      {doc("3"), {ErrorCode::invalid_document, "/cases/0"}},
      {doc(R"({"input": {}, "expected": {"status": "complete"}})"),
       {ErrorCode::required_missing, "/cases/0/name"}},
      {doc(R"({"name": 5, "input": {}, "expected": {"status": "complete"}})"),
       {ErrorCode::type_mismatch, "/cases/0/name"}},
      {doc(R"({"name": "", "input": {}, "expected": {"status": "complete"}})"),
       {ErrorCode::invalid_document, "/cases/0/name"}},
      {doc(ok_case + "," + ok_case), {ErrorCode::duplicate_name, "/cases/1/name"}},
      {doc(R"({"name": "c", "inputs": {}, "expected": {"status": "complete"}})"),
       {ErrorCode::unknown_field, "/cases/0/inputs"}},
      {doc(R"({"name": "c", "expected": {"status": "complete"}})"),
       {ErrorCode::required_missing, "/cases/0/input"}},
      {doc(R"({"name": "c", "input": [], "expected": {"status": "complete"}})"),
       {ErrorCode::invalid_document, "/cases/0/input"}},
      {doc(R"({"name": "c", "reference_date": "2025-02-30", "input": {},
               "expected": {"status": "complete"}})"),
       {ErrorCode::invalid_date, "/cases/0/reference_date"}},
      {doc(R"({"name": "c", "input": {}})"), {ErrorCode::required_missing, "/cases/0/expected"}},
      {doc(R"({"name": "c", "input": {}, "expected": {}})"),
       {ErrorCode::invalid_document, "/cases/0/expected"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"output": {}}})"),
       {ErrorCode::unknown_field, "/cases/0/expected/output"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"status": "done"}})"),
       {ErrorCode::invalid_document, "/cases/0/expected/status"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"outputs": []}})"),
       {ErrorCode::invalid_document, "/cases/0/expected/outputs"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"rules": {"a/b": 3}}})"),
       {ErrorCode::type_mismatch, "/cases/0/expected/rules/a~1b"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"rules": {"d": ["R1", 2]}}})"),
       {ErrorCode::type_mismatch, "/cases/0/expected/rules/d/1"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"missing": "income"}})"),
       {ErrorCode::invalid_document, "/cases/0/expected/missing"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"missing": ["income", 1]}})"),
       {ErrorCode::type_mismatch, "/cases/0/expected/missing/1"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"error": "no_such_code"}})"),
       {ErrorCode::invalid_document, "/cases/0/expected/error"}},
      {doc(R"({"name": "c", "input": {}, "expected": {"error": -113}})"),
       {ErrorCode::type_mismatch, "/cases/0/expected/error"}},
  };
  for (const auto& [text, want] : table) {
    try {
      load_test_cases(text);
      ADD_FAILURE() << "no error for: " << text;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), want.code) << text << "\n" << e.describe();
      EXPECT_EQ(e.pointer(), want.pointer) << text << "\n" << e.describe();
    }
  }
}

TEST_F(TestCasesTest, NewerMinorVersionIgnoresUnknownFields) {
  TestSuite s = load_test_cases(
      R"({"schema": "aiguillage.testcases", "schema_version": "1.3", "tags": ["x"],
          "cases": [{"name": "c", "input": {}, "weight": 2,
                     "expected": {"status": "complete", "explanation": "later"}}]})");
  EXPECT_EQ(s.cases.size(), 1u);
}

TEST_F(TestCasesTest, PassingCasesCompareValuesNotSpelling) {
  TestRun r = run(doc(R"(
    {"name": "jeune", "reference_date": "2025-03-01",
     "input": {"birth_date": "2005-01-15", "benefit": "none", "income": 1.00},
     "expected": {"status": "complete",
                  "outputs": {"structure": "mission_locale", "bonus": 1.50},
                  "rules": {"structure": "R1"}}},
    {"name": "entier", "reference_date": "2025-03-01",
     "input": {"birth_date": "2005-01-15", "benefit": "none", "income": 2},
     "expected": {"outputs": {"bonus": 3.0, "age": 20}, "rules": {"structure": ["R1"]}}},
    {"name": "rsa", "input": {"reference_date": "2025-03-01", "benefit": "RSA"},
     "expected": {"outputs": {"structure": "departement", "bonus": null},
                  "rules": {"structure": "R2"}, "missing": ["income"]}},
    {"name": "rejete", "reference_date": "2025-03-01", "input": {"benefit": "XX"},
     "expected": {"status": "error", "error": "enum_value"}},
    {"name": "sans-date", "input": {"benefit": "RSA"},
     "expected": {"error": "missing_reference_date"}})"));
  EXPECT_EQ(r.passed, 5u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_TRUE(r.failures.empty()) << r.to_text();
}

TEST_F(TestCasesTest, StatusMismatchIsReported) {
  auto d = differences(one_case(R"({"benefit": "none"})", R"({"status": "complete"})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "status expected complete, got incomplete");
}

TEST_F(TestCasesTest, OutputMismatchShowsBothValues) {
  auto d = differences(one_case(R"({"birth_date": "1990-01-01", "benefit": "ASS", "income": 10})",
                                R"({"outputs": {"structure": "mission_locale", "bonus": 15.5}})"));
  // Outputs are reported in name order.
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0], "output bonus expected 15.5, got 15");
  EXPECT_EQ(d[1], "output structure expected \"mission_locale\", got \"france_travail\"");
}

TEST_F(TestCasesTest, RuleMismatchShowsIdsListsAndNone) {
  auto d = differences(one_case(R"({"birth_date": "1990-01-01", "benefit": "ASS"})",
                                R"({"rules": {"structure": ["R1", "R2"]}})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "rules of structure expected [R1, R2], got R3");
  d = differences(one_case(R"({"birth_date": "1990-01-01", "benefit": "ASS"})",
                           R"({"rules": {"structure": null}})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "rules of structure expected none, got R3");
}

TEST_F(TestCasesTest, MissingInputsAreComparedInOrder) {
  auto d = differences(one_case(R"({"benefit": "none"})", R"({"missing": ["income"]})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "missing expected [income], got [birth_date, income]");
}

TEST_F(TestCasesTest, ErrorExpectations) {
  auto d = differences(one_case(R"({"benefit": "ASS"})", R"({"error": "enum_value"})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0], "error expected enum_value, got none");
  d = differences(one_case(R"({"benefit": "XX"})", R"({"error": "type_mismatch"})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].rfind("error expected type_mismatch, got enum_value at /benefit: ", 0), 0u)
      << d[0];
}

TEST_F(TestCasesTest, UnexpectedErrorFailsEvenWhenOnlyRulesAreExpected) {
  // A rejected record fires no rule: "rules: null" alone must not pass for it.
  auto d = differences(one_case(R"({"benefit": "XX"})", R"({"rules": {"structure": null}})"));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].rfind("error expected none, got enum_value at /benefit", 0), 0u) << d[0];
  d = differences(one_case(R"({"benefit": "XX"})", R"({"outputs": {"structure": null}})"));
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1], "output structure expected null, got nothing (the record was rejected)");
}

TEST_F(TestCasesTest, NamesThePackDoesNotKnowAreFailures) {
  auto d =
      differences(one_case(R"({"benefit": "RSA"})",
                           R"({"outputs": {"nope": 1}, "rules": {"bonus": "R1", "structure": "R9"},
                   "missing": ["nobody"]})"));
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0], "unknown output \"nope\" at /cases/0/expected/outputs/nope");
  EXPECT_EQ(d[1], "unknown decision table \"bonus\" at /cases/0/expected/rules/bonus");
  EXPECT_EQ(d[2], "unknown rule \"R9\" of structure at /cases/0/expected/rules/structure");
  EXPECT_EQ(d[3], "rules of structure expected R9, got R2");
  EXPECT_EQ(d[4], "unknown input \"nobody\" at /cases/0/expected/missing");
  EXPECT_EQ(d[5], "missing expected [nobody], got [income]");
}

TEST_F(TestCasesTest, OneFailingCaseCountsOnceWhateverItsDifferences) {
  TestRun r = run(doc(R"(
    {"name": "a", "reference_date": "2025-03-01", "input": {"benefit": "RSA"},
     "expected": {"status": "complete", "rules": {"structure": "R1"}}},
    {"name": "b", "reference_date": "2025-03-01", "input": {"benefit": "RSA"},
     "expected": {"rules": {"structure": "R2"}}})"));
  EXPECT_EQ(r.passed, 1u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.failures.size(), 2u);
}

TEST_F(TestCasesTest, CoverageListsRulesNoCaseFired) {
  TestRun r = run(one_case(R"({"benefit": "RSA"})", R"({"rules": {"structure": "R2"}})"));
  EXPECT_EQ(r.rules, 3u);
  ASSERT_EQ(r.uncovered.size(), 2u);
  EXPECT_EQ(r.uncovered[0], (std::pair<std::string, std::string>{"structure", "R1"}));
  EXPECT_EQ(r.uncovered[1], (std::pair<std::string, std::string>{"structure", "R3"}));
  const std::string text = r.to_text();
  EXPECT_NE(text.find("uncovered: structure/R1\nuncovered: structure/R3\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.substr(text.size() - std::string("1 passed, 0 failed\n").size()),
            "1 passed, 0 failed\n");
}

TEST_F(TestCasesTest, FailingCasesStillCountForCoverage) {
  TestRun r = run(doc(R"(
    {"name": "a", "reference_date": "2025-03-01", "input": {"benefit": "RSA"},
     "expected": {"status": "error"}},
    {"name": "b", "reference_date": "2025-03-01",
     "input": {"birth_date": "2005-01-01", "benefit": "none"}, "expected": {"status": "error"}},
    {"name": "c", "reference_date": "2025-03-01",
     "input": {"birth_date": "1950-01-01", "benefit": "none"}, "expected": {"status": "error"}})"));
  EXPECT_EQ(r.failed, 3u);
  EXPECT_TRUE(r.uncovered.empty());
  EXPECT_NE(r.to_text().find("coverage: all 3 rules fired\n"), std::string::npos);
}

TEST_F(TestCasesTest, DirectoryRunSortsFilesAndKeepsGoingPastABadFile) {
  write("b.json", one_case(R"({"benefit": "RSA"})", R"({"rules": {"structure": "R1"}})"));
  write("a.json", one_case(R"({"benefit": "RSA"})", R"({"rules": {"structure": "R1"}})"));
  write("c.json", "{\"schema\": \"aiguillage.testcases\"}");
  write("notes.txt", "not a test file");
  const std::string tests = (dir_ / "tests").string();
  EXPECT_EQ(test_files_of(dir_.string()),
            (std::vector<std::string>{tests + "/a.json", tests + "/b.json", tests + "/c.json"}));
  // The pack file itself names the same folder.
  std::ofstream(dir_ / "pack.json") << kPack;
  EXPECT_EQ(test_files_of((dir_ / "pack.json").string()).size(), 3u);

  TestRun r = run_test_dir(pack_, dir_.string());
  EXPECT_EQ(r.passed, 0u);
  EXPECT_EQ(r.failed, 3u);
  ASSERT_EQ(r.failures.size(), 3u);
  EXPECT_EQ(r.failures[0], "FAIL " + tests + "/a.json:c: rules of structure expected R1, got R2");
  EXPECT_EQ(r.failures[1], "FAIL " + tests + "/b.json:c: rules of structure expected R1, got R2");
  EXPECT_EQ(r.failures[2], "FAIL " + tests + "/c.json: schema_mismatch at /schema_version: " +
                               "\"schema_version\" (\"MAJOR.MINOR\") is required");
}

TEST_F(TestCasesTest, FolderWithoutTestsRunsNothing) {
  std::filesystem::remove_all(dir_ / "tests");
  TestRun r = run_test_dir(pack_, dir_.string());
  EXPECT_EQ(r.passed + r.failed, 0u);
  EXPECT_EQ(r.uncovered.size(), 3u);
}

TEST_F(TestCasesTest, UnreadableFileIsAnIoError) {
  try {
    run_test_files(pack_, {(dir_ / "absent.json").string()});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
  }
}

TEST_F(TestCasesTest, JsonReport) {
  TestRun r = run(one_case(R"({"benefit": "RSA"})", R"({"rules": {"structure": "R1"}})"));
  const std::string j = r.to_json();
  EXPECT_EQ(j.rfind(R"({"passed":0,"failed":1,"rules":3,"failures":["FAIL )", 0), 0u) << j;
  EXPECT_NE(j.find(R"("uncovered":[{"decision":"structure","rule":"R1"},)"), std::string::npos)
      << j;
}

}  // namespace
}  // namespace aiguillage
