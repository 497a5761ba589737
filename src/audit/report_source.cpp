// Where the report reads decision records: a log file, or the PostgreSQL log. Both hand the
// same lines by blocks; the report checks them (report_model.cpp).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aiguillage/audit/pg_decision_log.hpp"
#include "aiguillage/audit/report.hpp"
#include "aiguillage/core/error.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

constexpr std::size_t kBlockLines = 8192;

// Splits `text` (whole lines, each with its end of line) into blocks; the last block ends with
// `broken_tail` when the text does not end with an end of line.
bool hand_lines(std::string_view text, std::uint64_t& next_line,
                const std::function<bool(const DecisionSource::Block&)>& sink) {
  DecisionSource::Block block;
  std::size_t start = 0;
  while (start < text.size()) {
    if (block.lines.empty()) block.first = next_line;
    const std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      block.broken_tail = true;
      break;
    }
    block.lines.push_back(text.substr(start, nl - start));
    ++next_line;
    start = nl + 1;
    if (block.lines.size() == kBlockLines) {
      if (!sink(block)) return false;
      block.lines.clear();
    }
  }
  if (!block.lines.empty() || block.broken_tail) {
    if (block.lines.empty()) block.first = next_line;
    if (!sink(block)) return false;
  }
  return !block.broken_tail;
}

class FileSource final : public DecisionSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}

  // Reads by large chunks; a line longer than the longest a log may hold ends the pass.
  void lines(const std::function<bool(const Block&)>& sink) override {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw Error(ErrorCode::io,
                  "cannot open the decision log " + path_ + ": " + std::strerror(errno));
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    constexpr std::size_t kChunk = std::size_t{8} << 20;
    std::string buf;
    std::uint64_t next_line = 1;
    for (;;) {
      const std::size_t old = buf.size();
      buf.resize(old + kChunk);
      ssize_t n;
      do {
        n = ::read(fd, buf.data() + old, kChunk);
      } while (n < 0 && errno == EINTR);
      if (n < 0)
        throw Error(ErrorCode::io,
                    "cannot read the decision log " + path_ + ": " + std::strerror(errno));
      buf.resize(old + static_cast<std::size_t>(n));
      if (n == 0) {
        // The end: what is left has no end of line.
        if (!buf.empty()) hand_lines(buf, next_line, sink);
        return;
      }
      const std::size_t last_nl = buf.rfind('\n');
      if (last_nl == std::string::npos) {
        if (buf.size() > detail::kMaxJsonLineBytes) {
          Block block;
          block.first = next_line;
          block.broken_tail = true;
          sink(block);
          return;
        }
        continue;
      }
      if (!hand_lines(std::string_view(buf).substr(0, last_nl + 1), next_line, sink)) return;
      buf.erase(0, last_nl + 1);
    }
  }

  LogVerification verify() override { return verify_log(path_); }

  std::string description() const override {
    const auto slash = path_.find_last_of('/');
    return "file " + (slash == std::string::npos ? path_ : path_.substr(slash + 1));
  }

 private:
  std::string path_;
};

class DbSource final : public DecisionSource {
 public:
  explicit DbSource(const std::string& url) : log_(url) {}

  // The lines up to the head read at the start (appends after it are not reported), by pages
  // of bounded size.
  void lines(const std::function<bool(const Block&)>& sink) override {
    read_head();
    std::uint64_t next_line = 1;
    constexpr std::uint64_t kPage = 20000;
    for (std::uint64_t from = 1; from <= head_seq_; from += kPage) {
      const std::uint64_t to = std::min(head_seq_, from + kPage - 1);
      const std::string text = log_.export_text(from, to);
      if (!hand_lines(text, next_line, sink)) return;
      if (next_line != to + 1) return;  // rows missing: check_end says so
    }
  }

  LogVerification check_end(std::uint64_t lines, const std::string& last_hash) override {
    LogVerification v;
    v.lines = lines;
    v.last_hash = last_hash;
    if (lines != head_seq_ || last_hash != head_hash_) {
      v.ok = false;
      v.first_bad = lines + 1;
      v.message = "the head row names seq " + std::to_string(head_seq_) + " and " + head_hash_ +
                  " but the chain ends at seq " + std::to_string(lines) +
                  " (a row was removed or the head rewritten)";
    }
    return v;
  }

  LogVerification verify() override { return log_.verify(); }

  std::string description() const override { return "PostgreSQL"; }

 private:
  // The head's seq and hash as one pair: read again when an append came in between.
  void read_head() {
    for (;;) {
      const std::uint64_t seq = log_.size();
      std::string hash = log_.last_hash();
      if (log_.size() == seq) {
        head_seq_ = seq;
        head_hash_ = std::move(hash);
        return;
      }
    }
  }

  PgDecisionLog log_;
  std::uint64_t head_seq_ = 0;
  std::string head_hash_;
};

}  // namespace

std::unique_ptr<DecisionSource> open_file_source(const std::string& path) {
  return std::make_unique<FileSource>(path);
}

std::unique_ptr<DecisionSource> open_db_source(const std::string& url) {
  return std::make_unique<DbSource>(url);
}

}  // namespace v1
}  // namespace aiguillage
