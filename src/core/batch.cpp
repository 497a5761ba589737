#include "aiguillage/core/batch.hpp"

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
        items[j] = arena_.copy_string(v[j].as_string());
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

}  // namespace v1
}  // namespace aiguillage
