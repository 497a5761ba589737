// The decision log: append, verify, and every kind of damage named by its first broken line.
#include "aiguillage/audit/decision_log.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

const std::string kZeros = "sha256:" + std::string(64, '0');

class DecisionLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("aig_log_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "decisions.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string record(int k) {
    return "{\"person\": \"p" + std::to_string(k) + "\", \"outputs\": {\"parcours\": \"emploi\", " +
           "\"rate\": 1.50}, \"k\": " + std::to_string(k) + "}";
  }

  void write_log(int n) {
    DecisionLog log(path_);
    for (int k = 1; k <= n; ++k) log.append(record(k));
  }

  std::vector<std::string> lines() const {
    std::ifstream in(path_, std::ios::binary);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  std::string contents() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void rewrite(const std::vector<std::string>& ls, bool final_newline = true) const {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    for (std::size_t k = 0; k < ls.size(); ++k) {
      out << ls[k];
      if (k + 1 < ls.size() || final_newline) out << '\n';
    }
  }
  void expect_broken(std::uint64_t line, const std::string& fragment, bool torn = false) const {
    const LogVerification v = verify_log(path_);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_bad, line);
    EXPECT_EQ(v.lines, line - 1);
    EXPECT_EQ(v.torn_tail, torn);
    EXPECT_NE(v.message.find(fragment), std::string::npos) << v.message;
    // Appending after damage would bury it under valid-looking lines.
    try {
      DecisionLog log(path_);
      FAIL() << "a damaged log was opened for append";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_document);
      EXPECT_NE(e.message().find("line " + std::to_string(line)), std::string::npos) << e.message();
    }
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(DecisionLogTest, AppendsChainedLinesThatVerify) {
  std::vector<std::string> hashes;
  {
    DecisionLog log(path_);
    EXPECT_EQ(log.size(), 0u);
    EXPECT_EQ(log.last_hash(), kZeros);
    for (int k = 1; k <= 3; ++k) hashes.push_back(log.append(record(k)));
    EXPECT_EQ(log.size(), 3u);
    EXPECT_EQ(log.last_hash(), hashes.back());
  }
  const std::vector<std::string> ls = lines();
  ASSERT_EQ(ls.size(), 3u);
  std::string prev = kZeros;
  for (std::size_t k = 0; k < ls.size(); ++k) {
    const nlohmann::json line = nlohmann::json::parse(ls[k]);
    EXPECT_EQ(line["seq"], k + 1);
    EXPECT_EQ(line["prev"], prev);
    const std::string canonical = canonical_json(record(static_cast<int>(k) + 1));
    EXPECT_EQ(line["hash"], "sha256:" + to_hex(sha256(prev + canonical)));
    EXPECT_EQ(line["hash"], hashes[k]);
    // The record is stored in canonical form, one line, keys sorted.
    EXPECT_NE(ls[k].find("\"record\":" + canonical + ",\"hash\""), std::string::npos) << ls[k];
    prev = hashes[k];
  }
  const LogVerification v = verify_log(path_);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.lines, 3u);
  EXPECT_EQ(v.first_bad, 0u);
  EXPECT_EQ(v.last_hash, hashes.back());
  EXPECT_EQ(read_log_records(path_).size(), 3u);
  EXPECT_EQ(read_log_records(path_)[1], canonical_json(record(2)));
}

TEST_F(DecisionLogTest, ReopeningContinuesTheChain) {
  write_log(2);
  {
    DecisionLog log(path_);
    EXPECT_EQ(log.size(), 2u);
    log.append(record(3));
  }
  const LogVerification v = verify_log(path_);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.lines, 3u);
}

TEST_F(DecisionLogTest, EmptyLogIsValid) {
  { DecisionLog log(path_); }
  ASSERT_TRUE(fs::exists(path_));
  const LogVerification v = verify_log(path_);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.lines, 0u);
  EXPECT_EQ(v.last_hash, kZeros);
}

TEST_F(DecisionLogTest, RefusesRecordsThatAreNotObjects) {
  DecisionLog log(path_);
  EXPECT_THROW(log.append("[1, 2]"), Error);
  EXPECT_THROW(log.append("{\"a\": "), Error);
  EXPECT_EQ(log.size(), 0u);
  EXPECT_TRUE(contents().empty());
}

