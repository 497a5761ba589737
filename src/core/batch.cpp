#include "aiguillage/core/batch.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <string>

namespace aiguillage {
inline namespace v1 {

Batch::Batch(const InputSchema& schema, std::size_t rows)
    : schema_(&schema), rows_(rows), columns_(schema.size()) {
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    Column& col = columns_[c];
    col.data.assign(rows, 0);
    col.present.assign(rows, 0);
    FieldType t = schema.field(c).type;
    if (t == FieldType::string || t == FieldType::list) col.other.assign(rows, Value::null());
  }
}

Batch::~Batch() = default;
Batch::Batch(Batch&&) noexcept = default;
Batch& Batch::operator=(Batch&&) noexcept = default;

void Batch::check(std::size_t col, std::size_t row, const Value& v) const {
  if (col >= columns_.size() || row >= rows_)
    throw Error(ErrorCode::invalid_argument, "batch cell out of range",
                "/" + std::to_string(row) + "/" + std::to_string(col));
  // The pointer is built only for an error: setting a cell must stay cheap.
  if (auto e = schema_->check_value(col, v, std::string()))
    throw Error(e->code(), e->message(),
                "/" + std::to_string(row) + "/" + json_pointer_token(schema_->field(col).name));
}

void Batch::set_null(std::size_t col, std::size_t row) {
  check(col, row, Value::null());
  columns_[col].present[row] = 0;
}
void Batch::set_bool(std::size_t col, std::size_t row, bool v) {
  set(col, row, Value::boolean(v));
}
void Batch::set_int(std::size_t col, std::size_t row, std::int64_t v) {
  set(col, row, Value::integer(v));
}
void Batch::set_decimal(std::size_t col, std::size_t row, Decimal v) {
  set(col, row, Value::decimal(v));
}
void Batch::set_date(std::size_t col, std::size_t row, Date v) {
  set(col, row, Value::date(v));
}
void Batch::set_enum(std::size_t col, std::size_t row, std::string_view v) {
  set(col, row, Value::string(v));
}
void Batch::set_string(std::size_t col, std::size_t row, std::string_view v) {
  set(col, row, Value::string(v));
}

void Batch::set_enum_code(std::size_t col, std::size_t row, int code) {
  const FieldSpec& f = schema_->field(col);
  if (f.type != FieldType::enumeration || code < 0 || code >= static_cast<int>(f.values.size()))
    throw Error(ErrorCode::enum_value,
                "enum code " + std::to_string(code) + " is out of range for " + f.name,
                "/" + std::to_string(row) + "/" + json_pointer_token(f.name));
  columns_[col].data[row] = code;
  columns_[col].present[row] = 1;
}

void Batch::set(std::size_t col, std::size_t row, const Value& v) {
  check(col, row, v);
  Column& c = columns_[col];
  if (v.is_null()) {
    c.present[row] = 0;
    return;
  }
  const FieldSpec& f = schema_->field(col);
  switch (f.type) {
    case FieldType::boolean:
      c.data[row] = v.as_bool();
      break;
    case FieldType::integer:
      c.data[row] = v.as_int();
      break;
    case FieldType::decimal:
      c.data[row] = v.as_decimal().units;
      break;
    case FieldType::date:
      c.data[row] = v.as_date().days;
      break;
    case FieldType::enumeration:
      c.data[row] = f.enum_index(v.as_string());
      break;
    case FieldType::string:
      c.other[row] = arena_.copy_string(v.as_string());
      break;
    case FieldType::list: {
      Value* items = arena_.allocate_values(v.list_size());
      for (std::size_t j = 0; j < v.list_size(); ++j)
        items[j] = v[j].type() == Type::string ? arena_.copy_string(v[j].as_string()) : v[j];
      c.other[row] = Value::list(items, v.list_size());
      break;
    }
  }
  c.present[row] = 1;
}

void Batch::set_row(std::size_t row, const Record& record) {
  for (std::size_t c = 0; c < columns_.size(); ++c) set(c, row, record.values[c]);
}

Value Batch::get(std::size_t col, std::size_t row) const {
  const Column& c = columns_[col];
  if (!c.present[row]) return Value::null();
  const FieldSpec& f = schema_->field(col);
  switch (f.type) {
    case FieldType::boolean:
      return Value::boolean(c.data[row] != 0);
    case FieldType::integer:
      return Value::integer(c.data[row]);
    case FieldType::decimal:
      return Value::decimal(Decimal{c.data[row]});
    case FieldType::date:
      return Value::date(Date{static_cast<std::int32_t>(c.data[row])});
    case FieldType::enumeration:
      return Value::string(f.values[static_cast<std::size_t>(c.data[row])]);
    case FieldType::string:
    case FieldType::list:
      return c.other[row];
  }
  return Value::null();
}

void Batch::clear() {
  for (Column& c : columns_)
    if (!c.present.empty()) std::memset(c.present.data(), 0, c.present.size());
  arena_.reset();
}

namespace {

// Equality of n bytes, inline: keys and enum values are short, and a call to memcmp costs more
// than comparing them.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  while (n >= 8) {
    std::uint64_t x, y;
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
    a += 8;
    b += 8;
    n -= 8;
  }
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

// A cheap hash of a short text: its length and its first and last bytes.
inline std::size_t text_hash(std::string_view s) {
  if (s.empty()) return 0;
  return s.size() * 131 + static_cast<unsigned char>(s[0]) * 31 +
         static_cast<unsigned char>(s[s.size() - 1]);
}

}  // namespace

