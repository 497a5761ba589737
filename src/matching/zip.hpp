// Reading members of a zip archive held in memory (central directory, stored or deflated
// entries, CRC-32 checked); private to the library. Used for the ESCO downloads as published.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aiguillage {
inline namespace v1 {
namespace detail {

struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;  // 0 stored, 8 deflated
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint64_t local_header_offset = 0;
};

// Any structural fault (no end record, an entry past the end, a bad signature, an unsupported
// method, a CRC or size mismatch, a corrupt deflate stream) is Error(referential_format)
// naming the archive and, where it applies, the member.
class ZipArchive {
 public:
  ZipArchive(std::string bytes, std::string archive_name);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The entry whose name is `name` or ends with "/" + name; nullptr when absent.
  const ZipEntry* find(std::string_view name) const;
  // The uncompressed contents of one entry.
  std::string extract(const ZipEntry& entry) const;

 private:
  [[noreturn]] void fail(const std::string& message) const;

  std::string bytes_;
  std::string name_;
  std::vector<ZipEntry> entries_;
};

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
