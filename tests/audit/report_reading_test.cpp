// The report checks a log's lines itself, in parallel, without building documents: for every
// log, well formed or damaged in one of many ways, it must agree with verify_log on whether the
// log verifies and on the first bad line.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/report.hpp"
#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

const std::string kGenesis = "sha256:" + std::string(64, '0');

// A log whose chain is computed over the records exactly as given (canonical or not).
std::string chained(const std::vector<std::string>& records) {
  std::string text, prev = kGenesis;
  for (std::size_t k = 0; k < records.size(); ++k) {
    const std::string hash = "sha256:" + to_hex(sha256(prev + records[k]));
    text += "{\"seq\":" + std::to_string(k + 1) + ",\"prev\":\"" + prev +
            "\",\"record\":" + records[k] + ",\"hash\":\"" + hash + "\"}\n";
    prev = hash;
  }
  return text;
}

// The records of a log that verifies: strings with escapes and text beyond ASCII, numbers of
// every form canonical_json keeps, nested lists; some many times so that blocks are crossed.
std::vector<std::string> good_records(std::size_t n) {
  const std::vector<std::string> kinds = {
      R"({"a":1,"b":"plain"})",
      R"({"reason":"l'été \"dernier\"\nà Nîmes — 🚲","x":[1,[2,[3]],{"k":null}]})",
      R"({"control":"\u0001\u001f\b\t","n":-42,"wide":12345678901234567890})",
      R"({"a":1.5,"b":1e-7,"c":-2.25,"d":1000})",
      R"({"":true,"A":false,"a":{},"b":[],"é":"x"})",
  };
  std::vector<std::string> out;
  for (std::size_t k = 0; k < n; ++k) out.push_back(canonical_json(kinds[k % kinds.size()]));
  return out;
}

class Reading : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("aig-report-reading-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  std::string write(const std::string& text, const std::string& name) {
    const std::string path = (dir / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Whether the report accepts the log, and the bad line it names otherwise (0 when none).
  static std::uint64_t report_first_bad(const std::string& path, unsigned threads) {
    Registry packs;
    ReportOptions options;
    options.threads = threads;
    options.territorial = false;
    auto source = open_file_source(path);
    try {
      build_report(*source, packs, options);
      return 0;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_document) << e.what();
      const std::string what = e.what();
      const auto at = what.find("first bad line ");
      EXPECT_NE(at, std::string::npos) << what;
      return std::stoull(what.substr(at + 15));
    }
  }

  // `damaged`: the log must not verify (so that the agreement is not a vacuous one).
  void expect_agreement(const std::string& text, const std::string& name, bool damaged = true) {
    const std::string path = write(text, name);
    const LogVerification v = verify_log(path);
    EXPECT_EQ(v.ok, !damaged) << name << ": " << v.message;
    for (unsigned threads : {1u, 3u})
      EXPECT_EQ(report_first_bad(path, threads), v.ok ? 0 : v.first_bad)
          << name << " (" << threads << " threads): " << v.message;
  }
};

TEST_F(Reading, AGoodLogVerifiesWhateverItsStringsAndNumbers) {
  const std::string path = write(chained(good_records(20000)), "good.log");
  ASSERT_TRUE(verify_log(path).ok) << verify_log(path).message;
  EXPECT_EQ(report_first_bad(path, 2), 0u);
  EXPECT_EQ(report_first_bad(path, 1), 0u);
}

TEST_F(Reading, EveryDamageIsFoundAtTheLineVerifyLogNames) {
  const auto records = good_records(9000);
  // A record that is valid JSON but not canonical, at line 8500 (in the second block).
  const std::vector<std::string> not_canonical = {
      R"({"a": 1})",               // a space
      R"({"b":1,"a":2})",          // keys out of order
      R"({"a":1,"a":2})",          // a repeated key
      R"({"a":-0})",               // -0 is written 0
      R"({"a":1.0})",              // 1.0 is written 1
      R"({"a":1E3})",              // the exponent form
      R"({"a":"\u00e9"})",         // an escape canonical_json does not write
      R"({"a":"\/"})",             // idem
      R"({"a":"\u001F"})",         // upper-case hex
      "{\"a\":\"\xC3\"}",          // broken UTF-8
      "{\"a\":\"\xC0\xAF\"}",      // overlong UTF-8
      "{\"a\":\"\xED\xA0\x80\"}",  // a surrogate in UTF-8
      "{\"a\":\"\t\"}",            // a raw control character
      R"([1,2])",                  // not an object
      R"({"a":tru})",              // not JSON
  };
  for (std::size_t k = 0; k < not_canonical.size(); ++k) {
    auto damaged = records;
    damaged[8499] = not_canonical[k];
    expect_agreement(chained(damaged), "not-canonical-" + std::to_string(k) + ".log");
  }
  const std::string good = chained(records);
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < good.size();) {
    const auto nl = good.find('\n', start);
    lines.push_back(good.substr(start, nl - start));
    start = nl + 1;
  }
  auto join = [](const std::vector<std::string>& ls) {
    std::string t;
    for (const auto& l : ls) t += l + "\n";
    return t;
  };
  {  // a line removed
    auto ls = lines;
    ls.erase(ls.begin() + 4000);
    expect_agreement(join(ls), "removed.log");
  }
  {  // two lines swapped
    auto ls = lines;
    std::swap(ls[100], ls[101]);
    expect_agreement(join(ls), "swapped.log");
  }
  {  // one byte of a record changed, the chain left as it was
    auto ls = lines;
    ls[8191][ls[8191].find("\"a\":1") + 4] = '2';
    expect_agreement(join(ls), "altered.log");
  }
  {  // a space in the line's own layout
    auto ls = lines;
    ls[7].insert(ls[7].find(",\"prev\""), " ");
    expect_agreement(join(ls), "layout.log");
  }
  {  // CRLF line ends
    auto ls = lines;
    ls[3] += "\r";
    expect_agreement(join(ls), "crlf.log");
  }
  {  // an empty line
    auto ls = lines;
    ls.insert(ls.begin() + 10, "");
    expect_agreement(join(ls), "empty-line.log");
  }
  // The last line cut short, with and without its end of line.
  expect_agreement(good.substr(0, good.size() - 1), "torn.log");
  expect_agreement(good.substr(0, good.size() - 30), "torn-json.log");
  expect_agreement(good.substr(0, good.size() - 30) + "\n", "cut.log");
  // An empty log verifies.
  expect_agreement("", "empty.log", false);
}

TEST_F(Reading, DeepRecordsAreJudgedLikeVerifyLog) {
  for (std::size_t depth : {60u, 70u, 255u, 256u, 300u}) {
    std::string deep = "{\"a\":" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
    auto records = good_records(10);
    records[5] = deep;
    // A line nests one level deeper than its record: at most 255 levels in the record.
    expect_agreement(chained(records), "deep-" + std::to_string(depth) + ".log", depth > 255);
  }
}

}  // namespace
}  // namespace aiguillage