TEST_F(DecisionLogTest, MissingFileIsAnIoError) {
  try {
    verify_log((dir_ / "absent.log").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
  }
}

TEST_F(DecisionLogTest, AlteredRecordInTheMiddleIsNamed) {
  write_log(4);
  std::vector<std::string> ls = lines();
  const auto at = ls[1].find("emploi");
  ASSERT_NE(at, std::string::npos);
  ls[1].replace(at, 6, "social");
  rewrite(ls);
  expect_broken(2, "hash does not match");
}

TEST_F(DecisionLogTest, BadJsonInTheMiddleIsNamed) {
  write_log(4);
  std::vector<std::string> ls = lines();
  ls[2] = ls[2].substr(0, ls[2].size() / 2);
  rewrite(ls);
  expect_broken(3, "not valid JSON");
}

TEST_F(DecisionLogTest, RecomputedHashBreaksTheNextLine) {
  // Someone rewrites line 2 and its hash consistently: line 3 no longer chains onto it.
  write_log(3);
  std::vector<std::string> ls = lines();
  nlohmann::json line = nlohmann::json::parse(ls[1]);
  line["record"]["k"] = 99;
  const std::string canonical = canonical_json(line["record"].dump());
  const std::string hash = "sha256:" + to_hex(sha256(line["prev"].get<std::string>() + canonical));
  ls[1] = "{\"seq\":2,\"prev\":\"" + line["prev"].get<std::string>() +
          "\",\"record\":" + canonical + ",\"hash\":\"" + hash + "\"}";
  rewrite(ls);
  expect_broken(3, "prev does not match the hash of line 2");
}

TEST_F(DecisionLogTest, ReorderedLinesAreNamed) {
  write_log(4);
  std::vector<std::string> ls = lines();
  std::swap(ls[1], ls[2]);
  rewrite(ls);
  expect_broken(2, "seq is 3, expected 2");
}

TEST_F(DecisionLogTest, RemovedLineIsNamed) {
  write_log(4);
  std::vector<std::string> ls = lines();
  ls.erase(ls.begin() + 1);
  rewrite(ls);
  expect_broken(2, "seq is 3, expected 2");
}

TEST_F(DecisionLogTest, ReformattedLineIsNamed) {
  write_log(2);
  std::vector<std::string> ls = lines();
  ls[0] = nlohmann::json::parse(ls[0]).dump(1);  // same content, other layout, several lines
  std::string one_line;
  for (char c : ls[0])
    if (c != '\n') one_line += c;
  ls[0] = one_line;
  rewrite(ls);
  expect_broken(1, "canonical layout");
}

TEST_F(DecisionLogTest, TruncatedLastLineIsATornTail) {
  write_log(3);
  std::string text = contents();
  text.resize(text.size() - 20);  // a crash in the middle of the third write
  {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << text;
  }
  expect_broken(3, "cut short", true);
  EXPECT_THROW(read_log_records(path_), Error);
}

TEST_F(DecisionLogTest, LastLineWithoutNewlineIsATornTail) {
  write_log(2);
  std::string text = contents();
  text.pop_back();  // only the newline is missing: the line would be glued to the next one
  {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << text;
  }
  expect_broken(2, "no end of line", true);
}

TEST_F(DecisionLogTest, UnparsableLastLineIsATornTail) {
  write_log(2);
  {
    std::ofstream out(path_, std::ios::binary | std::ios::app);
    out << "{\"seq\":3,\"prev\":\"sha256:00\n";
  }
  expect_broken(3, "not valid JSON", true);
}

TEST_F(DecisionLogTest, EmptyLineIsNamed) {
  write_log(2);
  std::vector<std::string> ls = lines();
  ls.insert(ls.begin() + 1, "");
  rewrite(ls);
  expect_broken(2, "empty line");
}

TEST_F(DecisionLogTest, SecondWriterIsRefused) {
  DecisionLog first(path_);
  try {
    DecisionLog second(path_);
    FAIL() << "two writers on one log";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::io);
  }
}

}  // namespace
}  // namespace aiguillage
