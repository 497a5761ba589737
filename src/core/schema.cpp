#include "aiguillage/core/schema.hpp"

#include <nlohmann/json.hpp>

#include "core/json_read.hpp"

namespace aiguillage {
inline namespace v1 {

std::string_view field_type_name(FieldType t) noexcept {
  switch (t) {
    case FieldType::boolean:
      return "bool";
    case FieldType::integer:
      return "integer";
    case FieldType::decimal:
      return "decimal";
    case FieldType::string:
      return "string";
    case FieldType::enumeration:
      return "enum";
    case FieldType::date:
      return "date";
    case FieldType::list:
      return "list";
  }
  return "unknown";
}

std::optional<FieldType> parse_field_type(std::string_view n) noexcept {
  if (n == "bool" || n == "boolean") return FieldType::boolean;
  if (n == "integer") return FieldType::integer;
  if (n == "decimal") return FieldType::decimal;
  if (n == "string") return FieldType::string;
  if (n == "enum") return FieldType::enumeration;
  if (n == "date") return FieldType::date;
  if (n == "list") return FieldType::list;
  return std::nullopt;
}

std::string_view source_kind_name(SourceKind k) noexcept {
  switch (k) {
    case SourceKind::declared:
      return "declared";
    case SourceKind::counsellor:
      return "counsellor";
    case SourceKind::administrative:
      return "administrative_record";
    case SourceKind::context:
      return "context";
    case SourceKind::derived:
      return "derived";
  }
  return "unknown";
}

std::optional<SourceKind> parse_source_kind(std::string_view n) noexcept {
  if (n == "declared") return SourceKind::declared;
  if (n == "counsellor") return SourceKind::counsellor;
  if (n == "administrative_record") return SourceKind::administrative;
  if (n == "context") return SourceKind::context;
  return std::nullopt;
}

int FieldSpec::enum_index(std::string_view v) const {
  for (std::size_t k = 0; k < values.size(); ++k)
    if (same_text(values[k], v)) return static_cast<int>(k);
  return -1;
}

InputSchema::InputSchema(std::vector<FieldSpec> fields) : fields_(std::move(fields)) {
  for (std::size_t k = 0; k < fields_.size(); ++k)
    index_.emplace(fields_[k].name, static_cast<int>(k));
}

int InputSchema::index_of(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

namespace {

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string expected(const FieldSpec& f) {
  if (f.type == FieldType::list)
    return "a list of " + std::string(field_type_name(f.item_type)) + " values";
  if (f.type == FieldType::enumeration) return "one of the enum values";
  if (f.type == FieldType::date) return "a date \"YYYY-MM-DD\"";
  return "a value of type " + std::string(field_type_name(f.type));
}

std::optional<Error> check_enum(const FieldSpec& f, std::string_view v, const std::string& ptr) {
  if (f.enum_index(v) >= 0) return std::nullopt;
  std::string allowed;
  for (std::size_t k = 0; k < f.values.size() && k < 12; ++k) {
    if (k) allowed += ", ";
    allowed += "\"" + f.values[k] + "\"";
  }
  if (f.values.size() > 12) allowed += ", ...";
  return Error(
      ErrorCode::enum_value,
      "\"" + bounded_text(v) + "\" is not an allowed value of " + f.name + " (" + allowed + ")",
      ptr);
}

// What the items of a list must be, for messages: "a string", "a number" ...
std::string list_item_word(FieldType item) {
  switch (item) {
    case FieldType::integer:
      return "an integer";
    case FieldType::decimal:
      return "a number";
    case FieldType::boolean:
      return "a bool";
    default:
      return "a string";
  }
}

// Lists of numbers and of bools (ruleset 1.2): an item of the declared kind.
bool list_item_fits(FieldType item, const Value& v) {
  switch (item) {
    case FieldType::integer:
      return v.type() == Type::integer;
    case FieldType::decimal:
      return v.is_number();
    case FieldType::boolean:
      return v.type() == Type::boolean;
    default:
      return false;
  }
}

}  // namespace

std::optional<Error> InputSchema::check_value(std::size_t k, const Value& v,
                                              const std::string& ptr) const {
  const FieldSpec& f = fields_[k];
  if (v.is_null()) return std::nullopt;
  auto mismatch = [&]() {
    return Error(ErrorCode::type_mismatch,
                 f.name + " expects " + expected(f) + ", got " + std::string(type_name(v.type())),
                 ptr);
  };
  switch (f.type) {
    case FieldType::boolean:
      if (v.type() != Type::boolean) return mismatch();
      return std::nullopt;
    case FieldType::integer:
    case FieldType::decimal: {
      if (f.type == FieldType::integer ? v.type() != Type::integer : !v.is_number())
        return mismatch();
      const bool wide = v.type() == Type::integer && (v.as_int() > INT64_MAX / Decimal::kOne ||
                                                      v.as_int() < INT64_MIN / Decimal::kOne);
      if (!wide) {
        const Decimal d = v.as_decimal();  // only in range: a wide integer has no decimal form
        if (f.min && d < *f.min)
          return Error(
              ErrorCode::out_of_bounds,
              f.name + " = " + v.to_display() + " is below its minimum " + f.min->to_string(), ptr);
        if (f.max && d > *f.max)
          return Error(
              ErrorCode::out_of_bounds,
              f.name + " = " + v.to_display() + " is above its maximum " + f.max->to_string(), ptr);
      } else if (f.min || f.max) {
        return Error(ErrorCode::out_of_bounds,
                     f.name + " = " + v.to_display() + " is out of bounds", ptr);
      }
      return std::nullopt;
    }
    case FieldType::string:
      if (v.type() != Type::string) return mismatch();
      if (f.max_length && code_points(v.as_string()) > *f.max_length)
        return Error(ErrorCode::too_long,
                     f.name + " is longer than " + std::to_string(*f.max_length) + " characters",
                     ptr);
      return std::nullopt;
    case FieldType::enumeration:
      if (v.type() != Type::string) return mismatch();
      return check_enum(f, v.as_string(), ptr);
    case FieldType::date:
      if (v.type() != Type::date) return mismatch();
      if (f.min_date && v.as_date() < *f.min_date)
        return Error(ErrorCode::out_of_bounds,
                     f.name + " = " + v.to_display() + " is before " + f.min_date->to_string(),
                     ptr);
      if (f.max_date && v.as_date() > *f.max_date)
        return Error(ErrorCode::out_of_bounds,
                     f.name + " = " + v.to_display() + " is after " + f.max_date->to_string(), ptr);
      return std::nullopt;
    case FieldType::list: {
      if (v.type() != Type::list) return mismatch();
      if (f.max_items && v.list_size() > *f.max_items)
        return Error(ErrorCode::too_many_items,
                     f.name + " has more than " + std::to_string(*f.max_items) + " items", ptr);
      for (std::size_t j = 0; j < v.list_size(); ++j) {
        const Value& item = v[j];
        std::string ip = ptr + "/" + std::to_string(j);
        if (f.item_type != FieldType::string && f.item_type != FieldType::enumeration) {
          if (!list_item_fits(f.item_type, item))
            return Error(ErrorCode::type_mismatch,
                         f.name + " items must be " + list_item_word(f.item_type), ip);
          continue;
        }
        if (item.type() != Type::string)
          return Error(ErrorCode::type_mismatch, f.name + " items must be strings", ip);
        if (f.item_type == FieldType::enumeration) {
          if (auto e = check_enum(f, item.as_string(), ip)) return e;
        } else if (f.max_length && code_points(item.as_string()) > *f.max_length) {
          return Error(ErrorCode::too_long, f.name + " item is too long", ip);
        }
      }
      return std::nullopt;
    }
  }
  return mismatch();
}

std::vector<Error> InputSchema::check_required(const Record& r) const {
  std::vector<Error> errors;
  for (std::size_t k = 0; k < fields_.size(); ++k)
    if (fields_[k].required && r.values[k].is_null())
      errors.emplace_back(ErrorCode::required_missing, fields_[k].name + " is required",
                          "/" + json_pointer_token(fields_[k].name));
  return errors;
}

namespace {

// Streams a record straight into its typed slots: no DOM, and decimals read from their source
// text so that 0.1 stays exactly 0.1.
// Errors listed for one record at most; one more error says that others were dropped.
constexpr std::size_t kMaxRecordErrors = 100;

class RecordSax {
 public:
  using json = nlohmann::json;
  RecordSax(const InputSchema& schema, Record& out, UnknownFields unknown,
            std::vector<Error>& errors)
      : schema_(schema),
        out_(out),
        unknown_(unknown),
        errors_(errors),
        assigned_(schema.size(), 0) {}

  bool null() {
    if (in_item()) return item_field(Value::null(), {});
    return scalar(Value::null(), "null");
  }
  bool boolean(bool v) {
    if (in_item()) return item_field(Value::boolean(v), {});
    return scalar(Value::boolean(v), "bool");
  }
  bool number_integer(json::number_integer_t v) { return integer(v, std::to_string(v)); }
  bool number_unsigned(json::number_unsigned_t v) {
    if (v > static_cast<std::uint64_t>(INT64_MAX)) {
      if (!place()) return true;
      add(ErrorCode::number_overflow, "number too large", pointer());
      return true;
    }
    return integer(static_cast<std::int64_t>(v), std::to_string(v));
  }
  bool number_float(json::number_float_t, const std::string& text) {
    if (in_item()) return item_field(Value::null(), text);
    if (skip_ > 0) return true;
    if (!place()) return true;
    if (list_field_ >= 0) {
      if (schema_.field(list_field_).object_items) return list_item_error("an object");
      const FieldType item = schema_.field(list_field_).item_type;
      auto d = item == FieldType::decimal ? Decimal::parse(text) : std::nullopt;
      if (!d) return list_item_error(list_item_word(item));
      items_.push_back(Value::decimal(*d));
      return true;
    }
    const FieldSpec& f = schema_.field(field_);
    if (f.type != FieldType::decimal) {
      add(ErrorCode::type_mismatch, f.name + " expects " + expected(f) + ", got the number " + text,
          pointer());
      return true;
    }
    auto d = Decimal::parse(text);
    if (!d) {
      add(ErrorCode::invalid_decimal,
          f.name + " = " + text + " is not an exact decimal (at most 6 decimal places)", pointer());
      return true;
    }
    assign(Value::decimal(*d));
    return true;
  }
  bool string(std::string& s) {
    if (in_item()) return item_field(Value::string(s), {});
    if (skip_ > 0) return true;
    if (!place()) return true;
    if (list_field_ >= 0) {
      const FieldType item = schema_.field(list_field_).item_type;
      if (schema_.field(list_field_).object_items) return list_item_error("an object");
      if (item != FieldType::string && item != FieldType::enumeration)
        return list_item_error(list_item_word(item));
      items_.push_back(out_.arena.copy_string(s));
      return true;
    }
    const FieldSpec& f = schema_.field(field_);
    if (f.type == FieldType::date) {
      auto d = Date::parse(s);
      if (!d) {
        add(ErrorCode::invalid_date,
            f.name + " = \"" + bounded_text(s) + "\" is not a valid date YYYY-MM-DD", pointer());
        return true;
      }
      assign(Value::date(*d));
      return true;
    }
    if (f.type != FieldType::string && f.type != FieldType::enumeration) {
      add(ErrorCode::type_mismatch, f.name + " expects " + expected(f) + ", got a string",
          pointer());
      return true;
    }
    if (f.type == FieldType::enumeration) {
      // Enum values point at the schema's own strings: no copy, and tables can compare them
      // by address.
      int k = f.enum_index(s);
      if (k >= 0) {
        assign(Value::string(f.values[static_cast<std::size_t>(k)]), false);
        return true;
      }
    }
    assign(out_.arena.copy_string(s));
    return true;
  }
  bool binary(json::binary_t&) { return true; }

  bool start_object(std::size_t) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    if (depth_ == 0) {
      frames_.push_back(Frame{0, 0});
      ++depth_;
      return true;
    }
    if (list_field_ >= 0 && schema_.field(list_field_).object_items && !item_open_) {
      item_open_ = true;
      item_index_ = items_.size();
      items_.push_back(Value::integer(static_cast<std::int64_t>(item_index_)));
      for (auto& column : columns_) column.second.push_back(Value::null());
      return true;
    }
    if (list_field_ >= 0) {
      if (item_open_)
        item_unknown("an object");
      else
        list_item_error(list_item_word(schema_.field(list_field_).item_type));
      ++skip_;
      return true;
    }
    // One prefix and one pointer grow and shrink with the nesting, so that memory stays
    // linear in the record's size however deep it is.
    const Frame saved{prefix_.size(), pointer_.size()};
    prefix_ += key_;
    int k = schema_.index_of(prefix_);
    if (k >= 0) {
      add(ErrorCode::type_mismatch,
          prefix_ + " expects " + expected(schema_.field(k)) + ", got an object", pointer());
      prefix_.resize(saved.prefix);
      ++skip_;
      return true;
    }
    pointer_ += '/';
    pointer_ += json_pointer_token(key_);
    prefix_ += '.';
    frames_.push_back(saved);
    ++depth_;
    return true;
  }
  bool end_object() {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    if (item_open_) {
      item_open_ = false;
      return true;
    }
    if (frames_.size() > 1) {
      prefix_.resize(frames_.back().prefix);
      pointer_.resize(frames_.back().pointer);
    }
    frames_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    if (skip_ > 0) {
      ++skip_;
      return true;
    }
    if (depth_ == 0) {
      add(ErrorCode::type_mismatch, "a record must be a JSON object", "");
      ++skip_;
      return true;
    }
    if (list_field_ >= 0) {
      if (item_open_)
        item_unknown("a list");
      else
        list_item_error(list_item_word(schema_.field(list_field_).item_type));
      ++skip_;
      return true;
    }
    if (!place()) {
      ++skip_;
      return true;
    }
    const FieldSpec& f = schema_.field(field_);
    if (f.type != FieldType::list) {
      add(ErrorCode::type_mismatch, f.name + " expects " + expected(f) + ", got a list", pointer());
      ++skip_;
      return true;
    }
    list_field_ = field_;
    list_pointer_ = pointer();
    items_.clear();
    columns_.clear();
    if (f.object_items)
      for (std::size_t k = 0; k < schema_.size(); ++k)
        if (schema_.field(k).items_of == list_field_)
          columns_.emplace_back(static_cast<int>(k), std::vector<Value>{});
    return true;
  }
  bool end_array() {
    if (skip_ > 0) {
      --skip_;
      return true;
    }
    Value* items = out_.arena.allocate_values(items_.size());
    for (std::size_t j = 0; j < items_.size(); ++j) items[j] = items_[j];
    const int list = list_field_;
    use_list_pointer_ = true;
    list_field_ = -1;
    // The columns of a list of objects: their values were checked one by one.
    for (const auto& [k, values] : columns_) {
      Value* column = out_.arena.allocate_values(values.size());
      for (std::size_t j = 0; j < values.size(); ++j) column[j] = values[j];
      field_ = k;
      assign(Value::list(column, values.size()), false);
    }
    columns_.clear();
    field_ = list;
    assign(Value::list(items, items_.size()));
    return true;
  }
  bool key(std::string& k) {
    key_ = k;
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    add(ErrorCode::json_syntax, "invalid JSON at byte " + std::to_string(position) + ": " + what,
        "");
    syntax_error_ = true;
    return false;
  }

  bool syntax_error() const { return syntax_error_; }

 private:
  struct Frame {
    std::size_t prefix;   // length of prefix_ outside this object
    std::size_t pointer;  // length of pointer_ outside this object
  };

  bool integer(std::int64_t v, const std::string& text) {
    if (in_item()) return item_field(Value::integer(v), text);
    if (skip_ > 0) return true;
    if (!place()) return true;
    if (list_field_ >= 0) {
      if (schema_.field(list_field_).object_items) return list_item_error("an object");
      const FieldType item = schema_.field(list_field_).item_type;
      if (item == FieldType::integer) {
        items_.push_back(Value::integer(v));
        return true;
      }
      auto d = item == FieldType::decimal ? Decimal::from_int(v) : std::nullopt;
      if (!d) return list_item_error(list_item_word(item));
      items_.push_back(Value::decimal(*d));
      return true;
    }
    const FieldSpec& f = schema_.field(field_);
    if (f.type == FieldType::integer) {
      assign(Value::integer(v));
    } else if (f.type == FieldType::decimal) {
      auto d = Decimal::from_int(v);
      if (!d) {
        add(ErrorCode::number_overflow, f.name + " = " + text + " is out of the decimal range",
            pointer());
        return true;
      }
      assign(Value::decimal(*d));
    } else {
      add(ErrorCode::type_mismatch, f.name + " expects " + expected(f) + ", got the number " + text,
          pointer());
    }
    return true;
  }

  bool scalar(Value v, const char* what) {
    if (skip_ > 0) return true;
    if (depth_ == 0) {
      add(ErrorCode::type_mismatch, "a record must be a JSON object", "");
      return true;
    }
    if (!place()) return true;
    if (list_field_ >= 0) {
      const FieldType item = schema_.field(list_field_).item_type;
      if (schema_.field(list_field_).object_items) return list_item_error("an object");
      if (v.is_null()) return list_item_error(list_item_word(item) + ", not null");
      if (item != FieldType::boolean) return list_item_error(list_item_word(item));
      items_.push_back(v);
      return true;
    }
    const FieldSpec& f = schema_.field(field_);
    if (v.is_null()) {
      assign(v);
      return true;
    }
    if (f.type != FieldType::boolean) {
      add(ErrorCode::type_mismatch, f.name + " expects " + expected(f) + ", got " + what,
          pointer());
      return true;
    }
    assign(v);
    return true;
  }

  bool in_item() const { return item_open_ && skip_ == 0; }

  std::string item_pointer() const {
    return list_pointer_ + "/" + std::to_string(item_index_) + "/" +
           bounded_text(json_pointer_token(key_), kMaxErrorPointerBytes);
  }

  void item_unknown(const char* what) {
    if (unknown_ == UnknownFields::reject)
      add(ErrorCode::unknown_field,
          "\"" + bounded_text(key_) + "\" (" + what + ") is not a field of the items of " +
              schema_.field(list_field_).name,
          item_pointer());
  }

  // A value of an item of a list of objects: into its declared field's column, converted to
  // the field's type (`number`: the number's text, empty for other values).
  bool item_field(Value v, std::string_view number) {
    const FieldSpec& list = schema_.field(list_field_);
    const int k = schema_.index_of(list.name + "." + key_);
    std::vector<Value>* column = nullptr;
    for (auto& c : columns_)
      if (c.first == k) column = &c.second;
    if (!column) {
      item_unknown("a value");
      return true;
    }
    const FieldSpec& f = schema_.field(static_cast<std::size_t>(k));
    auto wrong = [&] {
      add(ErrorCode::type_mismatch,
          f.name + " expects " + list_item_word(f.item_type) + " in each item", item_pointer());
      return true;
    };
    if (!number.empty()) {
      if (f.item_type == FieldType::integer) {
        if (v.type() != Type::integer) return wrong();
      } else if (f.item_type == FieldType::decimal) {
        auto d = Decimal::parse(number);
        if (!d) {
          add(ErrorCode::invalid_decimal,
              f.name + " = " + bounded_text(number) +
                  " is not an exact decimal (at most 6 decimal places)",
              item_pointer());
          return true;
        }
        v = Value::decimal(*d);
      } else {
        return wrong();
      }
    } else if (v.type() == Type::string) {
      if (f.item_type != FieldType::string) return wrong();
      if (f.max_length && code_points(v.as_string()) > *f.max_length) {
        add(ErrorCode::too_long, f.name + " item is too long", item_pointer());
        return true;
      }
      v = out_.arena.copy_string(v.as_string());
    } else if (v.type() == Type::boolean && f.item_type != FieldType::boolean) {
      return wrong();
    }
    (*column)[item_index_] = v;
    return true;
  }

  bool list_item_error(const std::string& what) {
    add(ErrorCode::type_mismatch, schema_.field(list_field_).name + " items must be " + what,
        list_pointer_ + "/" + std::to_string(items_.size()));
    items_.push_back(Value::null());
    return true;
  }

  // Resolves the field the current value belongs to; false when it is to be skipped.
  bool place() {
    if (list_field_ >= 0) return true;
    if (frames_.empty()) {
      // A bare value where the record's object should be.
      add(ErrorCode::type_mismatch, "a record must be a JSON object", "");
      return false;
    }
    use_list_pointer_ = false;
    // Pointers and dotted names are built only when needed: most records are flat and valid.
    // Records usually list fields in the schema's order: try the one after the last first.
    const int next = field_ + 1;
    int k;
    if (prefix_.empty() && next < static_cast<int>(schema_.size()) &&
        same_text(schema_.field(static_cast<std::size_t>(next)).name, key_))
      k = next;
    else
      k = prefix_.empty() ? schema_.index_of(key_) : schema_.index_of(prefix_ + key_);
    if (k >= 0 && schema_.field(static_cast<std::size_t>(k)).items_of >= 0) k = -1;
    if (k < 0) {
      if (unknown_ == UnknownFields::reject)
        add(ErrorCode::unknown_field,
            "\"" + bounded_text(prefix_ + key_) + "\" is not an input of this pack", pointer());
      return false;
    }
    field_ = k;
    return true;
  }

  // The JSON pointer of the value being read.
  std::string pointer() const {
    if (use_list_pointer_) return list_pointer_;
    if (frames_.empty()) return std::string();
    return bounded_text(pointer_, kMaxErrorPointerBytes) + "/" +
           bounded_text(json_pointer_token(key_), kMaxErrorPointerBytes);
  }

  // `check`: false for a value already known to fit its field (an enum value found in its list).
  void assign(const Value& v, bool check = true) {
    if (assigned_[field_]) {
      add(ErrorCode::json_syntax, "duplicate key \"" + schema_.field(field_).name + "\"",
          pointer());
      return;
    }
    assigned_[field_] = 1;
    if (!check) {
      out_.values[field_] = v;
      return;
    }
    if (auto e = schema_.check_value(field_, v, std::string())) {
      errors_.emplace_back(e->code(), e->message(), pointer());
      return;
    }
    out_.values[field_] = v;
  }

  void add(ErrorCode code, std::string message, const std::string& ptr) {
    // A record with a million unknown keys gets a bounded report, not a million errors.
    if (errors_.size() < kMaxRecordErrors) {
      errors_.emplace_back(code, std::move(message), ptr);
    } else if (errors_.size() == kMaxRecordErrors) {
      errors_.emplace_back(ErrorCode::too_many_items,
                           "more than " + std::to_string(kMaxRecordErrors) +
                               " errors in this record; the others are not listed",
                           "");
    }
  }

  const InputSchema& schema_;
  Record& out_;
  UnknownFields unknown_;
  std::vector<Error>& errors_;
  std::vector<std::uint8_t> assigned_;
  std::vector<Frame> frames_;
  std::vector<Value> items_;
  // A list of objects being read: its columns (companion field, one value per item so far).
  std::vector<std::pair<int, std::vector<Value>>> columns_;
  std::size_t item_index_ = 0;
  bool item_open_ = false;
  std::string prefix_;   // dotted name of the open object ("a.b."), "" at the top level
  std::string pointer_;  // JSON pointer of the open object
  std::string key_, list_pointer_;
  bool use_list_pointer_ = false;
  int field_ = -1;
  int list_field_ = -1;
  int depth_ = 0;
  int skip_ = 0;
  bool syntax_error_ = false;
};

// A strict reader for the common shape of a record: JSON whose strings carry no escape and no
// byte outside ASCII. It sends the same events as nlohmann's SAX parser would for that text and
// gives up (returns false) on anything else — escapes, non-ASCII text, a byte-order mark, very
// long integers, any syntax error — so that nlohmann's parser reads it again and owns every
// diagnostic. Valid records thus never depend on which reader ran.
template <typename Sax>
class FastRecordReader {
 public:
  FastRecordReader(std::string_view text, Sax& sax)
      : p_(text.data()), end_(p_ + text.size()), sax_(sax) {}

  bool read() {
    skip_space();
    if (!value(0)) return false;
    skip_space();
    return p_ == end_;
  }

 private:
  static constexpr int kMaxDepth = 64;  // deeper documents go to the general parser

  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  // A string without escapes, into text_.
  bool string() {
    ++p_;  // opening quote
    const char* begin = p_;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        text_.assign(begin, static_cast<std::size_t>(p_ - begin));
        ++p_;
        return true;
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return false;
      ++p_;
    }
    return false;
  }

  bool number() {
    const char* begin = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      return false;
    }
    const char* digits_end = p_;
    bool real = false;
    if (p_ < end_ && *p_ == '.') {
      real = true;
      ++p_;
      const char* f = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      if (p_ == f) return false;
    }
    // An exponent can overflow a double, which nlohmann reports as an error of its own: such
    // numbers (rare in records) go to the general parser, as do very long ones.
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) return false;
    if (p_ - begin > 300) return false;
    text_.assign(begin, static_cast<std::size_t>(p_ - begin));
    if (real) return sax_.number_float(0.0, text_);  // the reader uses the source text only
    const char* d = begin + (negative ? 1 : 0);
    if (digits_end - d > 18) return false;  // the general parser decides how wide it is
    std::int64_t v = 0;
    for (; d < digits_end; ++d) v = v * 10 + (*d - '0');
    if (negative) return sax_.number_integer(-v);
    return sax_.number_unsigned(static_cast<std::uint64_t>(v));
  }

