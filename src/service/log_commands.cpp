// `aiguillage log export|import|checkpoint`, `log verify` with --db or --public-key, and
// `replay --db`: the decision log in PostgreSQL and signed checkpoints, from the command line.
#include <string>
#include <string_view>

#include "aiguillage/audit/checkpoint.hpp"
#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/audit/pg_decision_log.hpp"
#include "aiguillage/audit/replay.hpp"
#include "cli/cli.hpp"
#include "service/server.hpp"

namespace aiguillage::service {

namespace {

using cli::Args;
using cli::UsageError;

bool has_arg(int argc, char** argv, std::string_view name) {
  for (int k = 2; k < argc; ++k) {
    const std::string_view a = argv[k];
    if (a == name ||
        (a.size() > name.size() && a.substr(0, name.size()) == name && a[name.size()] == '='))
      return true;
  }
  return false;
}

int verify(const Args& args) {
  const auto db = args.get("--db");
  if (db.has_value() == !args.positional.empty())
    throw UsageError("give exactly one of LOG and --db URL");
  std::string text;
  LogVerification v;
  std::vector<Checkpoint> checkpoints;
  if (db) {
    PgDecisionLog log(*db);
    text = log.export_text();
    v = verify_log_text(text);
    if (v.ok) v = log.verify();
    checkpoints = log.checkpoints();
  } else {
    text = cli::read_file(args.positional[0]);
    v = verify_log_text(text);
    checkpoints = read_checkpoint_file(args.positional[0]);
  }
  std::string checkpoint_message;
  if (auto key = args.get("--public-key")) {
    if (v.ok) {
      checkpoint_message =
          check_checkpoints(cli::read_file(*key), checkpoints, log_text_line_hashes(text));
      if (!checkpoint_message.empty()) v.ok = false;
    }
  }
  if (args.has("--json")) {
    cli::write_out("{\"ok\":" + std::string(v.ok ? "true" : "false") + ",\"records\":" +
                   std::to_string(v.lines) + ",\"first_bad\":" + std::to_string(v.first_bad) +
                   ",\"torn_tail\":" + (v.torn_tail ? "true" : "false") + ",\"message\":" +
                   cli::json_string(v.message.empty() ? checkpoint_message : v.message) +
                   ",\"last_hash\":\"" + v.last_hash +
                   "\",\"checkpoints\":" + std::to_string(checkpoints.size()) + "}\n");
  } else if (!v.message.empty()) {
    cli::write_out("broken at line " + std::to_string(v.first_bad) + ": " + v.message + "\n" +
                   std::to_string(v.lines) + " valid records before it, last valid hash " +
                   v.last_hash + "\n");
  } else if (!checkpoint_message.empty()) {
    cli::write_out("rewritten: " + checkpoint_message + "\n");
  } else {
    cli::write_out("ok: " + std::to_string(v.lines) + " records, last hash " + v.last_hash +
                   (args.has("--public-key")
                        ? ", " + std::to_string(checkpoints.size()) + " signed checkpoints hold"
                        : std::string()) +
                   "\n");
  }
  return v.ok ? cli::kExitOk : cli::kExitFailed;
}

}  // namespace

bool wants_log_backend(int argc, char** argv) {
  if (argc < 3) return false;
  const std::string_view sub = argv[2];
  return sub == "export" || sub == "import" || sub == "checkpoint" ||
         (sub == "verify" && (has_arg(argc, argv, "--db") || has_arg(argc, argv, "--public-key")));
}

bool wants_replay_db(int argc, char** argv) {
  return has_arg(argc, argv, "--db");
}

int cmd_log_backend(int argc, char** argv) {
  const std::string sub = argv[2];
  try {
    if (sub == "verify")
      return verify(cli::parse_args(
          argc, argv, 3, {{"--db", true}, {"--public-key", true}, {"--json", false}}, 0, 1));
    if (sub == "export") {
      const Args args = cli::parse_args(argc, argv, 3, {{"--db", true}}, 0, 0);
      if (!args.has("--db")) throw UsageError("log export needs --db URL");
      PgDecisionLog log(*args.get("--db"));
      const std::string text = log.export_text();
      const LogVerification v = verify_log_text(text);
      cli::write_out(text);
      if (!v.ok)
        throw Error(
            ErrorCode::invalid_document,
            "the exported log is broken at line " + std::to_string(v.first_bad) + ": " + v.message);
      return cli::kExitOk;
    }
    if (sub == "import") {
      const Args args = cli::parse_args(argc, argv, 3, {{"--db", true}}, 1, 1);
      if (!args.has("--db")) throw UsageError("log import needs --db URL and a log FILE");
      PgDecisionLog log(*args.get("--db"));
      const std::uint64_t n = log.import_text(cli::read_file(args.positional[0]));
      cli::write_out("imported " + std::to_string(n) + " records, last hash " + log.last_hash() +
                     "\n");
      return cli::kExitOk;
    }
    // checkpoint
    const Args args = cli::parse_args(argc, argv, 3, {{"--db", true}, {"--key", true}}, 0, 1);
    if (!args.has("--key"))
      throw UsageError("log checkpoint needs --key PEM (Ed25519 private key)");
    const auto db = args.get("--db");
    if (db.has_value() == !args.positional.empty())
      throw UsageError("give exactly one of LOG and --db URL");
    const std::string pem = cli::read_file(*args.get("--key"));
    Checkpoint c;
    if (db) {
      PgDecisionLog log(*db);
      const std::vector<std::string> hashes = log_text_line_hashes(log.export_text());
      if (hashes.empty()) throw Error(ErrorCode::invalid_argument, "the log is empty");
      c = sign_checkpoint(pem, hashes.size(), hashes.back());
      log.add_checkpoint(c);
    } else {
      const std::vector<std::string> hashes =
          log_text_line_hashes(cli::read_file(args.positional[0]));
      if (hashes.empty()) throw Error(ErrorCode::invalid_argument, "the log is empty");
      c = sign_checkpoint(pem, hashes.size(), hashes.back());
      append_checkpoint_file(args.positional[0], c);
    }
    cli::write_out(checkpoint_to_json(c) + "\n");
    return cli::kExitOk;
  } catch (const Error& e) {
    return cli::report(e, e.code() == ErrorCode::io || e.code() == ErrorCode::unavailable
                              ? cli::kExitIo
                              : cli::kExitFailed);
  }
}

int cmd_replay_db(int argc, char** argv) {
  const Args args = cli::parse_args(
      argc, argv, 2, {{"--db", true}, {"--packs", true}, {"--against", true}, {"--json", false}}, 0,
      0);
  if (args.has("--packs") == args.has("--against"))
    throw UsageError("give exactly one of --packs DIR and --against PACK");
  try {
    PgDecisionLog log(*args.get("--db"));
    const std::vector<std::string> records = read_log_text_records(log.export_text());
    ReplayReport report;
    if (auto against = args.get("--against")) {
      report = replay_records_against(records, cli::load_pack(*against));
    } else {
      Registry registry;
      registry.load_dir(*args.get("--packs"));
      report = replay_records(records, registry);
    }
    cli::write_out(args.has("--json") ? report.to_json() + "\n" : report.to_text());
    const bool failed = report.errors > 0 || report.pack_missing > 0 ||
                        (!args.has("--against") && report.different > 0);
    return failed ? cli::kExitFailed : cli::kExitOk;
  } catch (const Error& e) {
    return cli::report(e, e.code() == ErrorCode::unavailable ? cli::kExitIo : cli::kExitFailed);
  }
}

}  // namespace aiguillage::service
