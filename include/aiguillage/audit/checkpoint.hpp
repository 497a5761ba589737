// Signed checkpoints of a decision log: an Ed25519 signature over (seq, hash of line seq). A
// hash chain alone detects an edited line, but not a tail rewritten consistently (every hash
// recomputed); a signature by a key the rewriter does not hold does.
//
// Each checkpoint is one JSON line (document aiguillage.log_checkpoint 1.0):
//   {"schema":"aiguillage.log_checkpoint","schema_version":"1.0","seq":N,
//    "hash":"sha256:...","signature":"<hex>"}
// The file backend keeps them in LOG.checkpoints; the PostgreSQL backend in a table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aiguillage {
inline namespace v1 {

struct Checkpoint {
  std::uint64_t seq = 0;
  std::string hash;       // "sha256:..." of line seq
  std::string signature;  // hex of the Ed25519 signature of checkpoint_message(seq, hash)
};

// The bytes signed: "aiguillage.log_checkpoint\n<seq>\n<hash>\n".
std::string checkpoint_message(std::uint64_t seq, std::string_view hash);

// Signs with an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519). Throws
// Error(invalid_argument) for a key that is not an Ed25519 private key.
Checkpoint sign_checkpoint(std::string_view private_key_pem, std::uint64_t seq,
                           std::string_view hash);
// The public key in PEM of a private key in PEM.
std::string checkpoint_public_key(std::string_view private_key_pem);
// True when the signature is valid under the public key (PEM).
bool verify_checkpoint_signature(std::string_view public_key_pem, const Checkpoint& c);

std::string checkpoint_to_json(const Checkpoint& c);  // one line, no end of line
// Throws Error(invalid_document) for a malformed line.
Checkpoint checkpoint_from_json(std::string_view line);

// Checks every checkpoint against the log: a valid signature, and the log's line seq has that
// hash. `line_hashes[k]` is the hash of line k+1. Returns "" when all hold, else the reason for
// the first that does not.
std::string check_checkpoints(std::string_view public_key_pem,
                              const std::vector<Checkpoint>& checkpoints,
                              const std::vector<std::string>& line_hashes);

// The file backend's checkpoints: LOG + ".checkpoints", one JSON line each, appended and synced.
std::string checkpoints_path(const std::string& log_path);
void append_checkpoint_file(const std::string& log_path, const Checkpoint& c);
std::vector<Checkpoint> read_checkpoint_file(const std::string& log_path);  // none: empty

// Hashes of every line of a verified log text (throws Error(invalid_document) when broken).
std::vector<std::string> log_text_line_hashes(std::string_view text);

}  // namespace v1
}  // namespace aiguillage
