// `aiguillage serve` and `aiguillage keys`.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "aiguillage/core/error.hpp"
#include "cli/cli.hpp"
#include "service/keys.hpp"
#include "service/server.hpp"

namespace aiguillage::service {

namespace {

using cli::Args;
using cli::UsageError;

std::size_t whole(const Args& args, const char* name, std::size_t fallback, std::size_t max) {
  auto v = args.get(name);
  if (!v) return fallback;
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(*v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v->size() || n > max)
    throw UsageError(std::string(name) + " must be a whole number up to " + std::to_string(max) +
                     ", not \"" + *v + "\"");
  return static_cast<std::size_t>(n);
}

}  // namespace

int cmd_serve(int argc, char** argv) {
  const Args args = cli::parse_args(argc, argv, 2,
                                    {{"--config", true},
                                     {"--packs", true},
                                     {"--port", true},
                                     {"--host", true},
                                     {"--keys", true},
                                     {"--log", true},
                                     {"--db", true},
                                     {"--db-connections", true},
                                     {"--threads", true},
                                     {"--default-pack", true},
                                     {"--pseudonym-key-file", true},
                                     {"--checkpoint-key", true},
                                     {"--checkpoint-every", true},
                                     {"--referential", true},
                                     {"--esco", true},
                                     {"--offers", true},
                                     {"--scoring", true},
                                     {"--access-log", false},
                                     {"--max-body-bytes", true},
                                     {"--max-json-depth", true},
                                     {"--max-batch-records", true},
                                     {"--request-timeout-ms", true},
                                     {"--max-in-flight", true},
                                     {"--max-connections", true},
                                     {"--port-file", true}},
                                    0, 0);
  ServiceConfig c;
  if (auto f = args.get("--config")) {
    try {
      read_config_file(*f, c);
    } catch (const Error& e) {
      return cli::report(e, cli::kExitLoad);
    }
  }
  auto text = [&](const char* name, std::string& out) {
    if (auto v = args.get(name)) out = *v;
  };
  text("--packs", c.packs);
  text("--host", c.host);
  text("--keys", c.keys);
  text("--log", c.log_file);
  text("--db", c.db_url);
  text("--default-pack", c.default_pack);
  text("--pseudonym-key-file", c.pseudonym_key_file);
  text("--checkpoint-key", c.checkpoint_key);
  text("--referential", c.referential);
  text("--esco", c.esco);
  text("--offers", c.offers);
  text("--scoring", c.scoring);
  if (args.has("--log") && !args.has("--db")) c.db_url.clear();
  if (args.has("--db") && !args.has("--log")) c.log_file.clear();
  c.port = static_cast<int>(whole(args, "--port", static_cast<std::size_t>(c.port), 65535));
  c.threads = whole(args, "--threads", c.threads, 1024);
  c.db_connections = whole(args, "--db-connections", c.db_connections, 1024);
  c.checkpoint_every = whole(args, "--checkpoint-every", c.checkpoint_every, 1u << 30);
  c.access_log = c.access_log || args.has("--access-log");
  Limits& l = c.limits;
  l.max_body_bytes = whole(args, "--max-body-bytes", l.max_body_bytes, std::size_t(1) << 34);
  l.max_json_depth = whole(args, "--max-json-depth", l.max_json_depth, 10000);
  l.max_batch_records = whole(args, "--max-batch-records", l.max_batch_records, 100000000);
  l.request_timeout_ms = whole(args, "--request-timeout-ms", l.request_timeout_ms, 86400000);
  l.max_in_flight = whole(args, "--max-in-flight", l.max_in_flight, 1000000);
  l.max_connections = whole(args, "--max-connections", l.max_connections, 1000000);

  // SIGTERM, SIGINT (stop) and SIGHUP (read the keys file again) are taken by one thread: the
  // others never see them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<Service> service;
  int port = 0;
  try {
    service = std::make_unique<Service>(c);
    port = service->bind();
  } catch (const Error& e) {
    return cli::report(e, e.code() == ErrorCode::io ? cli::kExitIo : cli::kExitLoad);
  }
  if (auto f = args.get("--port-file")) {
    const std::string tmp = *f + ".tmp";
    if (std::FILE* out = std::fopen(tmp.c_str(), "w")) {
      std::fprintf(out, "%d\n", port);
      std::fclose(out);
      std::rename(tmp.c_str(), f->c_str());
    }
  }
  std::fprintf(stderr, "aiguillage serve: listening on %s:%d\n", c.host.c_str(), port);
  std::fflush(stderr);
  std::atomic<bool> stopped{false};
  std::thread watcher([&] {
    for (;;) {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      if (stopped) return;
      if (sig == SIGHUP) {
        try {
          const std::size_t active = service->reload_keys();
          std::fprintf(stderr, "aiguillage serve: SIGHUP, keys read again (%zu active)\n", active);
        } catch (const Error& e) {
          std::fprintf(stderr,
                       "aiguillage serve: SIGHUP, the keys file is refused (%s); the "
                       "keys in use stay\n",
                       e.message().c_str());
        }
        std::fflush(stderr);
        continue;
      }
      std::fprintf(stderr, "aiguillage serve: %s, finishing the requests in flight\n",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
      service->stop();
      return;
    }
  });
  service->run();
  // The watcher is still waiting when the server stopped by itself.
  stopped = true;
  pthread_kill(watcher.native_handle(), SIGTERM);
  watcher.join();
  std::fprintf(stderr, "aiguillage serve: stopped, log closed\n");
  return cli::kExitOk;
}

int cmd_keys(int argc, char** argv) {
  if (argc < 3) throw UsageError("missing keys command (add, list, revoke)");
  const std::string sub = argv[2];
  if (sub == "add") {
    const Args args = cli::parse_args(
        argc, argv, 3, {{"--file", true}, {"--role", true}, {"--label", true}}, 0, 0);
    if (!args.has("--file") || !args.has("--role"))
      throw UsageError("keys add needs --file FILE and --role ROLE");
    try {
      KeyStore store = KeyStore::load(*args.get("--file"));
      const std::string key = store.add(*args.get("--role"), args.get("--label").value_or(""));
      store.save(*args.get("--file"));
      const ApiKey& added = store.keys().back();
      cli::write_out("key " + added.id + " (role " + added.role +
                     ") added; it is shown once, only its hash is kept:\n" + key + "\n");
    } catch (const Error& e) {
      return cli::report(e, e.code() == ErrorCode::io ? cli::kExitIo : cli::kExitLoad);
    }
    return cli::kExitOk;
  }
  if (sub == "list") {
    const Args args = cli::parse_args(argc, argv, 3, {{"--file", true}}, 0, 0);
    if (!args.has("--file")) throw UsageError("keys list needs --file FILE");
    try {
      const KeyStore store = KeyStore::load(*args.get("--file"));
      std::string out;
      for (const ApiKey& k : store.keys())
        out += k.id + "\t" + k.role + "\t" + (k.revoked ? "revoked" : "active") + "\t" + k.label +
               "\n";
      cli::write_out(out);
    } catch (const Error& e) {
      return cli::report(e, cli::kExitLoad);
    }
    return cli::kExitOk;
  }
  if (sub == "revoke") {
    const Args args = cli::parse_args(argc, argv, 3, {{"--file", true}}, 1, 1);
    if (!args.has("--file")) throw UsageError("keys revoke needs --file FILE");
    try {
      KeyStore store = KeyStore::load(*args.get("--file"));
      if (!store.revoke(args.positional[0])) {
        std::fprintf(stderr, "error: no key %s\n", args.positional[0].c_str());
        return cli::kExitFailed;
      }
      store.save(*args.get("--file"));
      cli::write_out("key " + args.positional[0] + " revoked\n");
    } catch (const Error& e) {
      return cli::report(e, cli::kExitLoad);
    }
    return cli::kExitOk;
  }
  throw UsageError("unknown keys command " + sub + " (add, list, revoke)");
}

}  // namespace aiguillage::service
