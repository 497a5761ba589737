// The binary values of a bank file's sections (little-endian, lengths before contents) and the
// numbers of its sections. Private to the library.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "matching/bank_file.hpp"

namespace aiguillage {
inline namespace v1 {
namespace detail {

// Section ids; a format version pins their meaning.
enum : std::uint32_t {
  kSectionScoring = 1,
  kSectionDocOffsets = 2,
  kSectionDocBlob = 3,
  kSectionCodes = 4,  // départements and contract types, in their numbering order
  // offers
  kSectionOfferDepartement = 10,
  kSectionOfferContractMask = 11,
  kSectionOfferLocated = 12,    // entry -> document, located part
  kSectionOfferUnlocated = 13,  // entry -> document, unlocated part
  kSectionOfferIndexLocated = 14,
  kSectionOfferIndexUnlocated = 15,
  // persons
  kSectionPersonScalars = 20,  // item count, longest entry, indexed flag
  kSectionPersonTerms = 21,    // the synthetic terms in id order
  kSectionPersonDepartement = 22,
  kSectionPersonEntryOffsets = 23,
  kSectionPersonEntryIds = 24,
  kSectionPersonEntryCodes = 25,
  kSectionPersonPostingOffsets = 26,
  kSectionPersonPostingPersons = 27,
  kSectionPersonOwnMaxKm = 28,
  kSectionPersonLatitude = 29,
  kSectionPersonLongitude = 30,
  kSectionPersonDistanceScale = 31,
  kSectionPersonOriginal = 32,  // internal number -> index of the person in the bank
};

struct Encoder {
  std::string out;
  template <class T>
  void raw(T v) {
    const auto at = out.size();
    out.resize(at + sizeof v);
    std::memcpy(out.data() + at, &v, sizeof v);
  }
  void u8(std::uint8_t v) { out.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { raw(v); }
  void u64(std::uint64_t v) { raw(v); }
  void i32(std::int32_t v) { raw(v); }
  void f64(double v) { raw(v); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out.append(s);
  }
};

// Reads what an Encoder wrote; anything out of bounds is bank_file_corrupt naming `what`.
class Decoder {
 public:
  Decoder(std::string_view bytes, const char* what)
      : p_(bytes.data()), end_(p_ + bytes.size()), what_(what) {}
  template <class T>
  T raw() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  std::uint8_t u8() { return raw<std::uint8_t>(); }
  std::uint32_t u32() { return raw<std::uint32_t>(); }
  std::uint64_t u64() { return raw<std::uint64_t>(); }
  std::int32_t i32() { return raw<std::int32_t>(); }
  double f64() { return raw<double>(); }
  bool flag() {
    const std::uint8_t v = u8();
    if (v > 1) fail("a flag is neither 0 nor 1");
    return v == 1;
  }
  template <class E>
  E enumeration(std::uint8_t max) {
    const std::uint8_t v = u8();
    if (v > max) fail("an enumerated value is out of range");
    return static_cast<E>(v);
  }
  // The next n bytes, in place.
  const char* take(std::size_t n) {
    need(n);
    const char* p = p_;
    p_ += n;
    return p;
  }
  std::string str() {
    const std::uint32_t n = u32();
    need(n);
    std::string s(p_, n);
    p_ += n;
    return s;
  }
  // A count of items each at least `min_bytes` long: bounded by what is left.
  std::size_t count(std::size_t min_bytes) {
    const std::uint32_t n = u32();
    if (min_bytes && n > static_cast<std::size_t>(end_ - p_) / min_bytes)
      fail("a count runs past the end");
    return n;
  }
  void finish() const {
    if (p_ != end_) fail("trailing bytes");
  }
  [[noreturn]] void fail(const std::string& why) const {
    bank_corrupt(std::string(what_) + ": " + why);
  }

 private:
  void need(std::size_t n) const {
    if (static_cast<std::size_t>(end_ - p_) < n) fail("truncated value");
  }
  const char* p_;
  const char* end_;
  const char* what_;
};

}  // namespace detail
}  // namespace v1
}  // namespace aiguillage
