#include "aiguillage/core/value.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include "core/json_text.hpp"

namespace aiguillage {
inline namespace v1 {

std::string_view type_name(Type type) noexcept {
  switch (type) {
    case Type::null:
      return "null";
    case Type::boolean:
      return "bool";
    case Type::integer:
      return "integer";
    case Type::decimal:
      return "decimal";
    case Type::string:
      return "string";
    case Type::date:
      return "date";
    case Type::list:
      return "list";
  }
  return "unknown";
}

namespace {
__extension__ typedef __int128 Wide;  // integers scaled to decimal units do not fit 64 bits
}  // namespace

int compare_numbers(const Value& a, const Value& b) {
  Wide x = a.type() == Type::integer ? static_cast<Wide>(a.as_int()) * Decimal::kOne
                                     : static_cast<Wide>(a.as_int());
  Wide y = b.type() == Type::integer ? static_cast<Wide>(b.as_int()) * Decimal::kOne
                                     : static_cast<Wide>(b.as_int());
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case Type::null:
      return true;
    case Type::boolean:
      return a.b_ == b.b_;
    case Type::integer:
    case Type::decimal:
    case Type::date:
      return a.i_ == b.i_;
    case Type::string:
      return same_text(a.as_string(), b.as_string());
    case Type::list:
      if (a.size_ != b.size_) return false;
      for (std::uint32_t k = 0; k < a.size_; ++k)
        if (!(a.l_[k] == b.l_[k])) return false;
      return true;
  }
  return false;
}

namespace {
// True when one of the 8 bytes of `w` needs an escape: a quote, a backslash or a control byte.
inline bool needs_escape(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto zero_byte = [&](std::uint64_t x) { return (x - ones) & ~x & highs; };
  const std::uint64_t control = (w - ones * 0x20) & ~w & highs;  // a byte below 0x20
  return (zero_byte(w ^ (ones * '"')) | zero_byte(w ^ (ones * '\\')) | control) != 0;
}

}  // namespace

namespace detail {

void append_json_string(std::string& out, std::string_view s) {
  // Most texts (names, codes, dates) need no escape: checked 8 bytes at a time, copied at once.
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (needs_escape(w)) break;
  }
  if (i + 8 > s.size()) {
    bool plain = true;
    for (std::size_t j = i; j < s.size(); ++j) {
      const auto c = static_cast<unsigned char>(s[j]);
      plain &= c >= 0x20 && c != '"' && c != '\\';
    }
    if (plain) {
      if (s.size() <= 30) {  // names and codes: one append
        char buffer[32];
        buffer[0] = '"';
        std::memcpy(buffer + 1, s.data(), s.size());
        buffer[s.size() + 1] = '"';
        out.append(buffer, s.size() + 2);
        return;
      }
      out += '"';
      out.append(s.data(), s.size());
      out += '"';
      return;
    }
  }
  out += '"';
  std::size_t run = 0;  // start of the pending run of characters that need no escape
  for (i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default: {
        static const char* hex = "0123456789abcdef";
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace detail

std::string Value::to_json() const {
  std::string out;
  append_json(out);
  return out;
}

void Value::append_json(std::string& out) const {
  switch (type_) {
    case Type::null:
      out += "null";
      return;
    case Type::boolean:
      out += b_ ? "true" : "false";
      return;
    case Type::integer: {
      char buffer[24];
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, i_).ptr;
      out.append(buffer, static_cast<std::size_t>(end - buffer));
      return;
    }
    case Type::decimal:
      Decimal{i_}.append_to(out);
      return;
    case Type::date: {
      int year = 0, month = 0, day = 0;
      as_date().to_ymd(year, month, day);
      char buffer[32];
      if (year < 0 || year > 9999) {  // outside the usual calendar: the general formatter
        const int n = std::snprintf(buffer, sizeof buffer, "\"%04d-%02d-%02d\"", year, month, day);
        out.append(buffer, static_cast<std::size_t>(n));
        return;
      }
      const char text[12] = {'"',
                             static_cast<char>('0' + year / 1000),
                             static_cast<char>('0' + year / 100 % 10),
                             static_cast<char>('0' + year / 10 % 10),
                             static_cast<char>('0' + year % 10),
                             '-',
                             static_cast<char>('0' + month / 10),
                             static_cast<char>('0' + month % 10),
                             '-',
                             static_cast<char>('0' + day / 10),
                             static_cast<char>('0' + day % 10),
                             '"'};
      out.append(text, sizeof text);
      return;
    }
    case Type::string:
      detail::append_json_string(out, as_string());
      return;
    case Type::list:
      out += '[';
      for (std::uint32_t k = 0; k < size_; ++k) {
        if (k) out += ',';
        l_[k].append_json(out);
      }
      out += ']';
      return;
  }
  out += "null";
}

std::string Value::to_display() const {
  if (type_ == Type::date) return as_date().to_string();
  if (type_ == Type::list) {
    std::string out = "[";
    for (std::uint32_t k = 0; k < size_; ++k) {
      if (k) out += ", ";
      out += l_[k].to_display();
    }
    return out + "]";
  }
  return to_json();
}

void* Arena::allocate(std::size_t bytes, std::size_t align) {
  if (bytes == 0) bytes = 1;
  while (current_ < blocks_.size()) {
    Block& b = blocks_[current_];
    std::size_t start = (used_ + align - 1) & ~(align - 1);
    if (start + bytes <= b.size) {
      used_ = start + bytes;
      return b.data.get() + start;
    }
    ++current_;
    used_ = 0;
  }
  std::size_t size =
      std::max<std::size_t>(bytes + align, blocks_.empty() ? 4096 : blocks_.back().size * 2);
  blocks_.push_back(Block{std::make_unique<char[]>(size), size});
  current_ = blocks_.size() - 1;
  char* base = blocks_.back().data.get();
  std::size_t start = (reinterpret_cast<std::uintptr_t>(base) % align)
                          ? align - reinterpret_cast<std::uintptr_t>(base) % align
                          : 0;
  used_ = start + bytes;
  return base + start;
}

std::string_view Arena::copy(std::string_view s) {
  char* p = static_cast<char*>(allocate(s.size(), 1));
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

void Arena::reset() {
  current_ = 0;
  used_ = 0;
}

}  // namespace v1
}  // namespace aiguillage
