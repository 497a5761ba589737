// Any bytes given as a record are validated into values or rejected with errors, never a crash.
// Batch::read_json, the fast reader into a batch row, must agree with parse_record: when it
// accepts the bytes, parse_record finds no error and the row equals set_row of its record.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aiguillage/core/batch.hpp"
#include "aiguillage/core/schema.hpp"

namespace {

aiguillage::InputSchema make_schema() {
  using namespace aiguillage;
  std::vector<FieldSpec> f(6);
  f[0].name = "age";
  f[0].type = FieldType::integer;
  f[0].min = Decimal::from_int(0);
  f[0].max = Decimal::from_int(130);
  f[1].name = "income";
  f[1].type = FieldType::decimal;
  f[2].name = "benefit";
  f[2].type = FieldType::enumeration;
  f[2].values = {"RSA", "ASS"};
  f[3].name = "customer.birth_date";
  f[3].type = FieldType::date;
  f[4].name = "tags";
  f[4].type = FieldType::list;
  f[4].item_type = FieldType::enumeration;
  f[4].values = {"x", "y"};
  f[4].max_items = 3;
  f[5].name = "name";
  f[5].type = FieldType::string;
  f[5].max_length = 8;
  f[5].required = true;
  return InputSchema(std::move(f));
}

void check_batch_reader(const aiguillage::InputSchema& schema, std::string_view text,
                        aiguillage::UnknownFields unknown) {
  using namespace aiguillage;
  static Batch fast(schema, 2), reference(schema, 2);
  static unsigned calls = 0;
  if (++calls % 64 == 0) {
    fast.clear();
    reference.clear();
  }
  const std::size_t row = calls % 2;
  Record r;
  const bool valid = schema.parse_record(text, r, unknown).empty();
  if (!fast.read_json(row, text, unknown)) {
    for (std::size_t c = 0; c < schema.size(); ++c)
      if (fast.is_present(c, row)) __builtin_trap();  // a refused record leaves its row empty
    return;
  }
  if (!valid) __builtin_trap();
  reference.set_row(row, r);
  for (std::size_t c = 0; c < schema.size(); ++c) {
    if (fast.is_present(c, row) != reference.is_present(c, row)) __builtin_trap();
    if (!fast.is_present(c, row)) continue;
    const Value a = fast.get(c, row), b = reference.get(c, row);
    if (a.type() != b.type() || !(a == b)) __builtin_trap();
    if (fast.data(c)[row] != reference.data(c)[row]) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const aiguillage::InputSchema schema = make_schema();
  aiguillage::Record record;
  schema.parse_record(std::string_view(reinterpret_cast<const char*>(data), size), record);
  schema.parse_record(std::string_view(reinterpret_cast<const char*>(data), size), record,
                      aiguillage::UnknownFields::ignore);
  // The plain reader and the general parser (forced by a byte-order mark) must agree.
  const std::string text(reinterpret_cast<const char*>(data), size);
  aiguillage::Record fast, general;
  auto e1 = schema.parse_record(text, fast);
  auto e2 = schema.parse_record("\xEF\xBB\xBF" + text, general);
  if (e1.size() != e2.size()) __builtin_trap();
  for (std::size_t k = 0; k < e1.size(); ++k)
    if (e1[k].code() != e2[k].code() || e1[k].pointer() != e2[k].pointer()) __builtin_trap();
  for (std::size_t f = 0; f < schema.size(); ++f)
    if (!(fast.values[f] == general.values[f])) __builtin_trap();
  check_batch_reader(schema, text, aiguillage::UnknownFields::reject);
  check_batch_reader(schema, text, aiguillage::UnknownFields::ignore);
  return 0;
}
