// The DMN Technology Compatibility Kit run against the engine: each test folder's model is
// imported (import_dmn_model), each test case's inputs evaluated and its expected results
// compared by the TCK's rules (numbers by value, lists item by item, structures component by
// component, null for null).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace aiguillage {
inline namespace v1 {

struct TckCase {
  enum class Result { success, error, ignored };
  std::string folder;  // "0004-simpletable-U"
  std::string file;    // "0004-simpletable-U-test-01.xml"
  std::string id;      // the testCase id ("001")
  Result result = Result::error;
  std::string message;  // why it is not a success (bounded)
};

struct TckRun {
  std::vector<TckCase> cases;
  std::size_t passed() const;
};

// DIR is one test folder or a folder of them (compliance-level-2). Throws Error(io) when DIR
// cannot be read; everything else (a model that does not import, a case that fails) is a
// case result.
TckRun run_dmn_tck(const std::string& dir);

// The TCK's result format: one line per case,
// "folder","file","case id","SUCCESS|ERROR|IGNORED","message".
std::string tck_results_csv(const TckRun& run);

}  // namespace v1
}  // namespace aiguillage
