// Signed checkpoints: Ed25519 over (seq, hash); a tail rewritten with recomputed hashes keeps a
// valid chain but breaks the signatures. And the group commit of the file log writes the same
// bytes as one append after another.
#include "aiguillage/audit/checkpoint.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace aiguillage {
namespace {

// Test keys only (openssl genpkey -algorithm ed25519).
constexpr const char* kPrivate =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIOXtGMaIPUnmRdqV1GDBLXEY+ARYdoIldVhcQJ/tjQSX\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kPublic =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAZqKGCWW3ZVMPrV+44xp3TX3/M+uXV9bProGFKpGVtEo=\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kOtherPrivate =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIKmzxMev+TPbRbvzeLOJYhqRuoxQUJkpJUEMG6ZMw4Dt\n"
    "-----END PRIVATE KEY-----\n";

std::string log_of(const std::vector<std::string>& records) {
  std::string text, prev(kLogGenesis);
  for (std::size_t k = 0; k < records.size(); ++k) {
    const std::string canonical = canonical_json(records[k]);
    const std::string hash = log_chain_hash(prev, canonical);
    text += log_line(k + 1, prev, canonical, hash) + "\n";
    prev = hash;
  }
  return text;
}

std::vector<std::string> records(int n, int changed_from = 0) {
  std::vector<std::string> out;
  for (int k = 1; k <= n; ++k)
    out.push_back("{\"k\":" + std::to_string(k) +
                  (changed_from && k >= changed_from ? ",\"forged\":true}" : "}"));
  return out;
}

TEST(Checkpoint, SignsAndVerifies) {
  const Checkpoint c = sign_checkpoint(kPrivate, 7, "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(c.signature.size(), 128u);
  EXPECT_TRUE(verify_checkpoint_signature(kPublic, c));
  EXPECT_EQ(checkpoint_public_key(kPrivate), kPublic);
  Checkpoint moved = c;
  moved.seq = 8;
  EXPECT_FALSE(verify_checkpoint_signature(kPublic, moved));
  const Checkpoint other = sign_checkpoint(kOtherPrivate, 7, c.hash);
  EXPECT_FALSE(verify_checkpoint_signature(kPublic, other));
  EXPECT_EQ(checkpoint_from_json(checkpoint_to_json(c)).signature, c.signature);
  EXPECT_THROW(sign_checkpoint("not a key", 1, c.hash), Error);
  EXPECT_THROW(checkpoint_from_json("{\"seq\":1}"), Error);
}

TEST(Checkpoint, DetectsAConsistentlyRewrittenTail) {
  const std::string honest = log_of(records(20));
  const std::vector<std::string> hashes = log_text_line_hashes(honest);
  ASSERT_EQ(hashes.size(), 20u);
  const std::vector<Checkpoint> signed_ = {sign_checkpoint(kPrivate, 10, hashes[9]),
                                           sign_checkpoint(kPrivate, 20, hashes[19])};
  EXPECT_EQ(check_checkpoints(kPublic, signed_, hashes), "");

  // Lines 15.. rewritten, every hash recomputed: the chain verifies, the signature does not.
  const std::string forged = log_of(records(20, 15));
  EXPECT_TRUE(verify_log_text(forged).ok);
  const std::string why = check_checkpoints(kPublic, signed_, log_text_line_hashes(forged));
  EXPECT_NE(why.find("checkpoint at seq 20"), std::string::npos) << why;
  // A tail cut off is caught too.
  const std::string cut = log_of(records(12));
  EXPECT_NE(check_checkpoints(kPublic, signed_, log_text_line_hashes(cut)).find("only 12"),
            std::string::npos);
  // A rewrite before the first checkpoint breaks it.
  EXPECT_NE(check_checkpoints(kPublic, signed_, log_text_line_hashes(log_of(records(20, 3))))
                .find("seq 10"),
            std::string::npos);
}

TEST(DecisionLog, GroupCommitWritesTheSameBytes) {
  const auto dir = std::filesystem::temp_directory_path() / "aig_checkpoint_test";
  std::filesystem::create_directories(dir);
  const std::string one = (dir / "one.jsonl").string(), many = (dir / "many.jsonl").string();
  std::filesystem::remove(one);
  std::filesystem::remove(many);
  const std::vector<std::string> rs = records(9);
  {
    DecisionLog log(one);
    for (const std::string& r : rs) log.append(r);
  }
  {
    DecisionLog log(many);
    std::vector<std::string> canonical;
    for (const std::string& r : rs) canonical.push_back(canonical_json(r));
    log.append_canonical({canonical.begin(), canonical.begin() + 4});
    const auto hashes = log.append_canonical({canonical.begin() + 4, canonical.end()});
    EXPECT_EQ(log.size(), 9u);
    EXPECT_EQ(hashes.back(), log.last_hash());
  }
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  EXPECT_EQ(read(one), read(many));
  EXPECT_EQ(read(one), log_of(rs));
  EXPECT_TRUE(verify_log(many).ok);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace aiguillage