  bool value(int depth) {
    if (p_ == end_ || depth > kMaxDepth) return false;
    switch (*p_) {
      case '{': {
        ++p_;
        if (!sax_.start_object(std::size_t(-1))) return false;
        skip_space();
        if (p_ < end_ && *p_ == '}') {
          ++p_;
          return sax_.end_object();
        }
        while (true) {
          skip_space();
          if (p_ == end_ || *p_ != '"' || !string()) return false;
          if (!sax_.key(text_)) return false;
          skip_space();
          if (p_ == end_ || *p_ != ':') return false;
          ++p_;
          skip_space();
          if (!value(depth + 1)) return false;
          skip_space();
          if (p_ == end_) return false;
          if (*p_ == ',') {
            ++p_;
            continue;
          }
          if (*p_ != '}') return false;
          ++p_;
          return sax_.end_object();
        }
      }
      case '[': {
        ++p_;
        if (!sax_.start_array(std::size_t(-1))) return false;
        skip_space();
        if (p_ < end_ && *p_ == ']') {
          ++p_;
          return sax_.end_array();
        }
        while (true) {
          skip_space();
          if (!value(depth + 1)) return false;
          skip_space();
          if (p_ == end_) return false;
          if (*p_ == ',') {
            ++p_;
            continue;
          }
          if (*p_ != ']') return false;
          ++p_;
          return sax_.end_array();
        }
      }
      case '"':
        return string() && sax_.string(text_);
      case 't':
        return literal("true") && sax_.boolean(true);
      case 'f':
        return literal("false") && sax_.boolean(false);
      case 'n':
        return literal("null") && sax_.null();
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return number();
        return false;
    }
  }

  const char* p_;
  const char* end_;
  Sax& sax_;
  std::string text_;
};

}  // namespace

std::vector<Error> InputSchema::parse_record(std::string_view json, Record& out,
                                             UnknownFields unknown) const {
  std::vector<Error> errors;
  out.reset(fields_.size());
  {
    RecordSax sax(*this, out, unknown, errors);
    if (FastRecordReader<RecordSax>(json, sax).read()) {
      auto req = check_required(out);
      errors.insert(errors.end(), req.begin(), req.end());
      return errors;
    }
  }
  errors.clear();
  out.reset(fields_.size());
  if (const std::size_t at = detail::find_too_deep(json); at != std::string_view::npos) {
    errors.emplace_back(ErrorCode::too_deep, detail::too_deep_message(at), "");
    return errors;
  }
  RecordSax sax(*this, out, unknown, errors);
  nlohmann::json::sax_parse(json.begin(), json.end(), &sax, nlohmann::json::input_format_t::json,
                            true, false);
  if (!sax.syntax_error()) {
    auto req = check_required(out);
    errors.insert(errors.end(), req.begin(), req.end());
  }
  return errors;
}

}  // namespace v1
}  // namespace aiguillage
