#include "service/config.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"

namespace aiguillage::service {

namespace {

using Json = nlohmann::json;

void take(const Json& doc, const char* name, std::string& out, const std::string& at) {
  if (!doc.contains(name)) return;
  if (!doc[name].is_string())
    throw Error(ErrorCode::type_mismatch, std::string(name) + " must be a string", at + name);
  out = doc[name].get<std::string>();
}

void take(const Json& doc, const char* name, std::size_t& out, const std::string& at) {
  if (!doc.contains(name)) return;
  if (!doc[name].is_number_unsigned())
    throw Error(ErrorCode::type_mismatch, std::string(name) + " must be a whole number >= 0",
                at + name);
  out = doc[name].get<std::size_t>();
}

}  // namespace

void read_config_file(const std::string& path, ServiceConfig& c) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::io, "cannot open the config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  const Json doc = Json::parse(text.str(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw Error(ErrorCode::json_syntax, "the config file " + path + " is not a JSON object");
  if (doc.value("schema", "") != "aiguillage.service_config")
    throw Error(ErrorCode::schema_mismatch,
                "the config file " + path + " is not aiguillage.service_config", "/schema");
  static const char* known[] = {"schema",
                                "schema_version",
                                "host",
                                "port",
                                "packs",
                                "keys",
                                "log",
                                "db",
                                "db_connections",
                                "threads",
                                "default_pack",
                                "pseudonym_key_file",
                                "checkpoint_key",
                                "checkpoint_every",
                                "referential",
                                "esco",
                                "offers",
                                "scoring",
                                "access_log",
                                "limits"};
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    bool ok = false;
    for (const char* k : known) ok = ok || it.key() == k;
    if (!ok)
      throw Error(ErrorCode::unknown_field, "unknown setting " + it.key() + " in " + path,
                  "/" + it.key());
  }
  take(doc, "host", c.host, "/");
  std::size_t port = static_cast<std::size_t>(c.port);
  take(doc, "port", port, "/");
  if (port > 65535) throw Error(ErrorCode::out_of_bounds, "port must be 0..65535", "/port");
  c.port = static_cast<int>(port);
  take(doc, "packs", c.packs, "/");
  take(doc, "keys", c.keys, "/");
  take(doc, "log", c.log_file, "/");
  take(doc, "db", c.db_url, "/");
  take(doc, "db_connections", c.db_connections, "/");
  take(doc, "threads", c.threads, "/");
  take(doc, "default_pack", c.default_pack, "/");
  take(doc, "pseudonym_key_file", c.pseudonym_key_file, "/");
  take(doc, "checkpoint_key", c.checkpoint_key, "/");
  take(doc, "checkpoint_every", c.checkpoint_every, "/");
  take(doc, "referential", c.referential, "/");
  take(doc, "esco", c.esco, "/");
  take(doc, "offers", c.offers, "/");
  take(doc, "scoring", c.scoring, "/");
  if (doc.contains("access_log")) {
    if (!doc["access_log"].is_boolean())
      throw Error(ErrorCode::type_mismatch, "access_log must be true or false", "/access_log");
    c.access_log = doc["access_log"].get<bool>();
  }
  if (doc.contains("limits")) {
    const Json& l = doc["limits"];
    if (!l.is_object())
      throw Error(ErrorCode::type_mismatch, "limits must be an object", "/limits");
    take(l, "max_body_bytes", c.limits.max_body_bytes, "/limits/");
    take(l, "max_json_depth", c.limits.max_json_depth, "/limits/");
    take(l, "max_batch_records", c.limits.max_batch_records, "/limits/");
    take(l, "request_timeout_ms", c.limits.request_timeout_ms, "/limits/");
    take(l, "max_in_flight", c.limits.max_in_flight, "/limits/");
    take(l, "max_connections", c.limits.max_connections, "/limits/");
  }
}

}  // namespace aiguillage::service
