// Test cases of a rule pack: the document aiguillage.testcases (schema_version 1.0), files
// <pack>/tests/*.json, run through the evaluator and compared with what their authors expect.
// A run also reports the rules no case fired, so that an untested rule cannot hide.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/date.hpp"
#include "aiguillage/rules/evaluator.hpp"
#include "aiguillage/rules/pack.hpp"

namespace aiguillage {
inline namespace v1 {

inline constexpr std::string_view kTestCasesSchema = "aiguillage.testcases";
inline constexpr int kTestCasesMajor = 1;
inline constexpr int kTestCasesMinor = 0;

struct AIG_API ExpectedRules {
  std::string decision;
  std::vector<std::string> rules;  // in hit order; empty: no rule fires
  std::string pointer;             // of the expectation in the document
};

struct AIG_API ExpectedOutput {
  std::string name;
  std::string value;  // canonical JSON
  std::string pointer;
};

struct AIG_API TestCase {
  std::string name;
  std::string rationale;
  std::string pointer;  // "/cases/3"
  std::optional<Date> reference_date;
  std::string input;  // the input object, as written in the document
  // Expectations; only what is stated is compared.
  std::optional<Status> status;
  std::vector<ExpectedOutput> outputs;
  std::vector<ExpectedRules> rules;
  std::optional<std::vector<std::string>> missing;  // input names, in the expected order
  std::string missing_pointer;
  std::optional<std::string> error;  // code name of the first error ("enum_value")
};

struct AIG_API TestSuite {
  std::vector<TestCase> cases;
};

// Parses and validates a test-case document. Throws Error with the JSON pointer of the
// offending place (schema_mismatch, invalid_document, type_mismatch, required_missing,
// unknown_field, duplicate_name, invalid_date, json_syntax).
AIG_API TestSuite load_test_cases(std::string_view json_text);

struct AIG_API CaseResult {
  bool passed = true;
  std::vector<std::string> differences;  // "output x expected 1, got 2"
};

// Runs one case; `evaluation` is scratch space (reused across cases to avoid allocations) and
// holds the evaluation afterwards. Names the pack does not know (outputs, decisions, inputs)
// are differences too, reported with their pointer.
AIG_API CaseResult run_test_case(const Evaluator& evaluator, const TestCase& test,
                                 Evaluation& evaluation);

struct AIG_API TestRun {
  std::size_t passed = 0;
  std::size_t failed = 0;
  // "FAIL <file>:<case>: <what> expected <x>, got <y>", one line per difference; a file that
  // cannot be read as a test document is one failure "FAIL <file>: <error>".
  std::vector<std::string> failures;
  // (decision id, rule id) of every table rule no case fired, in pack order.
  std::vector<std::pair<std::string, std::string>> uncovered;
  std::size_t rules = 0;  // table rules in the pack

  // Failure lines, coverage lines, then "N passed, M failed".
  std::string to_text() const;
  // {"passed":N,"failed":M,"rules":R,"failures":[...],"uncovered":[{"decision":..,"rule":..}]}
  std::string to_json() const;
};

// Runs every case of every file (in the order given) against the pack. Throws Error(io) when a
// file cannot be read.
AIG_API TestRun run_test_files(const Pack& pack, const std::vector<std::string>& files);

// The files <pack_dir>/tests/*.json, sorted by name; `pack_dir` may also be the pack file
// itself (its folder is used). Loads nothing: the caller already holds the pack.
AIG_API std::vector<std::string> test_files_of(const std::string& pack_dir);

// run_test_files(pack, test_files_of(pack_dir)).
AIG_API TestRun run_test_dir(const Pack& pack, const std::string& pack_dir);

}  // namespace v1
}  // namespace aiguillage