// What read_json needs of each field, resolved once per batch so that reading a record does
// not walk optionals, and the scratch space it reuses from record to record.
struct Batch::JsonTables {
  struct Field {
    std::string_view name;
    FieldType type = FieldType::string;
    bool enum_items = false;  // a list of enum values
    bool text_items = false;  // a list of texts or enum values (the only lists read here)
    bool plain_name = false;  // the name is its own JSON text (no quote, escape or non-ASCII)
    std::vector<std::uint64_t> name_words;  // the name's bytes, zero-padded to whole words
    bool has_min = false, has_max = false;
    std::int64_t min = 0, max = 0;  // decimal units for integers and decimals, days for dates
    std::uint32_t max_length = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t max_items = std::numeric_limits<std::uint32_t>::max();
    const std::vector<std::string>* values = nullptr;
    // Enum values by text_hash, open addressing with linear probing; inserted in list order
    // so that the first of twins is met first, as FieldSpec::enum_index finds it.
    struct Slot {
      std::uint64_t head = 0;  // the first bytes (up to 8), zero-padded
      std::uint32_t size = kEmpty;
      int code = -1;
    };
    static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();
    std::size_t mask = 0;
    std::vector<Slot> slots;
  };

  static std::uint64_t head(std::string_view s) {
    std::uint64_t h = 0;
    if (s.size() >= 8) {
      std::memcpy(&h, s.data(), 8);
      return h;
    }
    for (std::size_t i = 0; i < s.size(); ++i)
      h |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    return h;
  }

