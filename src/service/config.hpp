// Settings of `aiguillage serve`: from a JSON config file (document aiguillage.service_config
// 1.0), then from flags, which win.
#pragma once

#include <cstddef>
#include <string>

namespace aiguillage::service {

struct Limits {
  std::size_t max_body_bytes = 8u << 20;   // 413 payload_too_large
  std::size_t max_json_depth = 32;         // 400 too_deep
  std::size_t max_batch_records = 100000;  // 413 too_many_items
  std::size_t request_timeout_ms = 30000;  // 503 request_timeout
  std::size_t max_in_flight = 1024;        // 429 overloaded
  std::size_t max_connections = 10000;     // 429 overloaded (connections open at once)
};

struct ServiceConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string packs;                 // folder searched for pack.json files (required)
  std::string keys;                  // the API keys file (required)
  std::string log_file;              // the file backend, or
  std::string db_url;                // the PostgreSQL backend
  std::size_t db_connections = 0;    // 0: one per worker thread
  std::size_t threads = 8;           // threads for requests that wait for the log (the event
                                     // loop runs on min(threads, cores) threads)
  std::string default_pack;          // pack id of /v1/orient, /v1/notice, /v1/decisions
  std::string pseudonym_key_file;    // else $AIG_PSEUDONYM_KEY
  std::string checkpoint_key;        // Ed25519 private key (PEM) signing checkpoints
  std::size_t checkpoint_every = 0;  // sign every N decisions (0: on demand only)
  std::string referential, esco, offers, scoring;  // matching (all optional)
  bool access_log = false;  // one line per request on stderr (no personal data)
  Limits limits;
};

// Reads a config file into `config` (fields absent keep their value). Throws Error.
void read_config_file(const std::string& path, ServiceConfig& config);

}  // namespace aiguillage::service
