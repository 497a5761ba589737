// API keys of the service: each key has one role and is stored only as its SHA-256 hash, in a
// keys file (document aiguillage.api_keys 1.0). A key reads "aig_<id>_<secret>": the id finds the
// entry, the hash of the whole key proves it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiguillage::service {

inline constexpr std::string_view kRoleAdmin = "admin";
inline constexpr std::string_view kRoleAuditor = "auditor";

struct ApiKey {
  std::string id;
  std::string role;
  std::string label;
  std::string hash;  // "sha256:<hex of the whole key>"
  bool revoked = false;
};

class KeyStore {
 public:
  // Reads the keys file; a file that does not exist is an empty store. Throws Error.
  static KeyStore load(const std::string& path);
  // Writes atomically (a temporary file renamed over it), mode 0600.
  void save(const std::string& path) const;

  // Adds a key for `role` and returns the key's text: shown once, never stored.
  std::string add(std::string_view role, std::string_view label);
  bool revoke(std::string_view id);  // false when no such key
  // The active key whose hash matches, or nullptr.
  const ApiKey* find(std::string_view presented) const;
  const std::vector<ApiKey>& keys() const { return keys_; }

 private:
  std::vector<ApiKey> keys_;
};

// A role name: lowercase letters, digits and underscores, 1 to 64 characters.
bool valid_role_name(std::string_view role);

}  // namespace aiguillage::service
