// Typed, bounded input schemas and the validation of records against them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/error.hpp"
#include "aiguillage/core/value.hpp"

namespace aiguillage {
inline namespace v1 {

enum class FieldType : std::uint8_t { boolean, integer, decimal, string, enumeration, date, list };
AIG_API std::string_view field_type_name(FieldType t) noexcept;  // "bool", "enum", ...
AIG_API std::optional<FieldType> parse_field_type(std::string_view name) noexcept;

// Where a value comes from; shown in explanations (R311-3-1-2 CRPA, 2°).
enum class SourceKind : std::uint8_t { declared, counsellor, administrative, context, derived };
AIG_API std::string_view source_kind_name(SourceKind k) noexcept;
AIG_API std::optional<SourceKind> parse_source_kind(std::string_view name) noexcept;

struct AIG_API FieldSpec {
  std::string name;
  FieldType type = FieldType::string;
  FieldType item_type =
      FieldType::string;  // for lists: string, enumeration, integer, decimal, bool
  // A list of objects (ruleset 1.2): the list's value holds its items' indices 0..n-1 and each
  // declared field of the items is a companion field `<list>.<field>` (items_of: the list's
  // index) holding one value per item, null where an item lacks it. Records give the objects;
  // the companions are filled from them, never directly.
  bool object_items = false;
  int items_of = -1;
  std::vector<std::string> values;  // closed list for enum and list of enum
  std::optional<Decimal> min, max;  // integer and decimal bounds
  std::optional<Date> min_date, max_date;
  std::optional<std::uint32_t> max_length;  // strings, in Unicode code points
  std::optional<std::uint32_t> max_items;   // lists
  bool required = false;
  std::string label_fr, label_en, description;
  // Enums and lists of enums: one readable label per value, parallel to `values` ("" where the
  // pack gives none; ruleset 1.1 packs label every value).
  std::vector<std::string> value_labels_fr, value_labels_en;
  SourceKind source = SourceKind::declared;
  bool monitored = false;  // a group attribute the report compares outcomes across
  // An input that places the person (like `territory`): the report replays every record with
  // each other value it holds and counts whose decision would change.
  bool territorial = false;

  // Index of an enum value, or -1.
  int enum_index(std::string_view v) const;
};

// A record: one value per schema field (null when absent), storage owned here.
struct AIG_API Record {
  std::vector<Value> values;
  Arena arena;
  void reset(std::size_t n) {
    values.assign(n, Value::null());
    arena.reset();
  }
};

enum class UnknownFields : std::uint8_t { reject, ignore };

class AIG_API InputSchema {
 public:
  InputSchema() = default;
  explicit InputSchema(std::vector<FieldSpec> fields);

  const std::vector<FieldSpec>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  const FieldSpec& field(std::size_t k) const { return fields_[k]; }
  // -1 when absent.
  int index_of(std::string_view name) const;

  // Parses one JSON object into `out` (one value per field). Nested objects address dotted
  // names ({"customer": {"age": 3}} sets "customer.age"). Returns every error found, each with
  // the JSON pointer of the offending value; on errors `out` is unspecified.
  std::vector<Error> parse_record(std::string_view json, Record& out,
                                  UnknownFields unknown = UnknownFields::reject) const;

  // Checks a value against field k's type and bounds; pointer is used in the error.
  std::optional<Error> check_value(std::size_t k, const Value& v, const std::string& pointer) const;

  // Checks the required fields of a complete record.
  std::vector<Error> check_required(const Record& r) const;

 private:
  std::vector<FieldSpec> fields_;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int, Hash, std::equal_to<>> index_;
};

}  // namespace v1
}  // namespace aiguillage
