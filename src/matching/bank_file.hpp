// The file a bank is saved to (docs/matching.md, "Bank files"). Private to the library.
//
// Layout, little-endian:
//   header (kHeaderBytes): magic "AIGBANK\x1a", format version, bank kind, file size, document
//     count, section count, the referential's fingerprint, the scoring configuration's hash,
//     and the SHA-256 of the whole file with this field zeroed;
//   section table: per section its id, offset and size;
//   sections, each starting at a multiple of 64 bytes, so that arrays of plain numbers are
//   read in place from the mapped file.
// A reader checks, in this order: size and magic (bank_file_corrupt), format version and kind
// (cache_stale), the checksum (bank_file_corrupt), the referential and configuration
// (cache_stale); then every section it reads is checked against the bounds it must respect.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/hash.hpp"
#include "aiguillage/matching/offer.hpp"
#include "aiguillage/matching/profile.hpp"
#include "aiguillage/matching/referential.hpp"
#include "aiguillage/matching/scoring.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

inline constexpr char kBankMagic[8] = {'A', 'I', 'G', 'B', 'A', 'N', 'K', '\x1a'};
inline constexpr std::uint32_t kBankFormatVersion = 1;
inline constexpr std::size_t kBankHeaderBytes = 144;
inline constexpr std::size_t kBankSectionAlign = 64;
inline constexpr std::uint32_t kMaxBankSections = 64;

enum class BankKind : std::uint32_t { offers = 1, persons = 2 };

// A fingerprint of what a bank's ids and credits depend on: the codes of items, occupations
// and appellations in id order, the fiches' links and the mobility edges.
Sha256 referential_fingerprint(const Referential& referential);
// A canonical binary form of a scoring configuration (kept in the file), and its hash.
std::string encode_scoring(const ScoringConfig& config);
ScoringConfig decode_scoring(std::string_view bytes);

// Documents as sections: offsets (n + 1, uint64) and one blob; decoded in parallel.
void encode_offers(const std::vector<Offer>& offers, std::vector<std::uint64_t>& offsets,
                   std::string& blob);
void encode_profiles(const std::vector<Profile>& profiles, std::vector<std::uint64_t>& offsets,
                     std::string& blob);
std::vector<Offer> decode_offers(std::span<const std::uint64_t> offsets, std::string_view blob,
                                 const Referential& referential, std::size_t threads);
std::vector<Profile> decode_profiles(std::span<const std::uint64_t> offsets, std::string_view blob,
                                     const Referential& referential, std::size_t threads);

[[noreturn]] void bank_corrupt(const std::string& what);

// Sections to write, in order; the bytes must stay alive until write_bank_file returns.
class BankFileWriter {
 public:
  BankFileWriter(BankKind kind, std::uint64_t documents, const Referential& referential,
                 const ScoringConfig& config);
  void add(std::uint32_t id, std::span<const std::byte> bytes);
  template <class T>
  void add_array(std::uint32_t id, std::span<const T> values) {
    static_assert(std::is_trivially_copyable_v<T>);
    add(id, std::as_bytes(values));
  }
  void add_string(std::uint32_t id, const std::string& s) {
    add(id, std::as_bytes(std::span<const char>(s.data(), s.size())));
  }
  void write(const std::string& path) const;

 private:
  struct Section {
    std::uint32_t id;
    std::span<const std::byte> bytes;
  };
  BankKind kind_;
  std::uint64_t documents_;
  Sha256 referential_;
  std::string scoring_;
  std::vector<Section> sections_;
};

// A bank file, mapped read-only (or held in memory), its header checked.
class BankFileReader {
 public:
  static std::shared_ptr<const BankFileReader> open(const std::string& path);
  static std::shared_ptr<const BankFileReader> from_bytes(std::string_view bytes);
  ~BankFileReader();
  BankFileReader(const BankFileReader&) = delete;
  BankFileReader& operator=(const BankFileReader&) = delete;

  // Checks kind, referential and checksum; returns the configuration it holds.
  ScoringConfig check(BankKind kind, const Referential& referential) const;
  std::uint64_t documents() const noexcept { return documents_; }

  std::span<const std::byte> section(std::uint32_t id) const;
  std::string_view text(std::uint32_t id) const {
    auto b = section(id);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
  // A section read as `count` values of T (count = 0: any whole number of them).
  template <class T>
  std::span<const T> array(std::uint32_t id, std::size_t count, const char* what) const {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto b = section(id);
    if (b.size() % sizeof(T) != 0 || (count != 0 && b.size() / sizeof(T) != count) ||
        reinterpret_cast<std::uintptr_t>(b.data()) % alignof(T) != 0)
      bank_corrupt(std::string("section ") + what + " has the wrong size");
    return {reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
  }
  std::string_view path() const noexcept { return path_; }

 private:
  BankFileReader() = default;
  void parse();
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  void* map_ = nullptr;  // munmap on destruction
  std::string owned_;
  std::string path_;
  std::uint32_t kind_ = 0;
  std::uint64_t documents_ = 0;
  struct Entry {
    std::uint32_t id;
    std::uint64_t offset, size;
  };
  std::vector<Entry> table_;
};

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
