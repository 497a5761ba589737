// The HTTP service: routes under /v1 over the library (packs, evaluation, orientation, notices,
// decisions into the log, audit, matching), keys and roles, limits, metrics.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "service/config.hpp"

namespace aiguillage::service {

class Service {
 public:
  // Loads the packs, the keys, the log backend and the matching data; throws Error.
  explicit Service(ServiceConfig config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Binds (port 0 picks a free port) and returns the port; throws Error(io) on failure.
  int bind();
  // Serves until stop(); then finishes the requests in flight and closes the log.
  void run();
  // Safe from another thread (a signal watcher).
  void stop();
  // Reads the keys file again and serves with it from the next request on (keys added or
  // revoked since the start); returns the number of active keys. On an error (Error thrown)
  // the keys in use stay.
  std::size_t reload_keys();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `aiguillage serve` and `aiguillage keys`.
int cmd_serve(int argc, char** argv);
int cmd_keys(int argc, char** argv);
// `aiguillage log export|import|checkpoint` and `log verify`/`replay` with --db or
// --public-key; 0 when handled ... see cli/main.cpp.
int cmd_log_backend(int argc, char** argv);
int cmd_replay_db(int argc, char** argv);
bool wants_log_backend(int argc, char** argv);
bool wants_replay_db(int argc, char** argv);

}  // namespace aiguillage::service
