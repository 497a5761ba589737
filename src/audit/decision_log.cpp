#include "aiguillage/audit/decision_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::json;

const std::string kGenesis(kLogGenesis);

std::string errno_text() {
  return std::strerror(errno);
}

std::string chain_hash(const std::string& prev, const std::string& canonical_record) {
  return log_chain_hash(prev, canonical_record);
}

std::string make_line(std::uint64_t seq, const std::string& prev, const std::string& record,
                      const std::string& hash) {
  return log_line(seq, prev, record, hash);
}

std::string read_all(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(ErrorCode::io, "cannot open " + path + ": " + errno_text());
  std::string out;
  constexpr std::size_t kChunk = 1u << 20;
  for (;;) {
    const std::size_t old = out.size();
    out.resize(old + kChunk);
    const ssize_t n = ::read(fd, out.data() + old, kChunk);
    if (n < 0 && errno == EINTR) {
      out.resize(old);
      continue;
    }
    if (n < 0) {
      const std::string why = errno_text();
      ::close(fd);
      throw Error(ErrorCode::io, "cannot read " + path + ": " + why);
    }
    out.resize(old + static_cast<std::size_t>(n));
    if (n == 0) break;
  }
  ::close(fd);
  return out;
}

struct Scan {
  LogVerification result;
  std::vector<std::string> records;  // canonical record texts, when asked for
};

Scan scan_text(std::string_view text, bool keep_records) {
  Scan scan;
  LogVerification& v = scan.result;
  v.last_hash = kGenesis;
  auto fail = [&](std::uint64_t line, std::string message, bool torn = false) {
    v.ok = false;
    v.first_bad = line;
    v.torn_tail = torn;
    v.message = std::move(message);
  };
  std::uint64_t line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    ++line;
    const std::size_t nl = text.find('\n', pos);
    const bool last = nl == std::string::npos || nl + 1 == text.size();
    const std::string_view body =
        text.substr(pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;

    // A crash between the start and the end of a write leaves a line without its newline;
    // accepting it would glue the next append onto it.
    if (nl == std::string::npos) {
      fail(line, "the last line has no end of line: a write was cut short (crash?)", true);
      break;
    }
    if (body.empty()) {
      fail(line, "empty line");
      break;
    }
    Json doc = Json::parse(body, nullptr, false);
    if (doc.is_discarded()) {
      fail(line,
           last ? "the last line is not valid JSON: a write was cut short (crash?)"
                : "not valid JSON",
           last);
      break;
    }
    if (!doc.is_object() || doc.size() != 4 || !doc.contains("seq") || !doc.contains("prev") ||
        !doc.contains("record") || !doc.contains("hash")) {
      fail(line, "not a log line: expected exactly the fields seq, prev, record and hash");
      break;
    }
    const Json& seq = doc["seq"];
    if (!seq.is_number_unsigned() || seq.get<std::uint64_t>() != line) {
      fail(line, "seq is " + seq.dump() + ", expected " + std::to_string(line) +
                     " (a line was removed, inserted or moved)");
      break;
    }
    const Json& prev = doc["prev"];
    if (!prev.is_string() || prev.get_ref<const std::string&>() != v.last_hash) {
      fail(line, line == 1 ? "prev is not the chain's start (64 zeros)"
                           : "prev does not match the hash of line " + std::to_string(line - 1));
      break;
    }
    const Json& record = doc["record"];
    if (!record.is_object()) {
      fail(line, "record is not a JSON object");
      break;
    }
    std::string canonical;
    try {
      canonical = canonical_json(record.dump());
    } catch (const Error& e) {
      fail(line, "record cannot be put in canonical form: " + e.message());
      break;
    }
    const std::string expected = chain_hash(v.last_hash, canonical);
    const Json& hash = doc["hash"];
    if (!hash.is_string() || hash.get_ref<const std::string&>() != expected) {
      fail(line, "hash does not match the line's content (the record or prev was altered)");
      break;
    }
    // Every byte counts: a line that verifies must be exactly what append() wrote.
    if (body != make_line(line, v.last_hash, canonical, expected)) {
      fail(line, "the line is not in the log's canonical layout (it was rewritten)");
      break;
    }
    v.lines = line;
    v.last_hash = expected;
    if (keep_records) scan.records.push_back(std::move(canonical));
  }
  return scan;
}

Scan scan_log(const std::string& path, bool keep_records) {
  return scan_text(read_all(path), keep_records);
}

