// Typed columnar batches: one array per field, a presence byte per cell. Booleans, integers,
// decimals (units), dates (days) and enums (code into the field's closed list) share an int64
// array, so evaluation reads a column without converting or allocating.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>
#include "aiguillage/core/export.hpp"

#include "aiguillage/core/schema.hpp"

namespace aiguillage {
inline namespace v1 {

class AIG_API Batch {
 public:
  Batch(const InputSchema& schema, std::size_t rows);
  ~Batch();
  Batch(Batch&&) noexcept;
  Batch& operator=(Batch&&) noexcept;

  const InputSchema& schema() const { return *schema_; }
  std::size_t rows() const { return rows_; }
  std::size_t columns() const { return columns_.size(); }

  // Setters validate type and bounds and throw Error with pointer "/<row>/<field>".
  void set_null(std::size_t col, std::size_t row);
  void set_bool(std::size_t col, std::size_t row, bool v);
  void set_int(std::size_t col, std::size_t row, std::int64_t v);
  void set_decimal(std::size_t col, std::size_t row, Decimal v);
  void set_date(std::size_t col, std::size_t row, Date v);
  void set_enum(std::size_t col, std::size_t row, std::string_view v);
  void set_enum_code(std::size_t col, std::size_t row, int code);
  void set_string(std::size_t col, std::size_t row, std::string_view v);
  // Any value of the field's type (lists too); strings and lists are copied.
  void set(std::size_t col, std::size_t row, const Value& v);
  // Copies a validated record into row `row`.
  void set_row(std::size_t row, const Record& record);

  // Reads one JSON object straight into row `row` when the record is plain (strings without
  // escapes, ASCII only) and valid: every key names an input (nested objects name dotted
  // fields, as parse_record reads them) or, with UnknownFields::ignore, is skipped; every value
  // has its field's type and bounds; no key twice; every required field present. Returns
  // false otherwise, with the row's cells all null again: the caller then reads the record
  // with InputSchema::parse_record, which reports the errors with their JSON pointers.
  bool read_json(std::size_t row, std::string_view json, UnknownFields unknown);
  // Every cell null again and copied strings released; the number of rows is kept.
  void clear();

  // Raw access for evaluation.
  const std::int64_t* data(std::size_t col) const { return columns_[col].data.data(); }
  const std::uint8_t* present(std::size_t col) const { return columns_[col].present.data(); }
  bool is_present(std::size_t col, std::size_t row) const { return columns_[col].present[row]; }
  // The cell as a value (a view into the batch; enums as their string).
  Value get(std::size_t col, std::size_t row) const;

 private:
  struct Column {
    std::vector<std::int64_t> data;
    std::vector<std::uint8_t> present;
    std::vector<Value> other;  // strings and lists (views into arena_)
  };
  void check(std::size_t col, std::size_t row, const Value& v) const;
  // The per-schema lookup tables and scratch space of read_json, built on its first call.
  struct JsonTables;
  class JsonReader;

  const InputSchema* schema_;
  std::size_t rows_;
  std::vector<Column> columns_;
  Arena arena_;
  std::unique_ptr<JsonTables> json_;
};

}  // namespace v1
}  // namespace aiguillage
