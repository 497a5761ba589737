// The decision log behind the service: the file log (one process appends, under a mutex) or
// PostgreSQL (a pool of connections; any number of processes append to one chain).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aiguillage/audit/checkpoint.hpp"
#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/pg_decision_log.hpp"

namespace aiguillage::service {

class LogBackend {
 public:
  virtual ~LogBackend() = default;
  virtual std::string kind() const = 0;  // "file" or "postgresql"
  // Durable (synced, or committed) before it returns. The record is in canonical form
  // (canonical_json; make_decision_record writes it so); `key` is its decision_key when the
  // caller has it (make_keyed_decision_record), "" to let the backend compute it if it keeps an
  // index of decisions.
  virtual AppendResult append(const std::string& record_json, const std::string& key) = 0;
  virtual std::optional<std::string> line(std::uint64_t seq) = 0;
  virtual LogVerification verify() = 0;
  // Every line with its end of line, first..last (last 0: to the end).
  virtual std::string export_text(std::uint64_t first, std::uint64_t last) = 0;
  virtual void add_checkpoint(const Checkpoint& c) = 0;
  virtual std::vector<Checkpoint> checkpoints() = 0;
  virtual bool ready() = 0;
  virtual void close() = 0;  // flushes and closes; later appends fail with unavailable
};

std::unique_ptr<LogBackend> open_file_backend(const std::string& path);
std::unique_ptr<LogBackend> open_pg_backend(const std::string& url, std::size_t connections);

}  // namespace aiguillage::service
