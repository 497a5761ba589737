#include "service/log_backend.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <type_traits>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace aiguillage::service {

namespace {

// Group commit: the first request to find no commit in progress commits, at once, every
// record queued meanwhile; the others wait for it. Each is acknowledged only after the commit
// (fsync or COMMIT) that holds it.
class GroupCommit {
 public:
  template <typename Commit>
  AppendResult append(const std::string& record_json, const std::string& key, Commit commit) {
    // The record is canonical already (make_decision_record): canonicalising it again would
    // cost a parse and a serialisation per decision. It stays the caller's until committed.
    if (record_json.empty() || record_json.front() != '{')
      throw Error(ErrorCode::invalid_argument, "a decision record must be a JSON object");
    Pending me;
    me.record = &record_json;
    me.key = &key;
    std::unique_lock lock(mutex_);
    queue_.push_back(&me);
    while (!me.done) {
      if (committing_) {
        // Woken alone: when its group is committed, or when it heads the queue and the
        // commit in progress ends (it then commits the queue). Waking every waiter at each
        // commit cost more CPU than the decisions themselves under 64 clients.
        me.wake.wait(lock);
        continue;
      }
      committing_ = true;
      const auto n = static_cast<std::ptrdiff_t>(std::min(queue_.size(), kMaxGroup));
      std::vector<Pending*> batch(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
      lock.unlock();
      std::vector<std::string> records, keys;
      records.reserve(batch.size());
      keys.reserve(batch.size());
      for (Pending* p : batch) {
        records.push_back(*p->record);
        keys.push_back(*p->key);
      }
      std::vector<AppendResult> results;
      std::exception_ptr error;
      try {
        results = commit(records, keys);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      for (std::size_t k = 0; k < batch.size(); ++k) {
        if (error)
          batch[k]->error = error;
        else
          batch[k]->result = std::move(results[k]);
        batch[k]->done = true;
        if (batch[k] != &me) batch[k]->wake.notify_one();
      }
      committing_ = false;
      if (!queue_.empty()) queue_.front()->wake.notify_one();
    }
    if (me.error) std::rethrow_exception(me.error);
    return std::move(me.result);
  }

 private:
  struct Pending {
    const std::string* record = nullptr;
    const std::string* key = nullptr;
    AppendResult result;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable wake;
  };
  static constexpr std::size_t kMaxGroup = 256;
  std::mutex mutex_;
  std::vector<Pending*> queue_;
  bool committing_ = false;
};

class FileBackend final : public LogBackend {
 public:
  explicit FileBackend(const std::string& path)
      : path_(path), log_(std::make_unique<DecisionLog>(path)) {}
  std::string kind() const override { return "file"; }

  AppendResult append(const std::string& record_json, const std::string& key) override {
    return group_.append(
        record_json, key,
        [&](const std::vector<std::string>& records, std::vector<std::string>& keys) {
          // Keys not given are computed here, in the serial commit step: callers that can give
          // them should.
          for (std::size_t k = 0; k < records.size(); ++k)
            if (keys[k].empty()) keys[k] = decision_key(records[k]);
          std::lock_guard lock(mutex_);
          if (!log_) throw Error(ErrorCode::unavailable, "the decision log is closed");
          const std::uint64_t first = log_->size() + 1;
          std::vector<std::string> hashes = log_->append_canonical(records, keys);
          std::vector<AppendResult> out;
          for (std::size_t k = 0; k < hashes.size(); ++k)
            out.push_back({first + k, std::move(hashes[k])});
          return out;
        });
  }

  std::optional<std::string> line(std::uint64_t seq) override {
    const std::string text = export_text(seq, seq);
    if (text.empty()) return std::nullopt;
    return text.substr(0, text.size() - 1);
  }

  LogVerification verify() override { return verify_log(path_); }

  std::string export_text(std::uint64_t first, std::uint64_t last) override {
    // Lines are appended whole under the mutex: a snapshot read under it never sees half a line.
    std::string text;
    {
      std::lock_guard lock(mutex_);
      text = read_text();
    }
    std::string out;
    std::uint64_t seq = 0;
    for (std::size_t pos = 0; pos < text.size();) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) break;
      ++seq;
      if (seq >= first && (last == 0 || seq <= last)) out.append(text, pos, nl + 1 - pos);
      if (last != 0 && seq >= last) break;
      pos = nl + 1;
    }
    return out;
  }

