#include "report_json_view.hpp"

#include <algorithm>

#include "aiguillage/core/hash.hpp"
#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

namespace json_view {

bool string_value(std::string_view v, std::string& out) {
  std::string_view plain;
  if (plain_string(v, plain)) {
    out.assign(plain);
    return true;
  }
  if (!is_string(v)) return false;
  const auto doc = nlohmann::json::parse(v, nullptr, false);
  if (!doc.is_string()) return false;
  out = doc.get<std::string>();
  return true;
}

std::string dump(std::string_view v) {
  std::string_view plain;
  if (plain_string(v, plain)) {
    // Without escapes nlohmann writes the same bytes, unless some are not ASCII (it then
    // checks the UTF-8): those go the general way.
    bool ascii = true;
    for (char c : plain)
      if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20)
        ascii = false;
    if (ascii) return std::string(v);
  }
  if (v == "true" || v == "false" || v == "null") return std::string(v);
  const auto doc = nlohmann::json::parse(v, nullptr, false);
  if (doc.is_discarded()) return "null";
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace json_view

namespace {

struct PlainTable {
  unsigned char plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = 1;
    plain[static_cast<unsigned char>('"')] = plain[static_cast<unsigned char>('\\')] = 0;
  }
};
constexpr PlainTable kPlain{};

// The common shape of canonical JSON, checked in one pass; `unsure` is set (and false returned)
// where only canonical_json can tell.
class CanonicalCheck {
 public:
  CanonicalCheck(std::string_view text, TopMembers* top)
      : p_(text.data()), end_(p_ + text.size()), top_(top) {}

  // 1: canonical, 0: not, -1: unsure.
  int run() {
    if (!value(0)) return unsure_ ? -1 : 0;
    return p_ == end_ ? 1 : 0;
  }

 private:
  static constexpr int kMaxDepth = 64;

  bool give_up() {
    unsure_ = true;
    return false;
  }

  static bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

  // a < b byte by byte, as std::string orders the keys of a document (short keys: no memcmp).
  static bool before(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t k = 0; k < n; ++k)
      if (a[k] != b[k]) return static_cast<unsigned char>(a[k]) < static_cast<unsigned char>(b[k]);
    return a.size() < b.size();
  }

  // A string in canonical_json's escapes, valid UTF-8; sets `escaped` when it holds an escape.
  bool string(bool& escaped) {
    ++p_;
    escaped = false;
    while (p_ < end_) {
      // Plain ASCII runs first: only quotes, escapes, controls and other bytes need a look.
#if defined(__SSE2__)
      // 16 bytes at a time: a byte below 0x20 or from 0x80 is below 0x20 as a signed byte.
      while (end_ - p_ >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
        const auto m = static_cast<unsigned>(
            _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                           _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))))));
        if (m) {
          p_ += __builtin_ctz(m);
          break;
        }
        p_ += 16;
      }
#endif
      while (p_ < end_ && kPlain.plain[static_cast<unsigned char>(*p_)]) ++p_;
      if (p_ >= end_) break;
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        escaped = true;
        if (end_ - p_ < 2) return false;
        const char e = p_[1];
        if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          p_ += 2;
          continue;
        }
        // \u00XY only for the other control characters, in lowercase hex.
        if (e != 'u' || end_ - p_ < 6) return give_up();
        const std::string_view hex(p_ + 2, 4);
        auto digit = [](char h) {
          return h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : -1;
        };
        if (hex[0] != '0' || hex[1] != '0' || digit(hex[2]) < 0 || digit(hex[3]) < 0 ||
            digit(hex[2]) > 1)
          return give_up();
        const int code = digit(hex[2]) * 16 + digit(hex[3]);
        if (code == '\b' || code == '\f' || code == '\n' || code == '\r' || code == '\t')
          return false;
        p_ += 6;
        continue;
      }
      if (c < 0x80) {
        ++p_;
        continue;
      }
      // UTF-8, as strict as nlohmann's reader: no overlong form, no surrogate, ≤ U+10FFFF.
      std::size_t n = 0;
      unsigned char lo = 0x80, hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
      } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
      } else {
        return give_up();
      }
      if (static_cast<std::size_t>(end_ - p_) <= n) return give_up();
      const auto c1 = static_cast<unsigned char>(p_[1]);
      if (c1 < lo || c1 > hi) return give_up();
      for (std::size_t k = 2; k <= n; ++k)
        if (!continuation(static_cast<unsigned char>(p_[k]))) return give_up();
      p_ += n + 1;
    }
    return false;
  }

  bool number() {
    const char* begin = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
      if (p_ - begin == 2) return give_up();  // -0 is written 0
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return false;
    }
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return give_up();
    if (p_ - begin > 18) return give_up();  // how wide it is: canonical_json decides
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  bool value(int depth) {
    if (p_ == end_) return false;
    if (depth > kMaxDepth) return give_up();
    switch (*p_) {
      case '{': {
        ++p_;
        if (p_ < end_ && *p_ == '}') {
          ++p_;
          return true;
        }
        std::string_view previous;
        bool first = true;
        while (true) {
          if (p_ == end_ || *p_ != '"') return false;
          const char* key_begin = p_ + 1;
          bool escaped = false;
          if (!string(escaped)) return false;
          if (escaped) return give_up();  // the order of decoded keys: canonical_json decides
          const std::string_view key(key_begin, static_cast<std::size_t>(p_ - 1 - key_begin));
          if (!first && !before(previous, key)) return give_up();  // unsorted or repeated
          previous = key;
          first = false;
          if (p_ == end_ || *p_ != ':') return false;
          ++p_;
          const char* value_begin = p_;
          if (!value(depth + 1)) return false;
          if (depth == 0 && top_)
            top_->emplace_back(
                key, std::string_view(value_begin, static_cast<std::size_t>(p_ - value_begin)));
          if (p_ == end_) return false;
          if (*p_ == ',') {
            ++p_;
            continue;
          }
          if (*p_ != '}') return false;
          ++p_;
          return true;
        }
      }
      case '[': {
        ++p_;
        if (p_ < end_ && *p_ == ']') {
          ++p_;
          return true;
        }
        while (true) {
          if (!value(depth + 1)) return false;
          if (p_ == end_) return false;
          if (*p_ == ',') {
            ++p_;
            continue;
          }
          if (*p_ != ']') return false;
          ++p_;
          return true;
        }
      }
      case '"': {
        bool escaped = false;
        return string(escaped);
      }
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return number();
        return give_up();  // space, or a byte no JSON starts with: let the parser say
    }
  }

  const char* p_;
  const char* end_;
  TopMembers* top_;
  bool unsure_ = false;
};

}  // namespace

bool is_canonical_record(std::string_view record, TopMembers* top) {
  if (top) top->clear();
  const int fast = CanonicalCheck(record, top).run();
  if (fast == 1) return true;
  if (top) top->clear();
  // Anything the one-pass check is not sure of, and any defect, is judged the long way.
  // A log line nests one level deeper than its record.
  if (detail::find_too_deep(record, detail::kMaxJsonDepth - 1) != std::string_view::npos)
    return false;
  try {
    return canonical_json(record) == record;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
