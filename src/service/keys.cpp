#include "service/keys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <nlohmann/json.hpp>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"

namespace aiguillage::service {

namespace {

using Json = nlohmann::ordered_json;
constexpr std::string_view kSchema = "aiguillage.api_keys";

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1)
    throw Error(ErrorCode::internal, "the random generator failed");
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : buf) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string key_hash(std::string_view key) {
  return "sha256:" + to_hex(sha256(key));
}

}  // namespace

bool valid_role_name(std::string_view role) {
  if (role.empty() || role.size() > 64) return false;
  for (char c : role)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

KeyStore KeyStore::load(const std::string& path) {
  KeyStore store;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return store;
    throw Error(ErrorCode::io, "cannot open the keys file " + path + ": " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  const Json doc = Json::parse(text.str(), nullptr, false);
  auto fail = [&](const std::string& what, const std::string& pointer) {
    return Error(ErrorCode::invalid_document, "the keys file " + path + ": " + what, pointer);
  };
  if (doc.is_discarded() || !doc.is_object()) throw fail("not a JSON object", "");
  if (doc.value("schema", "") != kSchema)
    throw Error(ErrorCode::schema_mismatch,
                "the keys file " + path + " is not " + std::string(kSchema), "/schema");
  if (doc.value("schema_version", "") != "1.0")
    throw Error(ErrorCode::schema_version_too_new,
                "the keys file " + path + " has schema_version " +
                    doc.value("schema_version", std::string("?")) + "; this version reads 1.0",
                "/schema_version");
  if (!doc.contains("keys") || !doc["keys"].is_array()) throw fail("keys must be a list", "/keys");
  for (std::size_t k = 0; k < doc["keys"].size(); ++k) {
    const Json& e = doc["keys"][k];
    const std::string at = "/keys/" + std::to_string(k);
    if (!e.is_object() || !e.contains("id") || !e["id"].is_string() || !e.contains("role") ||
        !e["role"].is_string() || !e.contains("hash") || !e["hash"].is_string())
      throw fail("a key needs id, role and hash (strings)", at);
    ApiKey key{e["id"].get<std::string>(), e["role"].get<std::string>(),
               e.value("label", std::string()), e["hash"].get<std::string>(),
               e.value("revoked", false)};
    if (!valid_role_name(key.role)) throw fail("invalid role " + key.role, at + "/role");
    store.keys_.push_back(std::move(key));
  }
  return store;
}

void KeyStore::save(const std::string& path) const {
  Json doc = Json::object();
  doc["schema"] = kSchema;
  doc["schema_version"] = "1.0";
  doc["keys"] = Json::array();
  for (const ApiKey& k : keys_)
    doc["keys"].push_back({{"id", k.id},
                           {"role", k.role},
                           {"label", k.label},
                           {"hash", k.hash},
                           {"revoked", k.revoked}});
  const std::string text = doc.dump(2) + "\n";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(ErrorCode::io, "cannot write " + tmp + ": " + std::strerror(errno));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0)
    throw Error(ErrorCode::io, "cannot write the keys file " + path + ": " + std::strerror(errno));
}

std::string KeyStore::add(std::string_view role, std::string_view label) {
  if (!valid_role_name(role))
    throw Error(ErrorCode::invalid_argument,
                "a role is 1 to 64 lowercase letters, digits or underscores, not \"" +
                    std::string(role) + "\"");
  const std::string id = random_hex(6);
  const std::string key = "aig_" + id + "_" + random_hex(24);
  keys_.push_back({id, std::string(role), std::string(label), key_hash(key), false});
  return key;
}

bool KeyStore::revoke(std::string_view id) {
  for (ApiKey& k : keys_)
    if (k.id == id) {
      k.revoked = true;
      return true;
    }
  return false;
}

const ApiKey* KeyStore::find(std::string_view presented) const {
  if (presented.size() < 5 || presented.substr(0, 4) != "aig_") return nullptr;
  const std::size_t end = presented.find('_', 4);
  if (end == std::string_view::npos) return nullptr;
  const std::string_view id = presented.substr(4, end - 4);
  const std::string hash = key_hash(presented);
  for (const ApiKey& k : keys_)
    if (k.id == id && !k.revoked && k.hash.size() == hash.size() &&
        CRYPTO_memcmp(k.hash.data(), hash.data(), hash.size()) == 0)
      return &k;
  return nullptr;
}

}  // namespace aiguillage::service
