// Content hashing: SHA-256 (OpenSSL libcrypto) and the canonical form of JSON documents.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include "aiguillage/core/export.hpp"

namespace aiguillage {
inline namespace v1 {

using Sha256 = std::array<std::uint8_t, 32>;

AIG_API Sha256 sha256(std::string_view bytes);
AIG_API std::string to_hex(const Sha256& digest);  // lowercase, 64 characters

// Canonical form of a JSON text: object keys sorted by their UTF-8 bytes, no insignificant
// whitespace, strings re-escaped minimally, numbers written back from their source text in a
// normalised form (integers as integers; other numbers as the shortest round-trip form).
// Two documents that differ only in key order or whitespace have the same canonical form.
// Throws aiguillage::Error(json_syntax) on malformed input.
AIG_API std::string canonical_json(std::string_view json_text);

// "sha256:" + hex of sha256(canonical_json(json_text)).
AIG_API std::string document_hash(std::string_view json_text);

}  // namespace v1
}  // namespace aiguillage
