#include "aiguillage/audit/decision_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_record.hpp"
#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "audit/report_json_view.hpp"
#include "core/file.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::json;

const std::string kGenesis = "sha256:" + std::string(64, '0');

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

// Reads a file line by line in bounded memory: a line longer than kMaxJsonLineBytes is reported
// (too long), never buffered whole.
class LineReader {
 public:
  explicit LineReader(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error(ErrorCode::io, "cannot open " + path + ": " + errno_text());
  }
  // A log already in memory (a backend's export): the same checks, line by line.
  explicit LineReader(std::string_view text) : buf_(text) {}
  ~LineReader() {
    if (fd_ >= 0) ::close(fd_);
  }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  enum class Got { line, last_without_newline, too_long, end };

  // The next line (without its newline) in `line`.
  Got next(std::string_view& line) {
    if (consumed_ > 0) {
      buf_.erase(0, consumed_);
      consumed_ = 0;
    }
    std::size_t searched = 0;
    for (;;) {
      const std::size_t nl = buf_.find('\n', searched);
      if (nl != std::string::npos) {
        if (nl > detail::kMaxJsonLineBytes) return Got::too_long;
        line = std::string_view(buf_).substr(0, nl);
        consumed_ = nl + 1;
        return Got::line;
      }
      searched = buf_.size();
      if (buf_.size() > detail::kMaxJsonLineBytes) return Got::too_long;
      if (!read_more()) {
        if (buf_.empty()) return Got::end;
        line = buf_;
        consumed_ = buf_.size();
        return Got::last_without_newline;
      }
    }
  }

 private:
  bool read_more() {
    if (fd_ < 0) return false;
    return detail::read_chunk(fd_, buf_, 1u << 16, path_);
  }

  std::string path_;
  int fd_ = -1;
  std::string buf_;
  std::size_t consumed_ = 0;
};

using RecordVisitor = void (*)(void* context, std::uint64_t seq, const std::string& hash,
                               const Json& record, std::string& canonical);