  void add_checkpoint(const Checkpoint& c) override {
    std::lock_guard lock(mutex_);
    append_checkpoint_file(path_, c);
  }
  std::vector<Checkpoint> checkpoints() override { return read_checkpoint_file(path_); }
  bool ready() override {
    std::lock_guard lock(mutex_);
    return log_ != nullptr;
  }
  void close() override {
    std::lock_guard lock(mutex_);
    log_.reset();
  }

 private:
  std::string read_text() const {
    std::FILE* f = std::fopen(path_.c_str(), "rb");
    if (!f) throw Error(ErrorCode::io, "cannot read the decision log " + path_);
    std::string text;
    char buf[1 << 16];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
    return text;
  }

  std::string path_;
  GroupCommit group_;
  std::mutex mutex_;
  std::unique_ptr<DecisionLog> log_;
};

// Connections are lent one request at a time; a request waits when all are busy.
class PgBackend final : public LogBackend {
 public:
  PgBackend(const std::string& url, std::size_t connections) {
    for (std::size_t k = 0; k < std::max<std::size_t>(1, connections); ++k)
      idle_.push_back(std::make_unique<PgDecisionLog>(url));
  }
  std::string kind() const override { return "postgresql"; }

  AppendResult append(const std::string& record_json, const std::string& key) override {
    // PostgreSQL keeps no index of decisions: the key is not needed.
    return group_.append(
        record_json, key,
        [&](const std::vector<std::string>& records, const std::vector<std::string>&) {
          return with([&](PgDecisionLog& log) { return log.append_canonical(records); });
        });
  }
  std::optional<std::string> line(std::uint64_t seq) override {
    return with([&](PgDecisionLog& log) { return log.line(seq); });
  }
  LogVerification verify() override {
    return with([&](PgDecisionLog& log) { return log.verify(); });
  }
  std::string export_text(std::uint64_t first, std::uint64_t last) override {
    return with([&](PgDecisionLog& log) { return log.export_text(first, last); });
  }
  void add_checkpoint(const Checkpoint& c) override {
    with([&](PgDecisionLog& log) {
      log.add_checkpoint(c);
      return 0;
    });
  }
  std::vector<Checkpoint> checkpoints() override {
    return with([&](PgDecisionLog& log) { return log.checkpoints(); });
  }
  bool ready() override {
    try {
      return with([&](PgDecisionLog& log) { return log.ping(); });
    } catch (const Error&) {
      return false;
    }
  }
  void close() override {
    std::unique_lock lock(mutex_);
    closed_ = true;
    // In-flight requests hold their connection until they return it.
    returned_.wait(lock, [&] { return lent_ == 0; });
    idle_.clear();
  }

 private:
  template <typename F>
  std::invoke_result_t<F, PgDecisionLog&> with(F f) {
    std::unique_ptr<PgDecisionLog> conn;
    {
      std::unique_lock lock(mutex_);
      returned_.wait(lock, [&] { return closed_ || !idle_.empty(); });
      if (closed_) throw Error(ErrorCode::unavailable, "the decision log is closed");
      conn = std::move(idle_.back());
      idle_.pop_back();
      ++lent_;
    }
    struct Return {
      PgBackend& self;
      std::unique_ptr<PgDecisionLog>& conn;
      ~Return() {
        std::lock_guard lock(self.mutex_);
        self.idle_.push_back(std::move(conn));
        --self.lent_;
        self.returned_.notify_all();
      }
    } back{*this, conn};
    return f(*conn);
  }

  GroupCommit group_;

  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgDecisionLog>> idle_;
  std::size_t lent_ = 0;
  bool closed_ = false;
};

}  // namespace

std::unique_ptr<LogBackend> open_file_backend(const std::string& path) {
  return std::make_unique<FileBackend>(path);
}

std::unique_ptr<LogBackend> open_pg_backend(const std::string& url, std::size_t connections) {
  return std::make_unique<PgBackend>(url, connections);
}

}  // namespace aiguillage::service
