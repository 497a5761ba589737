#include "aiguillage/audit/pg_decision_log.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

struct ResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultFree>;

// Schema setup runs under a transaction-level advisory lock so that processes starting together
// do not race on CREATE TABLE.
constexpr const char* kSchema =
    "SELECT pg_advisory_xact_lock(7305142968312);"
    "CREATE TABLE IF NOT EXISTS aig_log_head (id int PRIMARY KEY CHECK (id = 1),"
    " seq bigint NOT NULL, hash text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS aig_log (seq bigint PRIMARY KEY, prev text NOT NULL,"
    " record text NOT NULL, hash text NOT NULL);"
    "CREATE TABLE IF NOT EXISTS aig_log_checkpoints (seq bigint PRIMARY KEY,"
    " hash text NOT NULL, signature text NOT NULL);";

}  // namespace

struct PgDecisionLog::Impl {
  std::string url;
  PGconn* conn = nullptr;

  ~Impl() {
    if (conn) PQfinish(conn);
  }

  void connect() {
    if (conn) PQfinish(conn);
    conn = PQconnectdb(url.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn);
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      PQfinish(conn);
      conn = nullptr;
      throw Error(ErrorCode::unavailable, "cannot connect to the decision log database: " + why);
    }
  }

  [[noreturn]] void fail(const std::string& what) {
    std::string why = conn ? PQerrorMessage(conn) : "no connection";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw Error(ErrorCode::unavailable, what + ": " + why);
  }

  Result exec(const char* sql, const std::string& what) {
    if (!conn) connect();
    Result r(PQexec(conn, sql));
    const ExecStatusType s = PQresultStatus(r.get());
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) fail(what);
    return r;
  }

  Result exec_params(const char* sql, const std::vector<std::string>& params,
                     const std::string& what) {
    if (!conn) connect();
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    Result r(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0));
    const ExecStatusType s = PQresultStatus(r.get());
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) fail(what);
    return r;
  }

  // Ends a failed transaction so that the connection can be used again.
  void rollback() noexcept {
    if (conn && PQtransactionStatus(conn) != PQTRANS_IDLE) PQclear(PQexec(conn, "ROLLBACK"));
    if (conn && PQstatus(conn) != CONNECTION_OK) {
      PQfinish(conn);
      conn = nullptr;
    }
  }

  std::pair<std::uint64_t, std::string> head(bool for_update) {
    Result r = exec(for_update ? "SELECT seq, hash FROM aig_log_head WHERE id = 1 FOR UPDATE"
                               : "SELECT seq, hash FROM aig_log_head WHERE id = 1",
                    "cannot read the head of the decision log");
    if (PQntuples(r.get()) != 1) return {0, std::string(kLogGenesis)};
    return {std::strtoull(PQgetvalue(r.get(), 0, 0), nullptr, 10), PQgetvalue(r.get(), 0, 1)};
  }
};

PgDecisionLog::PgDecisionLog(const std::string& url) : impl_(std::make_unique<Impl>()) {
  impl_->url = url;
  impl_->connect();
  PQclear(PQexec(impl_->conn, "SET client_min_messages = warning"));
  try {
    impl_->exec("BEGIN", "cannot start a transaction");
    impl_->exec(kSchema, "cannot create the decision log tables");
    impl_->exec_params(
        "INSERT INTO aig_log_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING",
        {std::string(kLogGenesis)}, "cannot create the head of the decision log");
    impl_->exec("COMMIT", "cannot create the decision log tables");
  } catch (...) {
    impl_->rollback();
    throw;
  }
}

PgDecisionLog::~PgDecisionLog() = default;

AppendResult PgDecisionLog::append(std::string_view record_json) {
  std::string record = canonical_json(record_json);
  if (record.empty() || record.front() != '{')
    throw Error(ErrorCode::invalid_argument, "a decision record must be a JSON object");
  return append_canonical({std::move(record)}).front();
}

std::vector<AppendResult> PgDecisionLog::append_canonical(const std::vector<std::string>& records) {
  Impl& d = *impl_;
  std::vector<AppendResult> out;
  try {
    d.exec("BEGIN", "cannot start a transaction");
    // The head row's lock serialises appenders across processes until COMMIT.
    auto [seq, prev] = d.head(true);
    // One INSERT per 1,000 rows (one round trip, not one per record, while the head is
    // locked; a statement takes at most 65,535 parameters).
    constexpr std::size_t kRowsPerInsert = 1000;
    for (std::size_t first = 0; first < records.size(); first += kRowsPerInsert) {
      const std::size_t end = std::min(records.size(), first + kRowsPerInsert);
      std::string sql = "INSERT INTO aig_log (seq, prev, record, hash) VALUES ";
      std::vector<std::string> params;
      params.reserve((end - first) * 4);
      for (std::size_t i = first; i < end; ++i) {
        AppendResult r{seq + 1, log_chain_hash(prev, records[i])};
        const std::size_t k = params.size();
        sql += (k ? ",($" : "($") + std::to_string(k + 1) + ",$" + std::to_string(k + 2) + ",$" +
               std::to_string(k + 3) + ",$" + std::to_string(k + 4) + ")";
        params.push_back(std::to_string(r.seq));
        params.push_back(prev);
        params.push_back(records[i]);
        params.push_back(r.hash);
        seq = r.seq;
        prev = r.hash;
        out.push_back(std::move(r));
      }
      d.exec_params(sql.c_str(), params, "cannot append to the decision log");
    }
    d.exec_params("UPDATE aig_log_head SET seq = $1, hash = $2 WHERE id = 1",
                  {std::to_string(seq), prev}, "cannot move the head of the decision log");
    d.exec("COMMIT", "cannot commit the decision");
    return out;
  } catch (...) {
    d.rollback();
    throw;
  }
}

