// Reading a decision record for the report without building a document: spans of its members
// found by skipping values, and a check that a record is in canonical form; private.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

// A JSON text known to be valid (a verified log line's record, or nlohmann's own output): its
// members and items as spans, without decoding what is not asked for.
namespace json_view {

inline void skip_space(const char*& p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
}

// Bytes a scan must stop at: 1 inside a string ('"', '\\'), 2 inside a container ('"' and
// brackets).
struct ScanTable {
  unsigned char in_string[256] = {}, in_container[256] = {};
  constexpr ScanTable() {
    in_string[static_cast<unsigned char>('"')] = in_string[static_cast<unsigned char>('\\')] = 1;
    for (char c : {'"', '{', '}', '[', ']'}) in_container[static_cast<unsigned char>(c)] = 1;
  }
};
inline constexpr ScanTable kScan{};

// The first byte of [p, end) that a scan must stop at (`end` when none): 16 bytes at a time
// where SSE2 is there (every x86-64), then byte by byte.
#if defined(__SSE2__)
inline unsigned stops_in_string(__m128i v) {
  return static_cast<unsigned>(_mm_movemask_epi8(
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
}
// '"', and the brackets: '[' and ']' are '{' and '}' with bit 5 cleared.
inline unsigned stops_in_container(__m128i v) {
  const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                     _mm_or_si128(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{')),
                                                  _mm_cmpeq_epi8(folded, _mm_set1_epi8('}'))))));
}
#endif

inline const char* find_string_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    const unsigned m = stops_in_string(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if (m) return p + __builtin_ctz(m);
    p += 16;
  }
#endif
  while (p < end && !kScan.in_string[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

inline const char* find_container_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  while (end - p >= 16) {
    const unsigned m = stops_in_container(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if (m) return p + __builtin_ctz(m);
    p += 16;
  }
#endif
  while (p < end && !kScan.in_container[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

inline bool skip_string(const char*& p, const char* end) {
  ++p;  // opening quote
  for (;;) {
    p = find_string_stop(p, end);
    if (p >= end) return false;
    if (*p == '"') {
      ++p;
      return true;
    }
    p += 2;  // an escape and what it escapes
  }
}

// Past one value (and the space before it); false on a text that ends too early.
inline bool skip_value(const char*& p, const char* end) {
  skip_space(p, end);
  if (p >= end) return false;
  if (*p == '"') return skip_string(p, end);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    for (;;) {
      p = find_container_stop(p, end);
      if (p >= end) return false;
      const char c = *p;
      if (c == '"') {
        if (!skip_string(p, end)) return false;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (--depth == 0) {
        ++p;
        return true;
      }
      ++p;
    }
  }
  const char* begin = p;
  while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' &&
         *p != '\t')
    ++p;
  return p > begin;
}

// Calls visit(raw key, value span) for every member of an object; false when `text` is not an
// object. The raw key is the text between the quotes (escapes not decoded).
template <typename Visit>
bool members(std::string_view text, Visit&& visit) {
  const char* p = text.data();
  const char* end = p + text.size();
  skip_space(p, end);
  if (p >= end || *p != '{') return false;
  ++p;
  skip_space(p, end);
  if (p < end && *p == '}') return true;
  while (p < end) {
    skip_space(p, end);
    if (p >= end || *p != '"') return false;
    const char* key_begin = p + 1;
    if (!skip_string(p, end)) return false;
    const std::string_view key(key_begin, static_cast<std::size_t>(p - 1 - key_begin));
    skip_space(p, end);
    if (p >= end || *p != ':') return false;
    ++p;
    skip_space(p, end);
    const char* value_begin = p;
    if (!skip_value(p, end)) return false;
    visit(key, std::string_view(value_begin, static_cast<std::size_t>(p - value_begin)));
    skip_space(p, end);
    if (p < end && *p == ',') {
      ++p;
      continue;
    }
    return p < end && *p == '}';
  }
  return false;
}

// The value of one member, or an empty span when absent (or `text` is not an object).
inline std::string_view member(std::string_view text, std::string_view key) {
  std::string_view found;
  members(text, [&](std::string_view k, std::string_view v) {
    if (found.empty() && k == key) found = v;
  });
  return found;
}

// Calls visit(item span) for every item of an array; false when `text` is not an array.
template <typename Visit>
bool items(std::string_view text, Visit&& visit) {
  const char* p = text.data();
  const char* end = p + text.size();
  skip_space(p, end);
  if (p >= end || *p != '[') return false;
  ++p;
  skip_space(p, end);
  if (p < end && *p == ']') return true;
  while (p < end) {
    skip_space(p, end);
    const char* begin = p;
    if (!skip_value(p, end)) return false;
    visit(std::string_view(begin, static_cast<std::size_t>(p - begin)));
    skip_space(p, end);
    if (p < end && *p == ',') {
      ++p;
      continue;
    }
    return p < end && *p == ']';
  }
  return false;
}

inline bool is_string(std::string_view v) {
  return v.size() >= 2 && v.front() == '"';
}
inline bool is_object(std::string_view v) {
  return !v.empty() && v.front() == '{';
}
inline bool is_array(std::string_view v) {
  return !v.empty() && v.front() == '[';
}
inline bool is_null(std::string_view v) {
  return v == "null";
}

// The text of a string value: true when it holds no escape (then `out` views the source);
// false for an escaped string or a value that is not a string.
inline bool plain_string(std::string_view v, std::string_view& out) {
  if (!is_string(v)) return false;
  const std::string_view inner = v.substr(1, v.size() - 2);
  if (inner.find('\\') != std::string_view::npos) return false;
  out = inner;
  return true;
}

// The decoded text of a string value (escapes included); false when not a string.
bool string_value(std::string_view v, std::string& out);

// The value's text as nlohmann's dump() writes it (the report's category keys).
std::string dump(std::string_view v);

}  // namespace json_view

// True when `record` is exactly canonical_json(record): a one-pass check of the common shape
// (sorted keys, no space, integers, strings in the canonical escapes and valid UTF-8), with
// canonical_json itself deciding every other case (numbers with a fraction or an exponent,
// escaped keys, deep nesting). False for a text that is not valid JSON.
// With `top`, the record's members (raw key, value span) when the one-pass check decided; left
// empty when canonical_json had to.
using TopMembers = std::vector<std::pair<std::string_view, std::string_view>>;
bool is_canonical_record(std::string_view record, TopMembers* top = nullptr);

}  // namespace report_detail
}  // namespace v1
}  // namespace aiguillage
