// Values: a small, trivially copyable view (16 bytes). Strings and lists point into storage
// owned elsewhere (a Record, a Batch, a Pack's constants or an evaluation Arena), so the hot
// loop copies values without allocating.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/date.hpp"
#include "aiguillage/core/decimal.hpp"

namespace aiguillage {
inline namespace v1 {

enum class Type : std::uint8_t { null, boolean, integer, decimal, string, date, list };

AIG_API std::string_view type_name(Type type) noexcept;

class AIG_API Value {
 public:
  constexpr Value() : i_(0) {}

  static constexpr Value null() { return Value(); }
  static Value boolean(bool b) {
    Value v(Type::boolean);
    v.b_ = b;
    return v;
  }
  static Value integer(std::int64_t i) {
    Value v(Type::integer);
    v.i_ = i;
    return v;
  }
  static Value decimal(Decimal d) {
    Value v(Type::decimal);
    v.i_ = d.units;
    return v;
  }
  static Value date(Date d) {
    Value v(Type::date);
    v.i_ = d.days;
    return v;
  }
  // The bytes must outlive the value.
  static Value string(std::string_view s) {
    Value v(Type::string);
    v.size_ = static_cast<std::uint32_t>(s.size());
    v.s_ = s.data();
    return v;
  }
  // The items must outlive the value.
  static Value list(const Value* items, std::size_t n) {
    Value v(Type::list);
    v.size_ = static_cast<std::uint32_t>(n);
    v.l_ = items;
    return v;
  }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }
  bool is_number() const { return type_ == Type::integer || type_ == Type::decimal; }

  bool as_bool() const { return b_; }
  std::int64_t as_int() const { return i_; }
  Decimal as_decimal() const {
    return type_ == Type::integer ? Decimal{i_ * Decimal::kOne} : Decimal{i_};
  }
  Date as_date() const { return Date{static_cast<std::int32_t>(i_)}; }
  std::string_view as_string() const { return {s_, size_}; }
  const Value* list_data() const { return l_; }
  std::size_t list_size() const { return size_; }
  const Value& operator[](std::size_t k) const { return l_[k]; }

  // Structural equality; integer 2 equals decimal 2.0; null equals only null.
  friend bool operator==(const Value& a, const Value& b);

  // JSON text of the value: numbers exact, dates as "YYYY-MM-DD" strings.
  std::string to_json() const;
  // Appends the JSON text of the value to `out` (no temporary strings).
  void append_json(std::string& out) const;
  // Short readable form for traces and messages: strings quoted, dates bare.
  std::string to_display() const;

 private:
  explicit constexpr Value(Type t) : type_(t), i_(0) {}
  Type type_ = Type::null;
  std::uint32_t size_ = 0;
  union {
    bool b_;
    std::int64_t i_;  // integer, decimal units, date days
    const char* s_;
    const Value* l_;
  };
};

// Compares two numbers exactly (integers against decimals without overflow): -1, 0, 1.
AIG_API int compare_numbers(const Value& a, const Value& b);

// Equality of two texts, inline: enum values and codes are short, and interned values share
// their address, so this beats a call to memcmp in the hot loops.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.data() == b.data()) return true;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// Bump allocator with stable addresses; reset() keeps its first block so a loop that resets it
// per record stops allocating after warm-up.
class AIG_API Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  Arena(Arena&&) = default;
  Arena& operator=(Arena&&) = default;

  void* allocate(std::size_t bytes, std::size_t align = alignof(std::max_align_t));
  Value* allocate_values(std::size_t n) {
    return static_cast<Value*>(allocate(n * sizeof(Value), alignof(Value)));
  }
  std::string_view copy(std::string_view s);
  Value copy_string(std::string_view s) { return Value::string(copy(s)); }
  void reset();

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    std::size_t size;
  };
  std::vector<Block> blocks_;
  std::size_t current_ = 0;  // index of the block in use
  std::size_t used_ = 0;     // bytes used in it
};

}  // namespace v1
}  // namespace aiguillage