void sync_folder_of(const std::string& path) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (folder.empty()) folder = ".";
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the file itself is synced on every append
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string log_chain_hash(std::string_view prev, std::string_view canonical_record) {
  std::string text;
  text.reserve(prev.size() + canonical_record.size());
  text.append(prev).append(canonical_record);
  return "sha256:" + to_hex(sha256(text));
}

std::string log_line(std::uint64_t seq, std::string_view prev, std::string_view canonical_record,
                     std::string_view hash) {
  std::string line = "{\"seq\":" + std::to_string(seq) + ",\"prev\":\"";
  line.append(prev).append("\",\"record\":").append(canonical_record).append(",\"hash\":\"");
  line.append(hash).append("\"}");
  return line;
}

LogVerification verify_log(const std::string& path) {
  return scan_log(path, false).result;
}

LogVerification verify_log_text(std::string_view text) {
  return scan_text(text, false).result;
}

std::vector<std::string> read_log_text_records(std::string_view text) {
  Scan scan = scan_text(text, true);
  if (!scan.result.ok)
    throw Error(ErrorCode::invalid_document, "the decision log is broken at line " +
                                                 std::to_string(scan.result.first_bad) + ": " +
                                                 scan.result.message);
  return std::move(scan.records);
}

DecisionLog::DecisionLog(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw Error(ErrorCode::io, "cannot open the decision log " + path + ": " + errno_text());
  // Two writers would both chain onto the same last line.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const std::string why =
        errno == EWOULDBLOCK ? "another process is appending to it" : errno_text();
    ::close(fd_);
    fd_ = -1;
    throw Error(ErrorCode::io, "cannot lock the decision log " + path + ": " + why);
  }
  LogVerification v;
  try {
    v = verify_log(path);
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
  if (!v.ok) {
    ::close(fd_);
    fd_ = -1;
    throw Error(ErrorCode::invalid_document,
                "the decision log " + path + " is broken at line " + std::to_string(v.first_bad) +
                    ": " + v.message + "; appending is refused until the file is repaired");
  }
  seq_ = v.lines;
  last_hash_ = v.last_hash;
  sync_folder_of(path);
}

DecisionLog::~DecisionLog() {
  if (fd_ >= 0) ::close(fd_);
}

std::string DecisionLog::append(std::string_view record_json) {
  std::string record = canonical_json(record_json);
  if (record.empty() || record.front() != '{')
    throw Error(ErrorCode::invalid_argument, "a decision record must be a JSON object");
  return append_canonical({std::move(record)}).front();
}

std::vector<std::string> DecisionLog::append_canonical(const std::vector<std::string>& records) {
  if (fd_ < 0)
    throw Error(ErrorCode::io, "the decision log " + path_ +
                                   " was closed after a failed write; reopen it to verify it");
  std::vector<std::string> hashes;
  std::string lines, prev = last_hash_;
  for (const std::string& record : records) {
    std::string hash = chain_hash(prev, record);
    lines += make_line(seq_ + hashes.size() + 1, prev, record, hash);
    lines += '\n';
    prev = hash;
    hashes.push_back(std::move(hash));
  }

  // One write() for the lines: with O_APPEND they land whole at the end, and a crash leaves at
  // worst a torn last line, which verify_log reports.
  std::size_t done = 0;
  while (done < lines.size()) {
    const ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? errno_text() : "nothing written";
      ::close(fd_);
      fd_ = -1;
      throw Error(ErrorCode::io, "cannot write to the decision log " + path_ + ": " + why +
                                     (done > 0 ? " (its last line is now torn)" : ""));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0) {
    // After a failed fsync the kernel may have dropped the pages: what is on disk is unknown.
    const std::string why = errno_text();
    ::close(fd_);
    fd_ = -1;
    throw Error(ErrorCode::io, "cannot sync the decision log " + path_ + ": " + why);
  }
  seq_ += hashes.size();
  last_hash_ = prev;
  return hashes;
}

std::vector<std::string> read_log_records(const std::string& path) {
  Scan scan = scan_log(path, true);
  if (!scan.result.ok)
    throw Error(ErrorCode::invalid_document, "the decision log " + path + " is broken at line " +
                                                 std::to_string(scan.result.first_bad) + ": " +
                                                 scan.result.message);
  return std::move(scan.records);
}

}  // namespace v1
}  // namespace aiguillage
