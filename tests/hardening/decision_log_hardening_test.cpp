// The decision log under hostile use: deep lines, many threads on one object, anchors kept
// outside the log, decisions recorded once, pseudonyms that cannot collide.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
namespace {

namespace fs = std::filesystem;

class LogHardening : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("aig_logh_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "d.log").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }
  std::string read() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  fs::path dir_;
  std::string path_;
};

std::string deep_line(std::size_t depth) {
  return "{\"seq\":1,\"prev\":\"sha256:" + std::string(64, '0') +
         "\",\"record\":{\"x\":" + std::string(depth, '[') + std::string(depth, ']') +
         "},\"hash\":\"x\"}\n";
}

TEST_F(LogHardening, DeepLinesAreReportedNotFollowed) {
  for (std::size_t depth : {100000u, 1000000u}) {
    write(deep_line(depth));
    const LogVerification v = verify_log(path_);
    EXPECT_FALSE(v.ok);
    EXPECT_EQ(v.first_bad, 1u);
    // At a million levels the line is also longer than a log line may be: either is named.
    EXPECT_TRUE(v.message.find(depth > 500000 ? "too_long" : "too_deep") != std::string::npos)
        << v.message;
    EXPECT_THROW(read_log_records(path_), Error);
    try {
      DecisionLog log(path_);
      FAIL() << "a broken log was opened";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::invalid_document);
    }
  }
}

TEST_F(LogHardening, AppendRefusesADeepRecord) {
  DecisionLog log(path_);
  for (std::size_t depth : {100000u, 1000000u}) {
    try {
      log.append("{\"x\":" + std::string(depth, '[') + std::string(depth, ']') + "}");
      FAIL() << "a deep record was appended";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::too_deep);
    }
  }
  EXPECT_EQ(log.size(), 0u);
  log.append("{\"x\":1}");
  EXPECT_TRUE(verify_log(path_).ok);
}

TEST_F(LogHardening, LinesLongerThanTheLimitAreReported) {
  write("{\"seq\":1,\"x\":\"" + std::string(detail::kMaxJsonLineBytes + 10, 'a') + "\"}\n");
  const LogVerification v = verify_log(path_);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.message.find("too_long"), std::string::npos) << v.message;
}

TEST_F(LogHardening, CrLfLinesGetAClearMessage) {
  {
    DecisionLog log(path_);
    log.append("{\"x\":1}");
  }
  std::string text = read();
  text.insert(text.size() - 1, "\r");
  write(text);
  const LogVerification v = verify_log(path_);
  EXPECT_FALSE(v.ok);
  EXPECT_NE(v.message.find("carriage return"), std::string::npos) << v.message;
}

TEST_F(LogHardening, EightThreadsAppendSixteenThousandRecords) {
  DecisionLog log(path_);
  constexpr int kThreads = 8, kEach = 2000;
  std::vector<std::vector<std::string>> hashes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < kEach; ++k)
        hashes[t].push_back(
            log.append("{\"t\":" + std::to_string(t) + ",\"k\":" + std::to_string(k) + "}"));
    });
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& h : hashes) all.insert(h.begin(), h.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
  EXPECT_EQ(log.size(), static_cast<std::uint64_t>(kThreads * kEach));
  const LogVerification v = verify_log(path_);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.lines, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(v.last_hash, log.last_hash());
}

TEST_F(LogHardening, AnAnchorDetectsTruncationAndARewrittenTail) {
  std::vector<std::string> hashes;
  {
    DecisionLog log(path_);
    for (int k = 0; k < 5; ++k) hashes.push_back(log.append("{\"k\":" + std::to_string(k) + "}"));
  }
  EXPECT_TRUE(verify_log(path_, LogAnchor{hashes[4], 5}).ok);
  EXPECT_TRUE(verify_log(path_, LogAnchor{hashes[2], 3}).ok);  // an older anchor still holds
  EXPECT_TRUE(verify_log(path_, LogAnchor{hashes[4], std::nullopt}).ok);
  EXPECT_FALSE(verify_log(path_, LogAnchor{hashes[2], 4}).ok);  // not that line

  // Deleting the last line, hashes being valid: the plain check passes, the anchor does not.
  const std::string full = read();
  std::string cut = full.substr(0, full.rfind('\n', full.size() - 2) + 1);
  write(cut);
  EXPECT_TRUE(verify_log(path_).ok);
  LogVerification v = verify_log(path_, LogAnchor{hashes[4], 5});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, 5u);
  EXPECT_NE(v.message.find("truncated"), std::string::npos) << v.message;

  // Rewriting the last decision with recomputed hashes.
  {
    DecisionLog log(path_);
    log.append("{\"k\":\"forged\"}");
  }
  EXPECT_TRUE(verify_log(path_).ok);
  v = verify_log(path_, LogAnchor{hashes[4], 5});
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad, 5u);
  v = verify_log(path_, LogAnchor{hashes[4], std::nullopt});
  EXPECT_FALSE(v.ok);
}

std::string decision(const std::string& person, const std::string& action) {
  return R"({"schema":"aiguillage.decision_record","schema_version":"1.0","person":")" + person +
         R"(","pack":{"id":"p","version":"1","hash":"sha256:ab"},"reference_date":"2025-03-01",)"
         R"("inputs":{"a":{"source":"declared","value":1}},"proposal":{"outputs":{"o":"x"}},)"
         R"("decision":{"action":")" +
         action + R"("},"recorded_at":"2025-03-01"})";
}

TEST_F(LogHardening, AppendOnceRecordsADecisionOnceAcrossReopenings) {
  LoggedRecord first, again;
  {
    DecisionLog log(path_);
    first = log.append_once(decision("hmac-sha256:aa", "confirm"));
    EXPECT_TRUE(first.appended);
    again = log.append_once(decision("hmac-sha256:aa", "confirm"));
    EXPECT_FALSE(again.appended);
    EXPECT_EQ(again.seq, first.seq);
    EXPECT_EQ(again.hash, first.hash);
    EXPECT_TRUE(log.append_once(decision("hmac-sha256:bb", "confirm")).appended);
  }
  DecisionLog log(path_);  // the index is rebuilt from the file
  const LoggedRecord third = log.append_once(decision("hmac-sha256:aa", "override"));
  EXPECT_FALSE(third.appended);  // same person, pack, inputs and proposal
  EXPECT_EQ(third.seq, 1u);
  EXPECT_EQ(log.size(), 2u);
  // Plain append() always writes.
  log.append(decision("hmac-sha256:aa", "confirm"));
  EXPECT_EQ(log.size(), 3u);
}

TEST(Pseudonyms, ShortKeysAndMissingIdentifiersAreRefused) {
  try {
    pseudonymise("12345", "a");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::key_too_short);
  }
  try {
    pseudonymise(std::string(16, 'k'), "");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::identifier_missing);
  }
  const std::string key(16, 'k');
  // "1" and 1 are different persons by design; a string with a control character is refused
  // so that no string can take an integer's form.
  EXPECT_NE(pseudonymise(key, PersonId{"1", false}), pseudonymise(key, PersonId{"1", true}));
  EXPECT_EQ(pseudonymise(key, PersonId{"1", false}), pseudonymise(key, "1"));
  EXPECT_THROW(pseudonymise(key, std::string("\0integer:1", 10)), Error);
  EXPECT_THROW(pseudonymise(key, PersonId{"1a", true}), Error);
}

}  // namespace
}  // namespace aiguillage