  explicit JsonTables(const InputSchema& schema) : stamp(schema.size(), 0) {
    fields.resize(schema.size());
    for (std::size_t k = 0; k < schema.size(); ++k) {
      const FieldSpec& s = schema.field(k);
      Field& f = fields[k];
      f.name = s.name;
      f.type = s.type;
      f.enum_items = s.type == FieldType::list && s.item_type == FieldType::enumeration;
      f.text_items = s.type == FieldType::list &&
                     (s.item_type == FieldType::enumeration || s.item_type == FieldType::string);
      f.plain_name = true;
      f.name_words.assign((s.name.size() + 7) / 8, 0);
      if (!s.name.empty()) std::memcpy(f.name_words.data(), s.name.data(), s.name.size());
      for (unsigned char ch : s.name)
        if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x80) f.plain_name = false;
      if (s.type == FieldType::date) {
        f.has_min = s.min_date.has_value();
        f.has_max = s.max_date.has_value();
        if (f.has_min) f.min = s.min_date->days;
        if (f.has_max) f.max = s.max_date->days;
      } else {
        f.has_min = s.min.has_value();
        f.has_max = s.max.has_value();
        if (f.has_min) f.min = s.min->units;
        if (f.has_max) f.max = s.max->units;
      }
      if (s.max_length) f.max_length = *s.max_length;
      if (s.max_items) f.max_items = *s.max_items;
      f.values = &s.values;
      if (!s.values.empty()) {
        std::size_t buckets = 1;
        while (buckets < 2 * s.values.size()) buckets *= 2;
        f.mask = buckets - 1;
        f.slots.assign(buckets, Field::Slot{});
        for (std::size_t v = 0; v < s.values.size(); ++v) {
          std::size_t b = text_hash(s.values[v]) & f.mask;
          while (f.slots[b].size != Field::kEmpty) b = (b + 1) & f.mask;
          f.slots[b] =
              Field::Slot{head(s.values[v]), static_cast<std::uint32_t>(s.values[v].size()),
                          static_cast<int>(v)};
        }
      }
      if (s.required) required.push_back(k);
    }
    for (std::size_t k = 0; k <= fields.size(); ++k) after.push_back(static_cast<int>(k));
  }

  // The index of an enum value as FieldSpec::enum_index finds it, or -1.
  // `readable`: bytes that may be read from v.data() (at least v.size()).
  static int find_enum(const Field& f, std::string_view v, std::size_t readable) {
    if (f.slots.empty()) return -1;
    std::uint64_t h;
    if (readable >= 8) {
      // One load, the bytes past the text masked off.
      std::memcpy(&h, v.data(), 8);
      if constexpr (std::endian::native == std::endian::little) {
        if (v.size() < 8) h &= (std::uint64_t{1} << (8 * v.size())) - 1;
      } else {
        h = head(v);
      }
    } else {
      h = head(v);
    }
    // The table is at most half full: probing always meets an empty slot.
    for (std::size_t b = text_hash(v) & f.mask;; b = (b + 1) & f.mask) {
      const Field::Slot& slot = f.slots[b];
      if (slot.size == Field::kEmpty) return -1;
      if (slot.size != v.size() || slot.head != h) continue;
      if (v.size() <= 8) return slot.code;
      const std::string& candidate = (*f.values)[static_cast<std::size_t>(slot.code)];
      if (same_bytes(candidate.data() + 8, v.data() + 8, v.size() - 8)) return slot.code;
    }
  }

  std::vector<Field> fields;
  std::vector<std::size_t> required;
  // A field was given in the current record when its stamp equals `generation`: no clearing
  // per record.
  std::vector<std::uint32_t> stamp;
  std::uint32_t generation = 0;
  // The field expected after field f is after[f + 1] (after[0]: the first one): the schema's
  // order at first, then the order the records use, learnt as they come (a file's records
  // share one order, often sorted by name).
  std::vector<int> after;
  std::string name;                     // dotted name of a nested key
  std::vector<std::string_view> items;  // the items of the list being read
};

// A strict reader for plain records, written for speed: it accepts exactly the texts that
// InputSchema::parse_record reads through its plain reader without any error, and gives up on
// anything else (escapes, non-ASCII bytes, exponents, integers over 18 digits, deep nesting,
// any invalid value) so that parse_record decides and reports.
class Batch::JsonReader {
 public:
  JsonReader(Batch& batch, JsonTables& tables, std::size_t row, std::string_view json,
             UnknownFields unknown)
      : batch_(batch),
        t_(tables),
        row_(row),
        p_(json.data()),
        end_(json.data() + json.size()),
        ignore_(unknown == UnknownFields::ignore) {}

  bool read() {
    skip_space();
    if (p_ == end_ || *p_ != '{') return false;
    ++p_;
    if (!object(0, 0)) return false;
    skip_space();
    if (p_ != end_) return false;
    for (std::size_t k : t_.required)
      if (!batch_.columns_[k].present[row_]) return false;
    return true;
  }