LogVerification scan_lines(LineReader& reader, const LogAnchor* anchor, RecordVisitor visit,
                           void* context) {
  LogVerification v;
  v.last_hash = kGenesis;
  auto fail = [&](std::uint64_t line, std::string message, bool torn = false) {
    v.ok = false;
    v.first_bad = line;
    v.torn_tail = torn;
    v.message = std::move(message);
  };
  std::uint64_t line = 0;
  bool anchor_seen = false;
  std::string_view body;
  for (;;) {
    const LineReader::Got got = reader.next(body);
    if (got == LineReader::Got::end) break;
    ++line;
    if (got == LineReader::Got::too_long) {
      fail(line, "the line is longer than " + std::to_string(detail::kMaxJsonLineBytes) +
                     " bytes (too_long): no log line is that long");
      break;
    }
    // A crash between the start and the end of a write leaves a line without its newline;
    // accepting it would glue the next append onto it.
    if (got == LineReader::Got::last_without_newline) {
      fail(line, "the last line has no end of line: a write was cut short (crash?)", true);
      break;
    }
    if (body.empty()) {
      fail(line, "empty line");
      break;
    }
    if (body.back() == '\r') {
      fail(line,
           "the line ends with a carriage return: the log was rewritten with CRLF line ends "
           "(its lines end with LF only)");
      break;
    }
    const std::size_t deep = detail::find_too_deep(body);
    if (deep != std::string_view::npos) {
      fail(line, "the line is " + detail::too_deep_message(deep) + " (too_deep)");
      break;
    }
    Json doc = Json::parse(body, nullptr, false);
    if (doc.is_discarded()) {
      // Only a line at the very end can be a torn write.
      std::string_view rest;
      const bool last = reader.next(rest) == LineReader::Got::end;
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
      fail(line,
           "seq is " + bounded_text(seq.dump(-1, ' ', false, Json::error_handler_t::replace)) +
               ", expected " + std::to_string(line) + " (a line was removed, inserted or moved)");
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
      canonical = canonical_json(record.dump(-1, ' ', false, Json::error_handler_t::strict));
    } catch (const std::exception& e) {
      fail(line, "record cannot be put in canonical form: " + bounded_text(e.what()));
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
    if (anchor && !anchor_seen && expected == anchor->head_hash &&
        (!anchor->lines || *anchor->lines == line))
      anchor_seen = true;
    if (anchor && anchor->lines && *anchor->lines == line && !anchor_seen) {
      fail(line, "line " + std::to_string(line) + " is not the anchored line (its hash is " +
                     expected + ", the anchor says " + bounded_text(anchor->head_hash) +
                     "): the log was rewritten from there on");
      break;
    }
    if (visit) visit(context, line, expected, record, canonical);
  }
  if (v.ok && anchor && !anchor_seen) {
    if (anchor->lines && v.lines < *anchor->lines)
      fail(v.lines + 1, "the log has " + std::to_string(v.lines) + " lines, the anchor " +
                            std::to_string(*anchor->lines) + ": it was truncated");
    else
      fail(v.lines + 1, "no line has the anchored hash " + bounded_text(anchor->head_hash) +
                            ": the log was truncated or rewritten");
  }
  return v;
}

LogVerification scan_log(const std::string& path, const LogAnchor* anchor, RecordVisitor visit,
                         void* context) {
  LineReader reader(path);
  return scan_lines(reader, anchor, visit, context);
}

void collect_record(void* context, std::uint64_t, const std::string&, const Json&,
                    std::string& canonical) {
  static_cast<std::vector<std::string>*>(context)->push_back(std::move(canonical));
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

LogVerification verify_log_text(std::string_view text) {
  LineReader reader(text);
  return scan_lines(reader, nullptr, nullptr, nullptr);
}

std::vector<std::string> read_log_text_records(std::string_view text) {
  std::vector<std::string> records;
  LineReader reader(text);
  const LogVerification v = scan_lines(reader, nullptr, collect_record, &records);
  if (!v.ok)
    throw Error(ErrorCode::invalid_document, "the decision log is broken at line " +
                                                 std::to_string(v.first_bad) + ": " + v.message);
  return records;
}

LogVerification verify_log(const std::string& path) {
  return scan_log(path, nullptr, nullptr, nullptr);
}

LogVerification verify_log(const std::string& path, const LogAnchor& anchor) {
  return scan_log(path, &anchor, nullptr, nullptr);
}

std::string decision_key_of_parts(std::string_view person, std::string_view pack_hash,
                                  std::string_view reference_date, std::string_view inputs,
                                  std::string_view proposal) {
  std::string text;
  text.reserve(person.size() + pack_hash.size() + reference_date.size() + inputs.size() +
               proposal.size() + 4);
  for (const std::string_view part : {person, pack_hash, reference_date, inputs, proposal}) {
    if (!text.empty()) text += '\n';
    text += part;
  }
  const Sha256 digest = sha256(text);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string decision_key(std::string_view canonical_record) {
  namespace view = report_detail::json_view;
  std::string_view schema, person, pack, reference_date, inputs, proposal;
  const bool object = view::members(canonical_record, [&](std::string_view k, std::string_view v) {
    if (k == "schema")
      schema = v;
    else if (k == "person")
      person = v;
    else if (k == "pack")
      pack = v;
    else if (k == "reference_date")
      reference_date = v;
    else if (k == "inputs")
      inputs = v;
    else if (k == "proposal")
      proposal = v;
  });
  // The canonical text of the schema name: no escape in it, so the quoted bytes.
  if (!object || schema.size() != kDecisionRecordSchema.size() + 2 ||
      schema.substr(1, kDecisionRecordSchema.size()) != kDecisionRecordSchema)
    return {};
  const std::string_view pack_hash = view::member(pack, "hash");
  if (person.empty() || pack_hash.empty()) return {};
  return decision_key_of_parts(person, pack_hash, reference_date, inputs, proposal);
}

struct DecisionLog::Index {
  std::unordered_map<std::string, std::pair<std::uint64_t, std::string>> by_key;
};

DecisionLog::DecisionLog(const std::string& path) : path_(path), index_(new Index) {
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
    v = scan_log(
        path, nullptr,
        [](void* context, std::uint64_t seq, const std::string& hash, const Json&,
           std::string& canonical) {
          std::string key = decision_key(canonical);
          if (!key.empty())
            static_cast<Index*>(context)->by_key.emplace(std::move(key), std::make_pair(seq, hash));
        },
        index_.get());
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

std::uint64_t DecisionLog::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seq_;
}

std::string DecisionLog::last_hash() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_hash_;
}

std::string DecisionLog::append(std::string_view record_json) {
  std::string record = canonical_json(record_json);
  if (record.empty() || record.front() != '{')
    throw Error(ErrorCode::invalid_argument, "a decision record must be a JSON object");
  if (record.size() > detail::kMaxJsonLineBytes - 256)
    throw Error(ErrorCode::too_long, "a decision record has at most " +
                                         std::to_string(detail::kMaxJsonLineBytes - 256) +
                                         " bytes in canonical form");
  const std::string key = decision_key(record);
  std::lock_guard<std::mutex> lock(mutex_);
  return write_line(std::move(record), key.empty() ? nullptr : &key).hash;
}

LoggedRecord DecisionLog::append_once(std::string_view record_json) {
  std::string record = canonical_json(record_json);
  if (record.empty() || record.front() != '{')
    throw Error(ErrorCode::invalid_argument, "a decision record must be a JSON object");
  if (record.size() > detail::kMaxJsonLineBytes - 256)
    throw Error(ErrorCode::too_long, "a decision record has at most " +
                                         std::to_string(detail::kMaxJsonLineBytes - 256) +
                                         " bytes in canonical form");
  const std::string key = decision_key(record);
  std::lock_guard<std::mutex> lock(mutex_);
  if (!key.empty())
    if (auto it = index_->by_key.find(key); it != index_->by_key.end())
      return LoggedRecord{it->second.first, it->second.second, false};
  return write_line(std::move(record), key.empty() ? nullptr : &key);
}

std::vector<std::string> DecisionLog::append_canonical(const std::vector<std::string>& records) {
  std::vector<std::string> keys;
  keys.reserve(records.size());
  for (const std::string& record : records) keys.push_back(decision_key(record));
  return append_canonical(records, keys);
}

std::vector<std::string> DecisionLog::append_canonical(const std::vector<std::string>& records,
                                                       const std::vector<std::string>& keys) {
  if (keys.size() != records.size())
    throw Error(ErrorCode::invalid_argument, "one decision key per record is needed");
  std::vector<const std::string*> key_of;
  key_of.reserve(records.size());
  for (std::size_t k = 0; k < records.size(); ++k) {
    if (records[k].size() > detail::kMaxJsonLineBytes - 256)
      throw Error(ErrorCode::too_long, "a decision record has at most " +
                                           std::to_string(detail::kMaxJsonLineBytes - 256) +
                                           " bytes in canonical form");
    key_of.push_back(keys[k].empty() ? nullptr : &keys[k]);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> hashes;
  for (const LoggedRecord& r : write_lines(records, key_of)) hashes.push_back(r.hash);
  return hashes;
}

LoggedRecord DecisionLog::write_line(std::string record, const std::string* key) {
  return write_lines({std::move(record)}, {key}).front();
}

// Called with mutex_ held. One write() and one fsync() for all the lines (group commit):
// nothing is acknowledged before the fsync.
std::vector<LoggedRecord> DecisionLog::write_lines(const std::vector<std::string>& records,
                                                   const std::vector<const std::string*>& keys) {
  if (fd_ < 0)
    throw Error(ErrorCode::io, "the decision log " + path_ +
                                   " was closed after a failed write; reopen it to verify it");
  std::vector<LoggedRecord> written;
  std::string lines, prev = last_hash_;
  for (const std::string& record : records) {
    std::string hash = chain_hash(prev, record);
    lines += make_line(seq_ + written.size() + 1, prev, record, hash);
    lines += '\n';
    prev = hash;
    written.push_back(LoggedRecord{seq_ + written.size() + 1, std::move(hash), true});
  }

  // With O_APPEND the lines land whole at the end, and a crash leaves at worst a torn last
  // line, which verify_log reports.
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
  seq_ += written.size();
  last_hash_ = prev;
  for (std::size_t k = 0; k < written.size(); ++k)
    if (keys[k]) index_->by_key.emplace(*keys[k], std::make_pair(written[k].seq, written[k].hash));
  return written;
}

std::vector<std::string> read_log_records(const std::string& path) {
  std::vector<std::string> records;
  const LogVerification v = scan_log(path, nullptr, collect_record, &records);
  if (!v.ok)
    throw Error(ErrorCode::invalid_document, "the decision log " + path + " is broken at line " +
                                                 std::to_string(v.first_bad) + ": " + v.message);
  return records;
}

}  // namespace v1
}  // namespace aiguillage
