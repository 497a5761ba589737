#include <zlib.h>

#include <cstring>
#include <limits>

#include "aiguillage/core/error.hpp"
#include "matching/zip.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {
namespace {

constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kLocalHeader = 0x04034b50;
// Members larger than this are refused rather than inflated: the referential files are tens
// of megabytes at most, and a forged size must not make us allocate gigabytes.
constexpr std::uint64_t kMaxMemberSize = std::uint64_t{1} << 31;

std::uint16_t u16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    (static_cast<unsigned char>(b[at + 1]) << 8));
}
std::uint32_t u32(const std::string& b, std::size_t at) {
  return static_cast<std::uint32_t>(u16(b, at)) |
         (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
}

}  // namespace

void ZipArchive::fail(const std::string& message) const {
  throw Error(ErrorCode::referential_format, name_ + ": " + message);
}

ZipArchive::ZipArchive(std::string bytes, std::string archive_name)
    : bytes_(std::move(bytes)), name_(std::move(archive_name)) {
  const std::size_t n = bytes_.size();
  if (n < 22) fail("not a zip archive (too short)");
  // The end record sits in the last 22 + 65535 bytes (its comment is at most 65535 bytes).
  std::size_t lowest = n > 22 + 65535 ? n - 22 - 65535 : 0;
  std::size_t eocd = std::string::npos;
  for (std::size_t at = n - 22 + 1; at-- > lowest;) {
    if (u32(bytes_, at) == kEndOfCentralDirectory) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::string::npos) fail("not a zip archive (no end of central directory)");
  std::uint16_t count = u16(bytes_, eocd + 10);
  std::uint32_t cd_size = u32(bytes_, eocd + 12);
  std::uint32_t cd_offset = u32(bytes_, eocd + 16);
  if (cd_offset == 0xFFFFFFFFu || count == 0xFFFF) fail("zip64 archives are not supported");
  if (std::uint64_t{cd_offset} + cd_size > eocd) fail("central directory outside the archive");
  std::size_t at = cd_offset;
  entries_.reserve(count);
  for (std::uint16_t i = 0; i < count; ++i) {
    if (at + 46 > eocd || u32(bytes_, at) != kCentralHeader)
      fail("corrupt central directory at entry " + std::to_string(i));
    ZipEntry e;
    e.method = u16(bytes_, at + 10);
    e.crc32 = u32(bytes_, at + 16);
    e.compressed_size = u32(bytes_, at + 20);
    e.size = u32(bytes_, at + 24);
    std::size_t name_len = u16(bytes_, at + 28);
    std::size_t extra_len = u16(bytes_, at + 30);
    std::size_t comment_len = u16(bytes_, at + 32);
    e.local_header_offset = u32(bytes_, at + 42);
    if (at + 46 + name_len + extra_len + comment_len > eocd)
      fail("corrupt central directory at entry " + std::to_string(i));
    e.name.assign(bytes_, at + 46, name_len);
    at += 46 + name_len + extra_len + comment_len;
    entries_.push_back(std::move(e));
  }
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  for (const auto& e : entries_) {
    std::string_view n = e.name;
    if (n == name) return &e;
    if (n.size() > name.size() && n.substr(n.size() - name.size()) == name &&
        n[n.size() - name.size() - 1] == '/')
      return &e;
  }
  return nullptr;
}

std::string ZipArchive::extract(const ZipEntry& e) const {
  const std::string where = " (member " + e.name + ")";
  std::uint64_t at = e.local_header_offset;
  if (at + 30 > bytes_.size() || u32(bytes_, at) != kLocalHeader) fail("bad local header" + where);
  std::uint64_t data = at + 30 + u16(bytes_, at + 26) + u16(bytes_, at + 28);
  if (data + e.compressed_size > bytes_.size()) fail("member data past the end" + where);
  if (e.size > kMaxMemberSize) fail("member too large" + where);
  std::string out;
  if (e.method == 0) {
    if (e.compressed_size != e.size) fail("stored member with differing sizes" + where);
    out.assign(bytes_, data, e.size);
  } else if (e.method == 8) {
    out.resize(e.size);
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    // Negative window bits: a raw deflate stream, as zip stores it (no zlib header).
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) fail("cannot initialise zlib" + where);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes_.data() + data));
    zs.avail_in = static_cast<uInt>(e.compressed_size);
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&zs, Z_FINISH);
    std::uint64_t produced = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END)
      fail(std::string("corrupt deflate stream (") +
           (rc == Z_BUF_ERROR ? "size mismatch" : "data error") + ")" + where);
    if (produced != e.size) fail("uncompressed size mismatch" + where);
  } else {
    fail("unsupported compression method " + std::to_string(e.method) + where);
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
  if (static_cast<std::uint32_t>(crc) != e.crc32) fail("CRC-32 mismatch" + where);
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
