// The append-only decision log: JSON Lines, each line chained to the previous by SHA-256 and
// synced to disk on commit. A torn last line (a crash mid-write) is detected and reported,
// never silently accepted.
//
// Line k (1-based): {"seq":k,"prev":"sha256:<hash of line k-1, or 64 zeros>","record":{...},
//                    "hash":"sha256:<sha256(prev + canonical(record))>"}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

struct AIG_API LogVerification {
  bool ok = true;
  std::uint64_t lines = 0;      // valid chained lines
  std::uint64_t first_bad = 0;  // 1-based line number of the first broken line, 0 when ok
  bool torn_tail = false;       // the last line is incomplete (no newline or not JSON)
  std::string message;
  std::string last_hash;  // hash of the last valid line
};

AIG_API LogVerification verify_log(const std::string& path);

class AIG_API DecisionLog {
 public:
  // Opens (creating if needed) and verifies the log; throws Error(io) when it cannot be opened
  // and Error(invalid_document) when the chain is broken or the tail torn (the message names the
  // line): appending after damage is refused until an operator repairs the file.
  explicit DecisionLog(const std::string& path);
  ~DecisionLog();
  DecisionLog(const DecisionLog&) = delete;
  DecisionLog& operator=(const DecisionLog&) = delete;

  // Appends one record (a JSON object text), writes and fsyncs; returns the line's hash.
  std::string append(std::string_view record_json);
  std::uint64_t size() const { return seq_; }
  const std::string& last_hash() const { return last_hash_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::uint64_t seq_ = 0;
  std::string last_hash_;
};

// Reads the records of a verified log (throws Error when verification fails).
AIG_API std::vector<std::string> read_log_records(const std::string& path);

}  // namespace v1
}  // namespace aiguillage