 private:
  static constexpr int kMaxDepth = 64;  // as parse_record's plain reader
  static constexpr std::int64_t kWide = std::numeric_limits<std::int64_t>::max() / Decimal::kOne;
  static constexpr std::int64_t kWideNegative =
      std::numeric_limits<std::int64_t>::min() / Decimal::kOne;

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  // Most records have no space between tokens: one comparison says so.
  void skip_space() {
    if (p_ < end_ && static_cast<unsigned char>(*p_) <= ' ') skip_space_slow();
  }
  void skip_space_slow() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  // A string without escapes, control or non-ASCII bytes; p_ is on its opening quote.
  bool string(std::string_view& out) {
    const char* begin = ++p_;
    // Eight bytes at a time while none of them ends the string or needs the general parser.
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    while (end_ - p_ >= 8) {
      std::uint64_t x;
      std::memcpy(&x, p_, 8);
      const std::uint64_t quote = x ^ (kOnes * '"'), slash = x ^ (kOnes * '\\');
      const std::uint64_t stop =
          ((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash) | ((x - kOnes * 0x20) & ~x) | x;
      if (const std::uint64_t hit = stop & kHigh) {
        if constexpr (std::endian::native == std::endian::little) {
          // The lowest flag marks the first such byte exactly (borrows only run upwards).
          p_ += std::countr_zero(hit) / 8;
          if (*p_ != '"') return false;
          out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
          ++p_;
          return true;
        }
        break;
      }
      p_ += 8;
    }
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(begin, static_cast<std::size_t>(p_ - begin));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    return false;
  }

  // The field named by the current prefix and `key`, or -1. Records usually list their fields
  // in the same order: the field expected after the last one read is tried first.
  int resolve(std::size_t prefix, std::string_view key) {
    const auto next = static_cast<std::size_t>(t_.after[static_cast<std::size_t>(last_ + 1)]);
    if (next < t_.fields.size()) {
      const std::string_view name = t_.fields[next].name;
      if (name.size() == prefix + key.size() && same_bytes(name.data(), t_.name.data(), prefix) &&
          same_bytes(name.data() + prefix, key.data(), key.size()))
        return static_cast<int>(next);
    }
    if (prefix == 0) return batch_.schema_->index_of(key);
    t_.name.resize(prefix);
    t_.name.append(key);
    return batch_.schema_->index_of(t_.name);
  }

  static constexpr int kNoGuess = -2;

  // Whether the n = f.name.size() bytes at k (of which `readable` may be read) are f's name:
  // a word at a time, the last one loaded whole and masked when the text goes on past it.
  static bool is_name(const JsonTables::Field& f, const char* k, std::size_t readable) {
    const std::size_t n = f.name.size();
    if constexpr (std::endian::native != std::endian::little)
      return same_bytes(k, f.name.data(), n);
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t x;
      std::memcpy(&x, k + i, 8);
      if (x != f.name_words[i / 8]) return false;
    }
    if (i == n) return true;
    const std::size_t rest = n - i;
    std::uint64_t x = 0;
    if (readable - i >= 8) {
      std::memcpy(&x, k + i, 8);
      x &= (std::uint64_t{1} << (8 * rest)) - 1;
    } else {
      for (std::size_t j = 0; j < rest; ++j)
        x |= static_cast<std::uint64_t>(static_cast<unsigned char>(k[i + j])) << (8 * j);
    }
    return x == f.name_words[i / 8];
  }

  // When the key at p_ (on its opening quote) is the name of the field expected after the last
  // one read, reads it and returns that field; else returns kNoGuess and leaves p_.
  int expected_key(std::size_t prefix, std::string_view& key) {
    const auto next = static_cast<std::size_t>(t_.after[static_cast<std::size_t>(last_ + 1)]);
    if (prefix != 0 || next >= t_.fields.size()) return kNoGuess;
    const JsonTables::Field& f = t_.fields[next];
    const std::size_t n = f.name.size();
    const std::size_t readable = static_cast<std::size_t>(end_ - p_) - 1;
    if (!f.plain_name || readable < n + 1 || p_[n + 1] != '"' || !is_name(f, p_ + 1, readable))
      return kNoGuess;
    key = std::string_view(p_ + 1, n);
    p_ += n + 2;
    return static_cast<int>(next);
  }

