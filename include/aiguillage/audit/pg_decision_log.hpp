// The decision log in PostgreSQL: the same records, chain and lines as the file log
// (decision_log.hpp), so that an export is byte-identical to the file the same decisions would
// have made. Several processes append to one chain: each append locks the chain's head row
// (SELECT ... FOR UPDATE) in its transaction, and returns only after COMMIT.
//
// Tables (created when absent): aig_log_head (one row: seq, hash), aig_log (seq, prev, record,
// hash; record is the canonical text, never jsonb, which would reorder it) and
// aig_log_checkpoints (seq, hash, signature).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aiguillage/audit/checkpoint.hpp"
#include "aiguillage/audit/decision_log.hpp"

namespace aiguillage {
inline namespace v1 {

struct AppendResult {
  std::uint64_t seq = 0;
  std::string hash;
};

// One connection; not for concurrent use (one object per thread, or a pool).
class PgDecisionLog {
 public:
  // Connects (a libpq connection string or postgresql:// URL) and creates the tables when
  // absent. Throws Error(unavailable) when the server cannot be reached.
  explicit PgDecisionLog(const std::string& url);
  ~PgDecisionLog();
  PgDecisionLog(const PgDecisionLog&) = delete;
  PgDecisionLog& operator=(const PgDecisionLog&) = delete;

  // Appends a record (a JSON object text) after the chain's head, committed before it returns.
  // Throws Error(invalid_argument) for a record that is not an object, Error(unavailable) when
  // the transaction fails (nothing was appended then).
  AppendResult append(std::string_view record_json);
  // Appends records already in canonical form (canonical_json) in one transaction, in order:
  // one lock of the head and one COMMIT (one WAL flush) for all of them. All or none.
  std::vector<AppendResult> append_canonical(const std::vector<std::string>& records);
  std::uint64_t size();
  std::string last_hash();
  // The line of seq (no end of line), or nullopt.
  std::optional<std::string> line(std::uint64_t seq);
  // Lines first..last (inclusive; last 0: to the end), each with its end of line: the file.
  std::string export_text(std::uint64_t first = 1, std::uint64_t last = 0);
  // Verifies the whole chain as verify_log_text does, and that the head row names its end.
  LogVerification verify();
  // Loads a log text (verified first) into an empty log; Error(conflict) when it is not empty,
  // Error(invalid_document) when the text is broken. Returns the number of lines.
  std::uint64_t import_text(std::string_view text);

  void add_checkpoint(const Checkpoint& c);
  std::vector<Checkpoint> checkpoints();
  bool ping();  // the connection works (reconnects once if it was lost)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace aiguillage
