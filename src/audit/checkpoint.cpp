#include "aiguillage/audit/checkpoint.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <nlohmann/json.hpp>

#include "aiguillage/audit/decision_log.hpp"
#include "aiguillage/core/error.hpp"

namespace aiguillage {
inline namespace v1 {

namespace {

using Json = nlohmann::json;

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

KeyPtr read_key(std::string_view pem, bool is_private) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw Error(ErrorCode::out_of_memory, "cannot read the key");
  KeyPtr key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                        : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519)
    throw Error(ErrorCode::invalid_argument,
                std::string("not an Ed25519 ") + (is_private ? "private" : "public") +
                    " key in PEM (openssl genpkey -algorithm ed25519)");
  return key;
}

std::string hex(const unsigned char* data, std::size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t k = 0; k < size; ++k) {
    out += digits[data[k] >> 4];
    out += digits[data[k] & 15];
  }
  return out;
}

bool unhex(std::string_view text, std::string& out) {
  if (text.size() % 2) return false;
  out.clear();
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  for (std::size_t k = 0; k < text.size(); k += 2) {
    const int hi = digit(text[k]), lo = digit(text[k + 1]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

std::string checkpoint_message(std::uint64_t seq, std::string_view hash) {
  return "aiguillage.log_checkpoint\n" + std::to_string(seq) + "\n" + std::string(hash) + "\n";
}

Checkpoint sign_checkpoint(std::string_view private_key_pem, std::uint64_t seq,
                           std::string_view hash) {
  KeyPtr key = read_key(private_key_pem, true);
  const std::string message = checkpoint_message(seq, hash);
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  unsigned char signature[64];
  std::size_t size = sizeof signature;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    throw Error(ErrorCode::internal, "Ed25519 signing failed");
  return Checkpoint{seq, std::string(hash), hex(signature, size)};
}

std::string checkpoint_public_key(std::string_view private_key_pem) {
  KeyPtr key = read_key(private_key_pem, true);
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1)
    throw Error(ErrorCode::internal, "cannot write the public key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

bool verify_checkpoint_signature(std::string_view public_key_pem, const Checkpoint& c) {
  KeyPtr key = read_key(public_key_pem, false);
  std::string signature;
  if (!unhex(c.signature, signature) || signature.size() != 64) return false;
  const std::string message = checkpoint_message(c.seq, c.hash);
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string checkpoint_to_json(const Checkpoint& c) {
  return "{\"schema\":\"aiguillage.log_checkpoint\",\"schema_version\":\"1.0\",\"seq\":" +
         std::to_string(c.seq) + ",\"hash\":\"" + c.hash + "\",\"signature\":\"" + c.signature +
         "\"}";
}

Checkpoint checkpoint_from_json(std::string_view line) {
  const Json doc = Json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() ||
      doc.value("schema", "") != "aiguillage.log_checkpoint" || !doc.contains("seq") ||
      !doc["seq"].is_number_unsigned() || !doc.contains("hash") || !doc["hash"].is_string() ||
      !doc.contains("signature") || !doc["signature"].is_string())
    throw Error(ErrorCode::invalid_document,
                "not a checkpoint line (aiguillage.log_checkpoint: seq, hash, signature)");
  return Checkpoint{doc["seq"].get<std::uint64_t>(), doc["hash"].get<std::string>(),
                    doc["signature"].get<std::string>()};
}

std::string check_checkpoints(std::string_view public_key_pem,
                              const std::vector<Checkpoint>& checkpoints,
                              const std::vector<std::string>& line_hashes) {
  for (const Checkpoint& c : checkpoints) {
    const std::string which = "checkpoint at seq " + std::to_string(c.seq);
    if (!verify_checkpoint_signature(public_key_pem, c))
      return which + ": the signature is not valid under the public key";
    if (c.seq == 0 || c.seq > line_hashes.size())
      return which + ": the log has only " + std::to_string(line_hashes.size()) +
             " lines (its tail was removed)";
    if (line_hashes[c.seq - 1] != c.hash)
      return which + ": line " + std::to_string(c.seq) +
             " no longer has the signed hash (the log was rewritten up to there)";
  }
  return {};
}

std::string checkpoints_path(const std::string& log_path) {
  return log_path + ".checkpoints";
}

void append_checkpoint_file(const std::string& log_path, const Checkpoint& c) {
  const std::string path = checkpoints_path(log_path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(ErrorCode::io, "cannot open " + path + ": " + std::strerror(errno));
  const std::string line = checkpoint_to_json(c) + "\n";
  const ssize_t n = ::write(fd, line.data(), line.size());
  const bool ok = n == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  const std::string why = std::strerror(errno);
  ::close(fd);
  if (!ok) throw Error(ErrorCode::io, "cannot write " + path + ": " + why);
}

std::vector<Checkpoint> read_checkpoint_file(const std::string& log_path) {
  std::vector<Checkpoint> out;
  std::ifstream in(checkpoints_path(log_path));
  if (!in) return out;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(checkpoint_from_json(line));
  return out;
}

std::vector<std::string> log_text_line_hashes(std::string_view text) {
  const LogVerification v = verify_log_text(text);
  if (!v.ok)
    throw Error(ErrorCode::invalid_document, "the decision log is broken at line " +
                                                 std::to_string(v.first_bad) + ": " + v.message);
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    // The layout is canonical (verified): the hash closes the line.
    constexpr std::string_view kTail = "\"}";
    const std::size_t start = line.rfind("\"hash\":\"");
    out.emplace_back(line.substr(start + 8, line.size() - kTail.size() - start - 8));
  }
  return out;
}

}  // namespace v1
}  // namespace aiguillage