  // The members of an object whose '{' is read; `prefix` bytes of t_.name name it ("a.b.").
  bool object(int depth, std::size_t prefix) {
    skip_space();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    while (true) {
      skip_space();
      std::string_view key;
      if (p_ == end_ || *p_ != '"') return false;
      int k = expected_key(prefix, key);
      if (k == kNoGuess) {
        if (!string(key)) return false;
        k = resolve(prefix, key);
      }
      skip_space();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_space();
      if (p_ == end_) return false;
      if (*p_ == '{') {
        // An object names a group of dotted fields; a field itself never holds one.
        if (k >= 0 || depth + 1 > kMaxDepth) return false;
        t_.name.resize(prefix);
        t_.name.append(key);
        t_.name.push_back('.');
        ++p_;
        if (!object(depth + 1, prefix + key.size() + 1)) return false;
      } else if (k < 0) {
        if (!ignore_ || !skip_value(depth + 1)) return false;
      } else {
        const auto f = static_cast<std::size_t>(k);
        if (t_.stamp[f] == t_.generation) return false;  // the same field twice
        t_.stamp[f] = t_.generation;
        if (!value(f)) return false;
        t_.after[static_cast<std::size_t>(last_ + 1)] = k;
        last_ = k;
      }
      skip_space();
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

  // The value of field k, checked against its type and bounds, into the row.
  bool value(std::size_t k) {
    const JsonTables::Field& f = t_.fields[k];
    Column& c = batch_.columns_[k];
    switch (*p_) {
      case 'n':
        return literal("null", 4);  // the cell stays absent; required fields are checked last
      case 't':
      case 'f': {
        const bool v = *p_ == 't';
        if (!(v ? literal("true", 4) : literal("false", 5)) || f.type != FieldType::boolean)
          return false;
        c.data[row_] = v;
        break;
      }
      case '"': {
        std::string_view s;
        if (!string(s)) return false;
        switch (f.type) {
          case FieldType::date: {
            const auto d = Date::parse(s);
            if (!d || (f.has_min && d->days < f.min) || (f.has_max && d->days > f.max))
              return false;
            c.data[row_] = d->days;
            break;
          }
          case FieldType::string:
            if (s.size() > f.max_length) return false;  // ASCII: one byte per code point
            c.other[row_] = batch_.arena_.copy_string(s);
            break;
          case FieldType::enumeration: {
            const int code = JsonTables::find_enum(f, s, static_cast<std::size_t>(end_ - s.data()));
            if (code < 0) return false;
            c.data[row_] = code;
            break;
          }
          default:
            return false;
        }
        break;
      }
      case '[':
        if (!f.text_items || !list(f, c)) return false;
        break;
      default:
        if (!number(f, c)) return false;
        break;
    }
    c.present[row_] = 1;
    return true;
  }

  bool list(const JsonTables::Field& f, Column& c) {
    ++p_;
    t_.items.clear();
    skip_space();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
    } else {
      while (true) {
        skip_space();
        std::string_view s;
        if (p_ == end_ || *p_ != '"' || !string(s)) return false;
        t_.items.push_back(s);
        skip_space();
        if (p_ == end_) return false;
        if (*p_ == ',') {
          ++p_;
          continue;
        }
        if (*p_ != ']') return false;
        ++p_;
        break;
      }
    }
    if (t_.items.size() > f.max_items) return false;
    for (std::string_view s : t_.items)
      if (f.enum_items ? JsonTables::find_enum(f, s, static_cast<std::size_t>(end_ - s.data())) < 0
                       : s.size() > f.max_length)
        return false;
    Value* items = batch_.arena_.allocate_values(t_.items.size());
    for (std::size_t j = 0; j < t_.items.size(); ++j)
      items[j] = batch_.arena_.copy_string(t_.items[j]);
    c.other[row_] = Value::list(items, t_.items.size());
    return true;
  }

  // The JSON number grammar without exponent (exponents go to the general parser, as in
  // parse_record's plain reader). On return p_ is past the number.
  bool scan_number(const char*& int_begin, const char*& int_end, const char*& frac_begin,
                   const char*& frac_end) {
    const char* begin = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_) return false;
    int_begin = p_;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && digit(*p_)) ++p_;
    } else {
      return false;
    }
    int_end = p_;
    frac_begin = frac_end = nullptr;
    if (p_ < end_ && *p_ == '.') {
      frac_begin = ++p_;
      while (p_ < end_ && digit(*p_)) ++p_;
      frac_end = p_;
      if (frac_end == frac_begin) return false;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
    return p_ - begin <= 300;
  }

  bool in_bounds(const JsonTables::Field& f, std::int64_t units) const {
    return (!f.has_min || units >= f.min) && (!f.has_max || units <= f.max);
  }

  // A number into an integer or decimal field, its digits read while it is scanned.
  bool number(const JsonTables::Field& f, Column& c) {
    const char* begin = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    const char* int_begin = p_;
    std::uint64_t whole = 0;  // wraps past 19 digits, which are refused below
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      do {
        whole = whole * 10 + static_cast<std::uint64_t>(*p_ - '0');
        ++p_;
      } while (p_ < end_ && digit(*p_));
    } else {
      return false;
    }
    const std::ptrdiff_t int_digits = p_ - int_begin;
    bool real = false, inexact = false;
    std::uint64_t frac = 0;
    int places = 0;
    if (p_ < end_ && *p_ == '.') {
      real = true;
      const char* frac_begin = ++p_;
      for (; p_ < end_ && digit(*p_); ++p_) {
        if (places < Decimal::kScale) {
          frac = frac * 10 + static_cast<std::uint64_t>(*p_ - '0');
          ++places;
        } else if (*p_ != '0') {
          inexact = true;  // more than 6 decimal places: Decimal::parse refuses it
        }
      }
      if (p_ == frac_begin) return false;
    }
    // Exponents go to the general parser, as in parse_record's plain reader.
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
    if (p_ - begin > 300) return false;
    if (!real) {
      if (int_digits > 18) return false;  // the general parser decides how wide it is
      const std::int64_t v =
          negative ? -static_cast<std::int64_t>(whole) : static_cast<std::int64_t>(whole);
      if (f.type == FieldType::integer) {
        // As InputSchema::check_value: an integer without a decimal form fails any bound.
        if (f.has_min || f.has_max) {
          if (v > kWide || v < kWideNegative || !in_bounds(f, v * Decimal::kOne)) return false;
        }
        c.data[row_] = v;
        return true;
      }
      if (f.type != FieldType::decimal) return false;
      std::int64_t units = 0;
      if (__builtin_mul_overflow(v, Decimal::kOne, &units) || !in_bounds(f, units)) return false;
      c.data[row_] = units;
      return true;
    }
    if (f.type != FieldType::decimal || inexact || int_digits > 19) return false;
    for (; places < Decimal::kScale; ++places) frac *= 10;
    // Exact as Decimal::parse: within int64 units.
    __extension__ typedef unsigned __int128 Wide;
    const Wide magnitude = static_cast<Wide>(whole) * static_cast<Wide>(Decimal::kOne) + frac;
    const Wide limit =
        static_cast<Wide>(std::numeric_limits<std::int64_t>::max()) + (negative ? 1 : 0);
    if (magnitude > limit) return false;
    const std::int64_t units =
        negative
            ? static_cast<std::int64_t>(std::uint64_t{0} - static_cast<std::uint64_t>(magnitude))
            : static_cast<std::int64_t>(magnitude);
    if (!in_bounds(f, units)) return false;
    c.data[row_] = units;
    return true;
  }

  // Any plain JSON value, checked for syntax only (the value of an ignored key).
  bool skip_value(int depth) {
    if (p_ == end_ || depth > kMaxDepth) return false;
    switch (*p_) {
      case '{':
      case '[': {
        const char close = *p_ == '{' ? '}' : ']';
        ++p_;
        skip_space();
        if (p_ < end_ && *p_ == close) {
          ++p_;
          return true;
        }
        while (true) {
          skip_space();
          if (close == '}') {
            std::string_view key;
            if (p_ == end_ || *p_ != '"' || !string(key)) return false;
            skip_space();
            if (p_ == end_ || *p_ != ':') return false;
            ++p_;
            skip_space();
          }
          if (!skip_value(depth + 1)) return false;
          skip_space();
          if (p_ == end_) return false;
          if (*p_ == ',') {
            ++p_;
            continue;
          }
          if (*p_ != close) return false;
          ++p_;
          return true;
        }
      }
      case '"': {
        std::string_view s;
        return string(s);
      }
      case 't':
        return literal("true", 4);
      case 'f':
        return literal("false", 5);
      case 'n':
        return literal("null", 4);
      default: {
        const char *ib, *ie, *fb, *fe;
        if (!scan_number(ib, ie, fb, fe)) return false;
        return fb || ie - ib <= 18;
      }
    }
  }

  Batch& batch_;
  JsonTables& t_;
  std::size_t row_;
  const char* p_;
  const char* end_;
  bool ignore_;
  int last_ = -1;
};

bool Batch::read_json(std::size_t row, std::string_view json, UnknownFields unknown) {
  if (row >= rows_)
    throw Error(ErrorCode::invalid_argument, "batch row out of range", "/" + std::to_string(row));
  if (!json_) json_ = std::make_unique<JsonTables>(*schema_);
  JsonTables& t = *json_;
  if (++t.generation == 0) {
    std::fill(t.stamp.begin(), t.stamp.end(), 0);
    t.generation = 1;
  }
  for (Column& c : columns_) c.present[row] = 0;
  if (JsonReader(*this, t, row, json, unknown).read()) return true;
  for (Column& c : columns_) c.present[row] = 0;
  return false;
}

}  // namespace v1
}  // namespace aiguillage
