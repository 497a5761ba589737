// The append-only decision log: JSON Lines, each line chained to the previous by SHA-256 and
// synced to disk on commit. A torn last line (a crash mid-write) is detected and reported,
// never silently accepted.
//
// Line k (1-based): {"seq":k,"prev":"sha256:<hash of line k-1, or 64 zeros>","record":{...},
//                    "hash":"sha256:<sha256(prev + canonical(record))>"}
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
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

// An anchor kept outside the log (a head hash written down after a run, a count): the log must
// still hold that line unchanged, which detects truncation and the rewriting of its tail with
// recomputed hashes.
struct LogAnchor {
  std::string head_hash;               // "sha256:..." of a line the log must still hold
  std::optional<std::uint64_t> lines;  // that line's number; without it any line may match
};

// Streams the log (bounded memory whatever its size): every line at most kMaxJsonLineBytes,
// nested at most kMaxJsonDepth, chained and in the canonical layout. With an anchor, a log
// that no longer holds the anchored line fails too (first_bad names where it should be).
AIG_API LogVerification verify_log(const std::string& path);
AIG_API LogVerification verify_log(const std::string& path, const LogAnchor& anchor);
// The same checks on a whole log held in memory (every line with its end of line): what every
// backend's export is verified with, so that all backends keep one format.
LogVerification verify_log_text(std::string_view text);

// Where a record already is in the log.
struct LoggedRecord {
  std::uint64_t seq = 0;
  std::string hash;
  bool appended = false;  // false: an equal decision was already recorded, nothing written
};

// The chain's pieces, shared by every backend so that their lines are byte-identical.
inline constexpr std::string_view kLogGenesis =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
// "sha256:" + hex(sha256(prev + canonical_record)).
std::string log_chain_hash(std::string_view prev, std::string_view canonical_record);
// The line (without its end of line) for a canonical record.
std::string log_line(std::uint64_t seq, std::string_view prev, std::string_view canonical_record,
                     std::string_view hash);

// The key under which append_once() finds an equal decision (32 bytes of SHA-256): the canonical
// texts of the person, the pack's hash, the reference date, the inputs and the proposal of a
// decision record; "" for other documents. decision_key reads those members of a record in
// canonical form as spans of its text; decision_key_of_parts takes them as written.
std::string decision_key(std::string_view canonical_record);
std::string decision_key_of_parts(std::string_view person, std::string_view pack_hash,
                                  std::string_view reference_date, std::string_view inputs,
                                  std::string_view proposal);

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
  // Safe to call from several threads on one object: appends are serialised.
  std::string append(std::string_view record_json);

  // Appends a decision record unless the log already holds a decision for the same person,
  // pack (hash), reference date, inputs and proposal: then returns where it is, appended =
  // false. Re-running the same decisions thus records each decision once. Records of other
  // documents are always appended.
  LoggedRecord append_once(std::string_view record_json);

  // Appends records already in canonical form with one write and one fsync for all (group
  // commit); returns their hashes. Nothing is acknowledged before the fsync.
  std::vector<std::string> append_canonical(const std::vector<std::string>& records);
  // The same with each record's decision_key already computed ("" for none).
  std::vector<std::string> append_canonical(const std::vector<std::string>& records,
                                            const std::vector<std::string>& keys);

  std::uint64_t size() const;
  std::string last_hash() const;

 private:
  LoggedRecord write_line(std::string record, const std::string* key);
  std::vector<LoggedRecord> write_lines(const std::vector<std::string>& records,
                                        const std::vector<const std::string*>& keys);

  std::string path_;
  int fd_ = -1;
  std::uint64_t seq_ = 0;
  std::string last_hash_;
  // Decision key (sha256 of person, pack hash, reference date, inputs, proposal) -> line.
  struct Index;
  std::unique_ptr<Index> index_;
  mutable std::mutex mutex_;
};

// Reads the records of a verified log (throws Error when verification fails).
AIG_API std::vector<std::string> read_log_records(const std::string& path);
// The records of a verified log text (throws Error(invalid_document) when it is broken).
std::vector<std::string> read_log_text_records(std::string_view text);

}  // namespace v1
}  // namespace aiguillage