std::uint64_t PgDecisionLog::size() {
  return impl_->head(false).first;
}

std::string PgDecisionLog::last_hash() {
  return impl_->head(false).second;
}

std::optional<std::string> PgDecisionLog::line(std::uint64_t seq) {
  Result r = impl_->exec_params("SELECT prev, record, hash FROM aig_log WHERE seq = $1",
                                {std::to_string(seq)}, "cannot read the decision log");
  if (PQntuples(r.get()) != 1) return std::nullopt;
  return log_line(seq, PQgetvalue(r.get(), 0, 0), PQgetvalue(r.get(), 0, 1),
                  PQgetvalue(r.get(), 0, 2));
}

std::string PgDecisionLog::export_text(std::uint64_t first, std::uint64_t last) {
  Impl& d = *impl_;
  // One snapshot for the whole export, read by chunks so that memory stays bounded per query.
  std::string out;
  try {
    d.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "cannot start a transaction");
    const std::uint64_t end = last ? last : d.head(false).first;
    constexpr std::uint64_t kChunk = 10000;
    for (std::uint64_t from = first; from <= end; from += kChunk) {
      const std::uint64_t to = std::min(end, from + kChunk - 1);
      Result r = d.exec_params(
          "SELECT seq, prev, record, hash FROM aig_log WHERE seq BETWEEN $1 AND $2 ORDER BY seq",
          {std::to_string(from), std::to_string(to)}, "cannot read the decision log");
      for (int k = 0; k < PQntuples(r.get()); ++k) {
        out += log_line(std::strtoull(PQgetvalue(r.get(), k, 0), nullptr, 10),
                        PQgetvalue(r.get(), k, 1), PQgetvalue(r.get(), k, 2),
                        PQgetvalue(r.get(), k, 3));
        out += '\n';
      }
    }
    d.exec("COMMIT", "cannot end the export");
  } catch (...) {
    d.rollback();
    throw;
  }
  return out;
}

LogVerification PgDecisionLog::verify() {
  const auto [seq, hash] = impl_->head(false);
  // Rows appended after the head was read are not exported: the export stops at the head.
  LogVerification v = verify_log_text(export_text(1, seq));
  if (v.ok && (v.lines != seq || v.last_hash != hash)) {
    v.ok = false;
    v.first_bad = v.lines + 1;
    v.message = "the head row names seq " + std::to_string(seq) + " and " + hash +
                " but the chain ends at seq " + std::to_string(v.lines) +
                " (a row was removed or the head rewritten)";
  }
  return v;
}

std::uint64_t PgDecisionLog::import_text(std::string_view text) {
  const LogVerification v = verify_log_text(text);
  if (!v.ok)
    throw Error(ErrorCode::invalid_document, "the log to import is broken at line " +
                                                 std::to_string(v.first_bad) + ": " + v.message);
  Impl& d = *impl_;
  try {
    d.exec("BEGIN", "cannot start a transaction");
    if (d.head(true).first != 0)
      throw Error(ErrorCode::conflict,
                  "the database log already holds records: import only "
                  "into an empty log");
    const std::vector<std::string> records = read_log_text_records(text);
    std::string prev(kLogGenesis);
    for (std::size_t k = 0; k < records.size(); ++k) {
      const std::string hash = log_chain_hash(prev, records[k]);
      d.exec_params("INSERT INTO aig_log (seq, prev, record, hash) VALUES ($1, $2, $3, $4)",
                    {std::to_string(k + 1), prev, records[k], hash},
                    "cannot import into the decision log");
      prev = hash;
    }
    d.exec_params("UPDATE aig_log_head SET seq = $1, hash = $2 WHERE id = 1",
                  {std::to_string(records.size()), prev}, "cannot move the head");
    d.exec("COMMIT", "cannot commit the import");
    return records.size();
  } catch (...) {
    d.rollback();
    throw;
  }
}

void PgDecisionLog::add_checkpoint(const Checkpoint& c) {
  impl_->exec_params(
      "INSERT INTO aig_log_checkpoints (seq, hash, signature) VALUES ($1, $2, $3) "
      "ON CONFLICT (seq) DO NOTHING",
      {std::to_string(c.seq), c.hash, c.signature}, "cannot store the checkpoint");
}

std::vector<Checkpoint> PgDecisionLog::checkpoints() {
  Result r = impl_->exec("SELECT seq, hash, signature FROM aig_log_checkpoints ORDER BY seq",
                         "cannot read the checkpoints");
  std::vector<Checkpoint> out;
  for (int k = 0; k < PQntuples(r.get()); ++k)
    out.push_back({std::strtoull(PQgetvalue(r.get(), k, 0), nullptr, 10), PQgetvalue(r.get(), k, 1),
                   PQgetvalue(r.get(), k, 2)});
  return out;
}

bool PgDecisionLog::ping() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      impl_->exec("SELECT 1", "ping");
      return true;
    } catch (const Error&) {
      impl_->rollback();
      if (impl_->conn) {
        PQfinish(impl_->conn);
        impl_->conn = nullptr;
      }
    }
  }
  return false;
}

}  // namespace v1
}  // namespace aiguillage
